import CustosCore

/// GitLab Code Quality: a JSON array of Code Climate issues (`artifacts: reports:
/// codequality`), which GitLab shows in merge requests on every tier. GitLab compares the
/// issues of a merge request with those of its target branch by `fingerprint`, so the
/// fingerprint names the finding's place without its line (`FindingPlaceKey`): a secret that
/// moves down a file is not reported as fixed and found again.
struct CodeQualityReporter: Reporter {
    func render(_ result: ScanResult, context: ReportContext) -> String {
        let paths = SourcePaths(roots: context.roots, findings: result.findings)
        let keys = FindingPlaceKey.keys(for: result.findings, paths: paths)
        var writer = JSONWriter(pretty: true)
        writer.beginArray()
        for (finding, key) in zip(result.findings, keys) {
            let secret = context.display.render(finding.secret)
            var description = "\(context.ruleName(finding.ruleID)): \(secret)"
            if let identity = finding.identity { description += " (identity \(identity))" }
            if finding.origin.isInsideContainer { description += " in \(finding.path) line \(finding.start.line)" }
            if let commit = finding.git?.introducedBy { description += ", added in commit \(commit.commit.prefix(12))" }
            writer.beginObject()
            writer.field("type", "issue")
            writer.field("check_name", finding.ruleID)
            writer.field("description", description)
            writer.field("categories", strings: ["Security"])
            writer.field("severity", Self.severity(context.confidence(of: finding)))
            writer.field("fingerprint", String(key.prefix(32)))
            writer.beginObject(key: "location")
            writer.field("path", paths.place(of: finding.origin).path)
            writer.beginObject(key: "lines")
            writer.field("begin", finding.origin.isInsideContainer ? 1 : max(1, finding.start.line))
            writer.endObject()
            writer.endObject()
            writer.endObject()
        }
        writer.endArray()
        return writer.output + "\n"
    }

    /// Code Climate's severity (info, minor, major, critical, blocker) for a confidence.
    static func severity(_ confidence: Confidence) -> String {
        switch confidence {
        case .high: "critical"
        case .medium: "major"
        case .low: "minor"
        }
    }
}
