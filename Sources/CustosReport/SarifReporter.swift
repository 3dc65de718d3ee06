import CustosCore

/// SARIF 2.1.0 as GitHub code scanning accepts it: one run, driver rules for every rule that
/// has a result, results with a relative URI and region, and the stable fingerprint as a
/// partial fingerprint so alerts follow a secret across line moves.
struct SarifReporter: Reporter {
    static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    static let fingerprintKey = "custosSecret/v1"

    func render(_ result: ScanResult, context: ReportContext) -> String {
        let ruleIDs = Array(Set(result.findings.map(\.ruleID))).sorted()
        let ruleIndex = Dictionary(uniqueKeysWithValues: ruleIDs.enumerated().map { ($1, $0) })
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.field("$schema", Self.schemaURI)
        writer.field("version", "2.1.0")
        writer.beginArray(key: "runs")
        writer.beginObject()
        writer.beginObject(key: "tool")
        writer.beginObject(key: "driver")
        writer.field("name", "custos")
        writer.field("semanticVersion", context.toolVersion)
        writer.beginArray(key: "rules")
        for id in ruleIDs { writeRule(id, context: context, to: &writer) }
        writer.endArray()
        writer.endObject()
        writer.endObject()
        if let repository = context.repository, let uri = repository.uri {
            writer.beginArray(key: "versionControlProvenance")
            writer.beginObject()
            writer.field("repositoryUri", uri)
            if let revision = repository.revision { writer.field("revisionId", revision) }
            if let branch = repository.branch { writer.field("branch", branch) }
            writer.endObject()
            writer.endArray()
        }
        writer.field("columnKind", "unicodeCodePoints")
        writer.beginArray(key: "results")
        for finding in result.findings {
            writeResult(finding, ruleIndex: ruleIndex[finding.ruleID] ?? 0, context: context, to: &writer)
        }
        writer.endArray()
        writer.beginArray(key: "invocations")
        writer.beginObject()
        writer.field("executionSuccessful", true)
        writer.beginArray(key: "toolExecutionNotifications")
        for warning in result.warnings {
            writer.beginObject()
            writer.field("level", "warning")
            writer.beginObject(key: "message")
            writer.field("text", "\(warning.path): \(warning.message)")
            writer.endObject()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        writer.endArray()
        writer.endObject()
        writer.endArray()
        writer.endObject()
        return writer.output + "\n"
    }

    static func level(_ confidence: Confidence) -> String {
        switch confidence {
        case .high: "error"
        case .medium: "warning"
        case .low: "note"
        }
    }

    /// GitHub's numeric severity (0.1–10) for security alerts.
    static func securitySeverity(_ confidence: Confidence) -> String {
        switch confidence {
        case .high: "8.0"
        case .medium: "6.0"
        case .low: "4.0"
        }
    }

    private func writeRule(_ id: String, context: ReportContext, to writer: inout JSONWriter) {
        let rule = context.rules[id]
        let name = rule?.name ?? id
        let description = rule?.description.trimmingWhitespace() ?? ""
        writer.beginObject()
        writer.field("id", id)
        writer.field("name", Self.pascalCase(id))
        writer.beginObject(key: "shortDescription")
        writer.field("text", name)
        writer.endObject()
        writer.beginObject(key: "fullDescription")
        writer.field("text", description.isEmpty ? name : description)
        writer.endObject()
        let references = rule?.references ?? []
        var help = "\(name). \(description)\n\nRevoke or rotate the credential at its provider first, then remove it from the file and its history. Registering the identity's owner lets custos name who may revoke it."
        var markdown = "**\(name)**\n\n\(description)\n\nRevoke or rotate the credential at its provider first, then remove it from the file and its history."
        if !references.isEmpty {
            help += "\n\nReferences: " + references.joined(separator: ", ")
            markdown += "\n\nReferences:\n" + references.map { "- <\($0)>" }.joined(separator: "\n")
        }
        writer.beginObject(key: "help")
        writer.field("text", help)
        writer.field("markdown", markdown)
        writer.endObject()
        if let first = references.first { writer.field("helpUri", first) }
        let confidence = rule?.confidence ?? .medium
        writer.beginObject(key: "defaultConfiguration")
        writer.field("level", Self.level(confidence))
        writer.endObject()
        writer.beginObject(key: "properties")
        let tags = rule?.tags ?? []
        // Governance checks carry their own OWASP NHI category; detections are NHI2 leaks.
        let category = rule?.kind == .governance ? ["governance"] : ["owasp-nhi", "NHI2:2025 Secret Leakage"]
        writer.field("tags", strings: ["security", "secret"] + tags + category)
        writer.field("precision", confidence == .high ? "very-high" : confidence.rawValue)
        writer.field("security-severity", Self.securitySeverity(confidence))
        writer.endObject()
        writer.endObject()
    }

    private func writeResult(_ finding: Finding, ruleIndex: Int, context: ReportContext, to writer: inout JSONWriter) {
        let confidence = context.confidence(of: finding)
        let secret = context.display.render(finding.secret)
        writer.beginObject()
        writer.field("ruleId", finding.ruleID)
        writer.field("ruleIndex", ruleIndex)
        writer.field("level", Self.level(confidence))
        writer.beginObject(key: "message")
        var message = "\(context.ruleName(finding.ruleID)) found: \(secret)"
        if let identity = finding.identity { message += " (identity \(identity))" }
        if let ownership = finding.ownership {
            message += ". Owner: \(ownership.owner ?? "none registered")"
            message += "; may revoke: \(ownership.revocationAuthority ?? "nobody named")"
        }
        if !finding.related.isEmpty {
            message += ". Found at \(Set(finding.related.map(\.place)).count) places: " + finding.related.map { "\($0.path):\($0.line)" }.joined(separator: ", ")
        }
        writer.field("text", message)
        writer.endObject()
        writer.beginArray(key: "locations")
        writer.beginObject()
        writer.beginObject(key: "physicalLocation")
        writer.beginObject(key: "artifactLocation")
        writer.field("uri", Self.uri(for: finding.path))
        writer.endObject()
        writer.beginObject(key: "region")
        writer.field("startLine", finding.start.line)
        writer.field("startColumn", finding.start.column)
        writer.field("endLine", finding.end.line)
        writer.field("endColumn", finding.end.column)
        writer.endObject()
        writer.endObject()
        if let logicalPath = finding.logicalPath {
            // Where in the file's structure: an element, JSON path, table cell or PLC block.
            writer.beginArray(key: "logicalLocations")
            writer.beginObject()
            writer.field("fullyQualifiedName", logicalPath)
            writer.field("kind", Self.logicalKind(logicalPath))
            writer.endObject()
            writer.endArray()
        }
        writer.endObject()
        writer.endArray()
        if !finding.related.isEmpty {
            writer.beginArray(key: "relatedLocations")
            for (index, place) in finding.related.enumerated() {
                writer.beginObject()
                writer.field("id", index)
                writer.beginObject(key: "physicalLocation")
                writer.beginObject(key: "artifactLocation")
                writer.field("uri", Self.uri(for: place.path))
                writer.endObject()
                writer.beginObject(key: "region")
                writer.field("startLine", place.line)
                writer.endObject()
                writer.endObject()
                writer.beginObject(key: "message")
                writer.field("text", place.place)
                writer.endObject()
                writer.endObject()
            }
            writer.endArray()
        }
        writer.beginObject(key: "partialFingerprints")
        writer.field(Self.fingerprintKey, finding.fingerprint.hex)
        writer.endObject()
        writer.beginObject(key: "properties")
        writer.field("fingerprint", finding.fingerprint.hex)
        writer.field("secretRedacted", context.display == .redacted)
        writer.field("secretLength", finding.secret.count)
        if let identity = finding.identity { writer.field("identity", identity) }
        if let logicalPath = finding.logicalPath { writer.field("logicalPath", logicalPath) }
        if let ownership = finding.ownership {
            JSONReporter.write(ownership, key: "ownership", camelCase: true, to: &writer)
        }
        if let git = finding.git {
            writer.field("blob", git.blob)
            if let first = git.introducedBy {
                writer.field("commit", first.commit)
                writer.field("author", first.author)
                writer.field("authorEmail", first.email)
                writer.field("date", first.date)
            }
            if git.commits.count > 1 {
                writer.field("provenance", strings: git.commits.map { "\($0.commit):\($0.path)" })
            }
        }
        writer.endObject()
        writer.endObject()
    }

    /// SARIF's logical location kind for a logical path: a JSON path names a property, a PLC
    /// block path (`DATA_BLOCK "DB_Remote"/ftpPassword`, its first part a keyword and a name)
    /// a variable, anything else (XML elements, table cells) an element.
    static func logicalKind(_ path: String) -> String {
        if path.hasPrefix("$") { return "property" }
        let first = path.prefix { $0 != "/" }
        if first.contains(" ") && !first.contains("[") { return "variable" }
        return "element"
    }

    /// `github-classic-pat` → `GithubClassicPat`.
    static func pascalCase(_ id: String) -> String {
        id.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A relative path becomes a relative URI reference; an absolute one a `file://` URI.
    static func uri(for path: String) -> String {
        let encoded = percentEncode(path)
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }

    private static func percentEncode(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            let unreserved = (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || (byte >= 0x30 && byte <= 0x39) || "-._~/".utf8.contains(byte)
            if unreserved {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
