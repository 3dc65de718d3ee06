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
            // Grouped by owner, who to call before what was found; the owner with the most
            // urgent finding first, and each owner's findings most urgent first (triage).
            let triage = JSONReporter.triage(result.findings, context: context)
            func score(_ finding: Finding) -> Int { triage[finding.fingerprint.hex]?.total ?? 0 }
            let ordered = result.findings.enumerated().sorted { a, b in
                score(a.element) != score(b.element) ? score(a.element) > score(b.element) : a.offset < b.offset
            }.map(\.element)
            var owners: [String] = []
            var groups: [String: [Finding]] = [:]
            for finding in ordered {
                let owner = finding.ownership?.owner ?? ""
                if groups[owner] == nil { owners.append(owner) }
                groups[owner, default: []].append(finding)
            }
            for owner in owners {
                let findings = groups[owner] ?? []
                out += ownerHeader(owner, findings)
                out += findingsByFile(findings, context: context, indent: "  ", triage: triage)
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
        if summary.findingsBelowConfidence > 0 {
            let count = summary.findingsBelowConfidence
            out += "\(count) lower-confidence finding\(count == 1 ? "" : "s") not shown (--min-confidence low shows them)\n"
        }
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
            line += "may revoke: \(ownership.revoker ?? "nobody named")"
            if let procedure = ownership.revocationProcedure { line += " (\(procedure))" }
            out += line + "\n"
            if !ownership.escalation.isEmpty { out += "   escalate: " + ownership.escalation.joined(separator: " → ") + "\n" }
            if let expiry = RevocationWording.expiry(ownership) { out += "   \(expiry)\n" }
            if let vendor = ownership.vendor { out += "   vendor: \(vendor)" + (ownership.roles.vendorContact.map { " (\($0))" } ?? "") + "\n" }
            if let impact = ownership.revocationImpact {
                out += "   revocation impact: \(impact.rawValue)" + (ownership.fallback.map { "; fallback: \($0)" } ?? "") + "\n"
            }
            if !ownership.supports.isEmpty { out += "   depends on it: " + ownership.supports.joined(separator: ", ") + "\n" }
            if ownership.kind == .breakGlass { out += "   break-glass: any finding is critical; rotate it after every use\n" }
        }
        return out
    }

    private func findingsByFile(_ findings: [Finding], context: ReportContext, indent: String,
                                triage: [String: TriageScore] = [:]) -> String {
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
            out += "  fingerprint: \(finding.fingerprint.hex.prefix(16))  id: \(finding.id)\n"
            if !finding.verdicts.isEmpty || triage[finding.fingerprint.hex] != nil {
                let places = Set(finding.related.map(\.place)).count
                let severity = finding.severity(ruleConfidence: context.confidence(of: finding))
                out += "\(indent)      " + finding.verdicts.map { paint("[\($0.label(places: places))]", "1;31") + " " }.joined()
                out += "severity \(severity.rawValue)" + (triage[finding.fingerprint.hex].map { ", triage \($0.total)" } ?? "") + "\n"
            }
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
