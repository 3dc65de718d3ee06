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
        if result.findings.contains(where: { $0.ownership != nil }) {
            // Grouped by owner, the authority gap first: who to call comes before what was found.
            let groups = Dictionary(grouping: result.findings) { $0.ownership?.owner ?? "" }
            for owner in groups.keys.sorted() {
                let findings = groups[owner] ?? []
                out += ownerHeader(owner, findings)
                out += findingsByFile(findings, context: context, indent: "  ")
                out += "\n"
            }
        } else {
            out += findingsByFile(result.findings, context: context, indent: "")
            if !result.findings.isEmpty { out += "\n" }
        }
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

    private func ownerHeader(_ owner: String, _ findings: [Finding]) -> String {
        var out = paint(owner.isEmpty ? "== No registered owner: nobody is on record to revoke these" : "== Owner: \(owner)", "1;35") + "\n"
        var seen = Set<String>()
        for ownership in findings.compactMap(\.ownership) where seen.insert(ownership.identityID ?? "").inserted {
            guard ownership.attributedBy != .none else { continue }
            var line = "   "
            if let identity = ownership.identityID { line += "identity \(identity)" + (ownership.kind.map { " (\($0.rawValue))" } ?? "") + "; " }
            if ownership.attributedBy == .codeowners { line += "from CODEOWNERS; " }
            if let contact = ownership.contact { line += "contact \(contact); " }
            line += "may revoke: \(ownership.revocationAuthority ?? "nobody named")"
            if let procedure = ownership.revocationProcedure { line += " (\(procedure))" }
            out += line + "\n"
            if !ownership.escalation.isEmpty { out += "   escalate: " + ownership.escalation.joined(separator: " → ") + "\n" }
            if let date = ownership.expiryDate, ownership.expiry != .valid { out += "   \(ownership.expiry.rawValue) since \(date)\n" }
        }
        return out
    }

    private func findingsByFile(_ findings: [Finding], context: ReportContext, indent: String) -> String {
        var out = ""
        var currentPath: String?
        for finding in findings {
            if finding.path != currentPath {
                if currentPath != nil { out += "\n" }
                out += indent + paint(finding.path, "1") + "\n"
                currentPath = finding.path
            }
            let level = switch context.confidence(of: finding) {
            case .high: paint("high", "31")
            case .medium: paint("medium", "33")
            case .low: paint("low", "36")
            }
            let secret = context.display.render(finding.secret)
            out += "\(indent)  \(finding.start.line):\(finding.start.column)  \(paint(finding.ruleID, "1"))  \(context.ruleName(finding.ruleID)) [\(level)]\n"
            out += "\(indent)      secret: \(secret)"
            if let identity = finding.identity { out += "  identity: \(identity)" }
            out += "  fingerprint: \(finding.fingerprint.hex.prefix(16))\n"
            if let logicalPath = finding.logicalPath { out += "\(indent)      in: \(logicalPath)\n" }
            if let commit = finding.git?.introducedBy {
                out += "\(indent)      commit: \(commit.commit.prefix(12)) \(commit.date) \(commit.author) <\(commit.email)>  \(commit.summary)\n"
                let more = (finding.git?.commits.count ?? 1) - 1
                if more > 0 { out += "\(indent)      also added by \(more) more commit\(more == 1 ? "" : "s")\n" }
            }
            if !finding.related.isEmpty {
                out += "\(indent)      found at \(Set(finding.related.map(\.place)).count) places: "
                    + finding.related.map { "\($0.place) \($0.path):\($0.line)" }.joined(separator: ", ") + "\n"
            }
            let line = finding.snippet.render(secret: paint(secret, "31"), others: context.display).trimmingWhitespace()
            if !line.isEmpty { out += "\(indent)      \(paint("│", "2")) \(line)\n" }
        }
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
