import CustosCore
import Foundation

/// GitLab's secret-detection report (`gl-secret-detection-report.json`, published as
/// `artifacts: reports: secret_detection`), schema version 15.0.7: what GitLab shows in merge
/// requests, the pipeline's security tab and the vulnerability report.
///
/// GitLab rejects a report that breaks its schema as a whole, so every field is written to the
/// schema kept in Tests/Schemas and checked there. The schema requires a commit for every
/// finding: a history finding names the commit that introduced it, anything else the revision
/// of the repository the scan read, or GitLab's own placeholder `0000000` when custos was not
/// told one (the command line fills it from `CI_COMMIT_SHA` in a pipeline). The secret itself
/// appears only as every report shows it (redacted unless `--no-redact`).
struct GitLabSecretDetectionReporter: Reporter {
    static let schemaVersion = "15.0.7"
    static let schemaURL = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.0.7/dist/secret-detection-report-format.json"
    /// What GitLab's own analyzer writes when it has no commit; the schema needs one.
    static let placeholderCommit = "0000000"
    static let identifierType = "custos_rule_id"

    func render(_ result: ScanResult, context: ReportContext) -> String {
        let paths = SourcePaths(roots: context.roots, findings: result.findings)
        let keys = FindingPlaceKey.keys(for: result.findings, paths: paths)
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.field("version", Self.schemaVersion)
        writer.field("schema", Self.schemaURL)
        writeScan(result, context: context, to: &writer)
        writer.beginArray(key: "vulnerabilities")
        for (finding, key) in zip(result.findings, keys) {
            writeVulnerability(finding, id: FindingPlaceKey.uuid(key), context: context, paths: paths, to: &writer)
        }
        writer.endArray()
        writer.beginArray(key: "remediations")
        writer.endArray()
        writer.endObject()
        return writer.output + "\n"
    }

    private func writeScan(_ result: ScanResult, context: ReportContext, to writer: inout JSONWriter) {
        let finished = context.finishedAt ?? Date(timeIntervalSince1970: 0)
        let seconds = result.summary.seconds
        let started = finished.addingTimeInterval(seconds.isFinite ? -max(0, seconds) : 0)
        writer.beginObject(key: "scan")
        for key in ["analyzer", "scanner"] {
            writer.beginObject(key: key)
            writer.field("id", "custos")
            writer.field("name", "custos")
            writer.field("version", context.toolVersion.isEmpty ? "unknown" : context.toolVersion)
            writer.beginObject(key: "vendor")
            writer.field("name", "custos")
            writer.endObject()
            writer.endObject()
        }
        writer.field("type", "secret_detection")
        writer.field("start_time", Self.timestamp(started))
        writer.field("end_time", Self.timestamp(finished))
        // A scan that saw less than it was asked to is not a success GitLab may show as clean.
        let incomplete = result.warnings.contains(where: \.meansIncompleteScan)
        writer.field("status", incomplete ? "failure" : "success")
        writer.beginArray(key: "messages")
        for warning in result.warnings {
            writer.beginObject()
            writer.field("level", "warn")
            writer.field("value", "\(warning.path): \(warning.message)")
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    private func writeVulnerability(_ finding: Finding, id: String, context: ReportContext, paths: SourcePaths,
                                    to writer: inout JSONWriter) {
        let rule = context.rules[finding.ruleID]
        let name = context.ruleName(finding.ruleID)
        let secret = context.display.render(finding.secret)
        let inContainer = finding.origin.isInsideContainer
        writer.beginObject()
        writer.field("id", id)
        writer.field("name", String(name.prefix(255)))
        var description = "\(name) found: \(secret)"
        if let identity = finding.identity { description += " (identity \(identity))" }
        if inContainer { description += " in \(finding.path) at line \(finding.start.line)" }
        if let detail = rule?.description.trimmingWhitespace(), !detail.isEmpty { description += ". " + detail }
        writer.field("description", String(description.prefix(1_048_576)))
        writer.field("severity", Self.severity(context.confidence(of: finding)))
        writer.field("solution", "Revoke or rotate the credential at its provider first, then remove it from the file and its history.")
        writer.beginArray(key: "identifiers")
        writer.beginObject()
        writer.field("type", Self.identifierType)
        writer.field("name", "custos rule \(finding.ruleID)")
        writer.field("value", finding.ruleID)
        if let url = rule?.references.first(where: Self.isWebURL) { writer.field("url", url) }
        writer.endObject()
        writer.endArray()
        let links = (rule?.references ?? []).filter(Self.isWebURL)
        if !links.isEmpty {
            writer.beginArray(key: "links")
            for link in links {
                writer.beginObject()
                writer.field("url", link)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.beginObject(key: "location")
        writer.field("file", paths.place(of: finding.origin).path)
        if !inContainer {
            // Lines inside an archive member are not lines of the archive GitLab links to.
            writer.field("start_line", finding.start.line)
            writer.field("end_line", finding.end.line)
        }
        writer.beginObject(key: "commit")
        if let commit = finding.git?.introducedBy {
            writer.field("author", "\(commit.author) <\(commit.email)>")
            writer.field("date", commit.date)
            writer.field("message", commit.summary)
            writer.field("sha", commit.commit)
        } else {
            let revision = context.repository?.revision.flatMap { $0.isEmpty ? nil : $0 }
            writer.field("sha", revision ?? Self.placeholderCommit)
        }
        writer.endObject()
        writer.endObject()
        writer.field("raw_source_code_extract", finding.snippet.render(secret: secret, others: context.display))
        writeDetails(finding, secret: secret, to: &writer)
        writer.endObject()
    }

    /// The finding's particulars as GitLab's named list, shown on the vulnerability page.
    private func writeDetails(_ finding: Finding, secret: String, to writer: inout JSONWriter) {
        writer.beginObject(key: "details")
        func text(_ key: String, _ name: String, _ value: String) {
            writer.beginObject(key: key)
            writer.field("name", name)
            writer.field("type", "text")
            writer.field("value", value)
            writer.endObject()
        }
        text("secret", "Secret", secret)
        text("fingerprint", "Fingerprint", finding.fingerprint.hex)
        if finding.origin.isInsideContainer {
            text("place", "Place", "\(finding.path) line \(finding.start.line), column \(finding.start.column)")
        }
        if let logicalPath = finding.logicalPath { text("logical_path", "In", logicalPath) }
        if let identity = finding.identity { text("identity", "Identity", identity) }
        if let ownership = finding.ownership {
            text("owner", "Owner", ownership.owner ?? "none registered")
            text("revocation_authority", "May revoke", ownership.revocationAuthority ?? "nobody named")
        }
        if let repeats = finding.repeats, repeats.count > 0 {
            text("repeats", "Repeated", "\(repeats.count) more time\(repeats.count == 1 ? "" : "s"), last on line \(repeats.lastLine)")
        }
        if let git = finding.git, git.commits.count > 1 {
            writer.beginObject(key: "provenance")
            writer.field("name", "Also added by")
            writer.field("type", "list")
            writer.beginArray(key: "items")
            for commit in git.commits.dropFirst() {
                writer.beginObject()
                writer.field("type", "commit")
                writer.field("value", commit.commit)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endObject()
    }

    /// GitLab's severity for a confidence.
    static func severity(_ confidence: Confidence) -> String {
        switch confidence {
        case .high: "High"
        case .medium: "Medium"
        case .low: "Low"
        }
    }

    static func isWebURL(_ text: String) -> Bool {
        (text.hasPrefix("https://") || text.hasPrefix("http://")) && text.count > 8
    }

    /// `yyyy-mm-ddThh:mm:ss` in UTC, as the schema's pattern requires.
    static func timestamp(_ date: Date) -> String {
        // Clamped to four-digit years, so no clock can break the schema's pattern.
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.isFinite ? min(max(interval.rounded(.down), 0), 253_402_300_799) : 0)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))T"
            + "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))"
    }
}
