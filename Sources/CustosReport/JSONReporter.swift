import CustosCore

/// JSON (one document) and JSON Lines (one finding per line). The schema is documented in
/// README.md and versioned by `schema`; fields are only ever added.
struct JSONReporter: Reporter {
    let lines: Bool

    static let schema = "custos-report/1"

    func render(_ result: ScanResult, context: ReportContext) -> String {
        if lines {
            let triage = Self.triage(result.findings, context: context)
            return result.findings.map { finding in
                var writer = JSONWriter(pretty: false)
                Self.write(finding, context: context, triage: triage[finding.fingerprint.hex], to: &writer)
                return writer.output + "\n"
            }.joined()
        }
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.field("schema", Self.schema)
        writer.beginObject(key: "tool")
        writer.field("name", "custos")
        writer.field("version", context.toolVersion)
        writer.endObject()
        Self.write(result.summary, to: &writer)
        writer.beginArray(key: "findings")
        let triage = Self.triage(result.findings, context: context)
        for finding in result.findings { Self.write(finding, context: context, triage: triage[finding.fingerprint.hex], to: &writer) }
        writer.endArray()
        writer.beginArray(key: "warnings")
        for warning in result.warnings {
            writer.beginObject()
            writer.field("path", warning.path)
            writer.field("message", warning.message)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.output + "\n"
    }

    /// Each fingerprint's triage score, over all places of its secret.
    static func triage(_ findings: [Finding], context: ReportContext) -> [String: TriageScore] {
        guard findings.contains(where: { $0.ownership != nil || !$0.verdicts.isEmpty }) else { return [:] }
        let records = FindingRecord.records(from: findings, confidence: context.confidence(of:))
        return Dictionary(records.map { ($0.fingerprint, $0.triage) }, uniquingKeysWith: { first, _ in first })
    }

    static func write(_ finding: Finding, context: ReportContext, triage: TriageScore? = nil, to writer: inout JSONWriter) {
        let secret = context.display.render(finding.secret)
        writer.beginObject()
        writer.field("id", finding.id)
        writer.field("rule_id", finding.ruleID)
        writer.field("rule_name", context.ruleName(finding.ruleID))
        writer.field("confidence", context.confidence(of: finding).rawValue)
        writer.field("path", finding.path)
        if finding.origin.isInsideContainer {
            // The same place as `path`, taken apart: the file, then each member inside it.
            writer.field("artifact", finding.origin.artifactPath)
            writer.field("members", strings: finding.origin.containerChain)
        }
        writer.field("line", finding.start.line)
        writer.field("column", finding.start.column)
        writer.field("end_line", finding.end.line)
        writer.field("end_column", finding.end.column)
        writer.field("byte_start", finding.byteStart)
        writer.field("byte_end", finding.byteEnd)
        writer.field("secret", secret)
        writer.field("secret_length", finding.secret.count)
        writer.field("redacted", context.display == .redacted)
        writer.field("identity", finding.identity)
        writer.field("fingerprint", finding.fingerprint.hex)
        writer.field("secret_sha256", Fingerprint.plainSHA256(finding.secret))
        writer.field("snippet", finding.snippet.render(secret: secret, others: context.display))
        if let logicalPath = finding.logicalPath { writer.field("logical_path", logicalPath) }
        if !finding.alsoReportedBy.isEmpty { writer.field("also_reported_by", strings: finding.alsoReportedBy) }
        if let repeats = finding.repeats {
            writer.beginObject(key: "repeats")
            writer.field("count", repeats.count)
            writer.field("last_line", repeats.lastLine)
            writer.field("lines", ints: repeats.sampleLines)
            writer.endObject()
        }
        if let ownership = finding.ownership { write(ownership, key: "ownership", camelCase: false, to: &writer) }
        if let place = finding.place { writer.field("place", place) }
        if finding.ownership != nil || !finding.verdicts.isEmpty {
            writer.field("severity", finding.severity(ruleConfidence: context.confidence(of: finding)).rawValue)
            writer.field("verdicts", strings: finding.verdicts.map(\.rawValue))
        }
        if let triage { write(triage, to: &writer) }
        if !finding.related.isEmpty {
            writer.beginArray(key: "related")
            for place in finding.related {
                writer.beginObject()
                writer.field("path", place.path)
                writer.field("line", place.line)
                writer.field("place", place.place)
                writer.endObject()
            }
            writer.endArray()
        }
        if let git = finding.git {
            writer.beginObject(key: "git")
            writer.field("blob", git.blob)
            if let first = git.introducedBy {
                writer.field("commit", first.commit)
                writer.field("author", first.author)
                writer.field("email", first.email)
                writer.field("date", first.date)
                writer.field("summary", first.summary)
            }
            if git.commits.count > 1 {
                writer.beginArray(key: "provenance")
                for commit in git.commits {
                    writer.beginObject()
                    writer.field("commit", commit.commit)
                    writer.field("path", commit.path)
                    writer.field("author", commit.author)
                    writer.field("date", commit.date)
                    writer.endObject()
                }
                writer.endArray()
            }
            writer.endObject()
        }
        writer.endObject()
    }

    /// The ownership block, with snake_case keys (JSON) or camelCase keys (SARIF properties).
    static func write(_ ownership: Ownership, key: String, camelCase: Bool, to writer: inout JSONWriter) {
        func name(_ snake: String) -> String {
            guard camelCase else { return snake }
            let parts = snake.split(separator: "_")
            return String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        writer.beginObject(key: key)
        writer.field(name("attributed_by"), ownership.attributedBy.rawValue)
        writer.field(name("identity_id"), ownership.identityID)
        writer.field(name("kind"), ownership.kind?.rawValue)
        writer.field(name("owner"), ownership.owner)
        writer.field(name("contact"), ownership.contact)
        writer.field(name("revocation_authority"), ownership.revocationAuthority)
        writer.field(name("revocation_procedure"), ownership.revocationProcedure)
        writer.field(name("escalation"), strings: ownership.escalation)
        writer.field(name("sites"), strings: ownership.sites)
        writer.field(name("vendor"), ownership.vendor)
        writer.field(name("expiry_date"), ownership.expiryDate?.description)
        writer.field(name("expiry"), ownership.expiry.rawValue)
        // Added with the registry fields of issue 15; absent fields are null or empty.
        writer.field(name("description"), ownership.identityDescription)
        writer.field(name("secondary_owner"), ownership.secondaryOwner)
        writer.beginObject(key: name("roles"))
        writer.field(name("approver"), ownership.roles.approver)
        writer.field(name("revoker"), ownership.roles.revoker)
        writer.field(name("business_owner"), ownership.roles.businessOwner)
        writer.field(name("vendor_contact"), ownership.roles.vendorContact)
        writer.endObject()
        writer.field(name("supports"), strings: ownership.supports)
        writer.field(name("revocation_impact"), ownership.revocationImpact?.rawValue)
        writer.field(name("fallback"), ownership.fallback)
        writer.field(name("keep_reachable"), strings: ownership.keepReachable)
        if let access = ownership.access {
            writer.beginObject(key: name("access"))
            writer.field(name("from"), access.from?.description)
            writer.field(name("until"), access.until?.description)
            writer.endObject()
        }
        writer.endObject()
    }

    /// The triage score and its parts (README: "Triage order").
    static func write(_ triage: TriageScore, to writer: inout JSONWriter) {
        writer.beginObject(key: "triage")
        writer.field("score", triage.total)
        writer.field("severity", triage.severity)
        writer.field("exposure", triage.exposure)
        writer.field("blast_radius", triage.blastRadius)
        writer.field("revocation_impact", triage.revocationImpact)
        writer.endObject()
    }

    /// Counts only, never timings, so that the same input gives the same bytes.
    static func write(_ summary: ScanSummary, to writer: inout JSONWriter) {
        writer.beginObject(key: "summary")
        writer.field("files_scanned", summary.filesScanned)
        writer.field("bytes_scanned", summary.bytesScanned)
        writer.field("files_skipped_binary", summary.filesSkippedBinary)
        writer.field("files_skipped_excluded", summary.filesSkippedExcluded)
        writer.field("files_skipped_too_large", summary.filesSkippedTooLarge)
        writer.field("rules", summary.rulesLoaded)
        writer.field("findings", summary.findings)
        writer.field("findings_below_confidence", summary.findingsBelowConfidence)
        writer.field("warnings", summary.warnings)
        writer.endObject()
    }
}

