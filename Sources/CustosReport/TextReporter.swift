import CustosCore

/// Readable output grouped by file. Colour only when asked (the CLI asks on a terminal
/// without NO_COLOR).
struct TextReporter: Reporter {
    let color: Bool

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func render(_ result: ScanResult, context: ReportContext) -> String {
        var out = ""
        var currentPath: String?
        for finding in result.findings {
            if finding.path != currentPath {
                if currentPath != nil { out += "\n" }
                out += paint(finding.path, "1") + "\n"
                currentPath = finding.path
            }
            let confidence = context.confidence(finding.ruleID)
            let level = switch confidence {
            case .high: paint("high", "31")
            case .medium: paint("medium", "33")
            case .low: paint("low", "36")
            }
            let secret = context.display.render(finding.secret)
            out += "  \(finding.start.line):\(finding.start.column)  \(paint(finding.ruleID, "1"))  \(context.ruleName(finding.ruleID)) [\(level)]\n"
            out += "      secret: \(secret)"
            if let identity = finding.identity { out += "  identity: \(identity)" }
            out += "  fingerprint: \(finding.fingerprint.hex.prefix(16))\n"
            if let commit = finding.git?.introducedBy {
                out += "      commit: \(commit.commit.prefix(12)) \(commit.date) \(commit.author) <\(commit.email)>  \(commit.summary)\n"
                let more = (finding.git?.commits.count ?? 1) - 1
                if more > 0 { out += "      also added by \(more) more commit\(more == 1 ? "" : "s")\n" }
            }
            let line = finding.snippet.render(secret: paint(secret, "31")).trimmingWhitespace()
            if !line.isEmpty { out += "      \(paint("│", "2")) \(line)\n" }
        }
        if !result.findings.isEmpty { out += "\n" }
        let files = Set(result.findings.map(\.path)).count
        let summary = result.summary
        out += "\(summary.findings) finding\(summary.findings == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s"); "
        out += "scanned \(summary.filesScanned) files (\(Self.megabytes(summary.bytesScanned)))"
        var skipped: [String] = []
        if summary.filesSkippedBinary > 0 { skipped.append("\(summary.filesSkippedBinary) binary") }
        if summary.filesSkippedExcluded > 0 { skipped.append("\(summary.filesSkippedExcluded) excluded") }
        if summary.filesSkippedTooLarge > 0 { skipped.append("\(summary.filesSkippedTooLarge) too large") }
        if !skipped.isEmpty { out += ", skipped " + skipped.joined(separator: ", ") }
        if summary.warnings > 0 { out += ", \(summary.warnings) warning\(summary.warnings == 1 ? "" : "s")" }
        out += "\n"
        return out
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
