import CustosCore

/// SARIF 2.1.0 as GitHub code scanning accepts it: driver rules for every rule that has a
/// result, results with a URI relative to `%SRCROOT%` and a region, and stable fingerprints so
/// alerts follow a secret across line moves.
///
/// Past GitHub's limits (`SarifLimits`) the results are split into several runs of the same
/// tool, each run after the first with its own `automationDetails` category
/// (`custos/part-2/`, …), and the runs into several files when one file would hold too many
/// runs or bytes. A finding's run is chosen by a hash of its place, not by its position, so it
/// stays in the same category from scan to scan while the number of runs stays the same.
public struct SarifReporter: SplittingReporter {
    static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    static let fingerprintKey = "custosSecret/v1"
    static let placeFingerprintKey = "custosPlace/v1"
    static let commitFingerprintKey = "custosCommit/v1"
    /// The uriBaseId relative URIs name; `originalUriBaseIds` says where it is when known.
    static let sourceRootID = "%SRCROOT%"
    /// The category prefix of runs after the first when results are split.
    static let categoryPrefix = "custos/part-"

    public var limits: SarifLimits

    public init(limits: SarifLimits = .gitHub) {
        self.limits = limits
    }

    /// Every run in one document (standard output cannot hold several files).
    public func render(_ result: ScanResult, context: ReportContext) -> String {
        let runs = renderRuns(result, context: context)
        return Self.document(runs[...])
    }

    public func renderFiles(_ result: ScanResult, context: ReportContext) -> [String] {
        let runs = renderRuns(result, context: context)
        var files: [String] = []
        var start = 0
        while start < runs.count {
            var end = start + 1
            var bytes = runs[start].count
            while end < runs.count && end - start < limits.runsPerFile && bytes + runs[end].count <= limits.bytesPerFile {
                bytes += runs[end].count
                end += 1
            }
            files.append(Self.document(runs[start..<end]))
            start = end
        }
        return files
    }

    /// The runs, each rendered once as a fragment: as many as keep every run within the
    /// result limit and, where a run of one result allows, within the byte limit.
    private func renderRuns(_ result: ScanResult, context: ReportContext) -> [[UInt8]] {
        let paths = SourcePaths(roots: context.roots, findings: result.findings)
        let keys = FindingPlaceKey.keys(for: result.findings, paths: paths)
        let hashes = keys.map { UInt64($0.prefix(16), radix: 16) ?? 0 }
        var runCount = SarifPartition.initialRunCount(results: result.findings.count, limits: limits)
        var attempts = 0
        while true {
            let members = SarifPartition.members(hashes: hashes, runs: runCount, limits: limits)
            let runs = members.enumerated().map { index, indexes in
                renderRun(part: index + 1, of: members.count, findings: indexes.map { result.findings[$0] },
                          keys: indexes.map { keys[$0] }, warnings: index == 0 ? result.warnings : [],
                          context: context, paths: paths)
            }
            attempts += 1
            let largest = runs.map(\.count).max() ?? 0
            let splittable = members.contains { $0.count > 1 }
            guard largest > limits.bytesPerFile, splittable, attempts < SarifPartition.maxAttempts else { return runs }
            // Too many bytes for one file: enough more runs that each would fit, with room.
            let needed = (Double(members.count) * Double(largest) / Double(limits.bytesPerFile) * 1.1).rounded(.up)
            runCount = min(result.findings.count, max(members.count + 1, Int(needed)))
        }
    }

    private static func document(_ runs: ArraySlice<[UInt8]>) -> String {
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.field("$schema", schemaURI)
        writer.field("version", "2.1.0")
        writer.beginArray(key: "runs")
        for run in runs { writer.element(raw: run) }
        writer.endArray()
        writer.endObject()
        return writer.output + "\n"
    }

    private func renderRun(part: Int, of parts: Int, findings: [Finding], keys: [String], warnings: [ScanWarning],
                           context: ReportContext, paths: SourcePaths) -> [UInt8] {
        let ruleIDs = Array(Set(findings.map(\.ruleID))).sorted()
        let ruleIndex = Dictionary(uniqueKeysWithValues: ruleIDs.enumerated().map { ($1, $0) })
        var writer = JSONWriter(pretty: true, fragmentDepth: 2)
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
        if part > 1 {
            // The first part keeps the category the upload gives it (the workflow's, or
            // upload-sarif's `category`), so a report that grows past one run moves only the
            // results that land in the new parts.
            writer.beginObject(key: "automationDetails")
            writer.field("id", "\(Self.categoryPrefix)\(part)/")
            writer.endObject()
        }
        if let repository = context.repository, let uri = repository.uri {
            writer.beginArray(key: "versionControlProvenance")
            writer.beginObject()
            writer.field("repositoryUri", uri)
            if let revision = repository.revision { writer.field("revisionId", revision) }
            if let branch = repository.branch { writer.field("branch", branch) }
            writer.endObject()
            writer.endArray()
        }
        if let base = paths.base {
            writer.beginObject(key: "originalUriBaseIds")
            writer.beginObject(key: Self.sourceRootID)
            writer.field("uri", "file://" + Self.percentEncode(base == "/" ? "/" : base + "/"))
            writer.endObject()
            writer.endObject()
        }
        writer.field("columnKind", "unicodeCodePoints")
        writer.beginArray(key: "results")
        for (finding, key) in zip(findings, keys) {
            writeResult(finding, placeKey: key, ruleIndex: ruleIndex[finding.ruleID] ?? 0, context: context,
                        paths: paths, to: &writer)
        }
        writer.endArray()
        writer.beginArray(key: "invocations")
        writer.beginObject()
        writer.field("executionSuccessful", true)
        writer.beginArray(key: "toolExecutionNotifications")
        for warning in warnings {
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
        if parts > 1 {
            writer.beginObject(key: "properties")
            writer.field("part", part)
            writer.field("parts", parts)
            writer.endObject()
        }
        writer.endObject()
        return writer.bytes
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
        var allTags: [String] = []
        for tag in ["security", "secret"] + tags + category where !allTags.contains(tag) { allTags.append(tag) }
        writer.field("tags", strings: Array(allTags.prefix(limits.tagsPerRule)))
        writer.field("precision", confidence == .high ? "very-high" : confidence.rawValue)
        writer.field("security-severity", Self.securitySeverity(confidence))
        writer.endObject()
        writer.endObject()
    }

    private func writeResult(_ finding: Finding, placeKey: String, ruleIndex: Int, context: ReportContext,
                             paths: SourcePaths, to writer: inout JSONWriter) {
        let confidence = context.confidence(of: finding)
        let secret = context.display.render(finding.secret)
        let inContainer = finding.origin.isInsideContainer
        let commit = finding.git?.introducedBy
        writer.beginObject()
        writer.field("ruleId", finding.ruleID)
        writer.field("ruleIndex", ruleIndex)
        writer.field("level", Self.governedLevel(finding, confidence: confidence))
        writer.beginObject(key: "message")
        var message = "\(context.ruleName(finding.ruleID)) found: \(secret)"
        if let identity = finding.identity { message += " (identity \(identity))" }
        if inContainer {
            // The file GitHub opens is the archive or database; say where inside it.
            message += " in \(finding.path) at line \(finding.start.line), column \(finding.start.column)"
        }
        if let commit {
            message += ". Added in commit \(commit.commit.prefix(12)) by \(commit.author) on \(commit.date)"
            if !commit.summary.isEmpty { message += " (\(commit.summary))" }
            if commit.path != finding.origin.artifactPath { message += " at \(commit.path)" }
        }
        if let ownership = finding.ownership {
            message += ". Owner: \(ownership.owner ?? "none registered")"
            message += "; may revoke: \(ownership.revoker ?? "nobody named")"
        }
        if !finding.related.isEmpty {
            message += ". Found at \(Set(finding.related.map(\.place)).count) places: " + finding.related.map { "\($0.path):\($0.line)" }.joined(separator: ", ")
        }
        writer.field("text", message)
        writer.endObject()
        writer.beginArray(key: "locations")
        writer.beginObject()
        writer.beginObject(key: "physicalLocation")
        writeArtifactLocation(paths.place(of: finding.origin), to: &writer)
        writer.beginObject(key: "region")
        if inContainer {
            // Lines inside a member are not lines of the archive: anchor at its start.
            writer.field("startLine", 1)
        } else {
            writer.field("startLine", finding.start.line)
            writer.field("startColumn", finding.start.column)
            writer.field("endLine", finding.end.line)
            writer.field("endColumn", finding.end.column)
        }
        writer.endObject()
        writer.endObject()
        if inContainer || finding.logicalPath != nil {
            writer.beginArray(key: "logicalLocations")
            if inContainer {
                writer.beginObject()
                writer.field("name", finding.origin.containerChain.last ?? finding.path)
                writer.field("fullyQualifiedName", finding.path)
                writer.field("kind", "resource")
                writer.endObject()
            }
            if let logicalPath = finding.logicalPath {
                // Where in the file's structure: an element, JSON path, table cell or PLC block.
                writer.beginObject()
                writer.field("fullyQualifiedName", logicalPath)
                writer.field("kind", Self.logicalKind(logicalPath))
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        writer.endArray()
        if !finding.related.isEmpty {
            writer.beginArray(key: "relatedLocations")
            for (index, place) in finding.related.prefix(limits.locationsPerResult).enumerated() {
                writer.beginObject()
                writer.field("id", index)
                writer.beginObject(key: "physicalLocation")
                writeArtifactLocation(paths.place(ofFile: place.path), to: &writer)
                writer.beginObject(key: "region")
                writer.field("startLine", max(1, place.line))
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
        writer.field(Self.placeFingerprintKey, placeKey)
        if let commit { writer.field(Self.commitFingerprintKey, commit.commit) }
        writer.endObject()
        writer.beginObject(key: "properties")
        writer.field("fingerprint", finding.fingerprint.hex)
        writer.field("secretRedacted", context.display == .redacted)
        writer.field("secretLength", finding.secret.count)
        if let identity = finding.identity { writer.field("identity", identity) }
        if inContainer {
            writer.field("artifact", finding.origin.artifactPath)
            writer.field("members", strings: finding.origin.containerChain)
            writer.field("memberLine", finding.start.line)
            writer.field("memberColumn", finding.start.column)
        }
        if let logicalPath = finding.logicalPath { writer.field("logicalPath", logicalPath) }
        if !finding.alsoReportedBy.isEmpty { writer.field("alsoReportedBy", strings: finding.alsoReportedBy) }
        if let ownership = finding.ownership {
            JSONReporter.write(ownership, key: "ownership", camelCase: true, to: &writer)
        }
        Self.writeGovernance(finding, confidence: confidence, to: &writer)
        if let git = finding.git {
            writer.field("blob", git.blob)
            if let first = git.introducedBy {
                writer.field("commit", first.commit)
                writer.field("author", first.author)
                writer.field("authorEmail", first.email)
                writer.field("date", first.date)
                writer.field("commitSummary", first.summary)
            }
            if git.commits.count > 1 {
                writer.field("provenance", strings: git.commits.map { "\($0.commit):\($0.path)" })
            }
        }
        if let repeats = finding.repeats {
            writer.field("repeats", repeats.count)
            writer.field("repeatLines", ints: repeats.sampleLines)
        }
        writer.endObject()
        writer.endObject()
    }

    private func writeArtifactLocation(_ place: SourcePaths.Place, to writer: inout JSONWriter) {
        writer.beginObject(key: "artifactLocation")
        switch place {
        case let .relative(path):
            writer.field("uri", Self.percentEncode(path))
            writer.field("uriBaseId", Self.sourceRootID)
        case let .absolute(path):
            writer.field("uri", "file://" + Self.percentEncode(path))
        }
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

    static func percentEncode(_ path: String) -> String {
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

// Governance verdicts in SARIF (issue 15): a verdict is an attribute of the one result for a
// secret at a place — properties `verdicts`, `severity` and `security-severity`, tags
// `verdict:NAME` with the verdict's OWASP NHI category, and the level raised to the severity —
// so code scanning shows one alert per secret that can still be filtered by verdict.
extension SarifReporter {
    static func governedLevel(_ finding: Finding, confidence: Confidence) -> String {
        switch finding.severity(ruleConfidence: confidence) {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low: "note"
        }
    }

    static func writeGovernance(_ finding: Finding, confidence: Confidence, to writer: inout JSONWriter) {
        guard !finding.verdicts.isEmpty else { return }
        let severity = finding.severity(ruleConfidence: confidence)
        writer.field("verdicts", strings: finding.verdicts.map(\.rawValue))
        writer.field("severity", severity.rawValue)
        writer.field("security-severity", severity == .critical ? "9.5" : securitySeverity(severity >= .high ? .high : severity == .medium ? .medium : .low))
        var tags = ["governance"]
        for verdict in finding.verdicts {
            tags.append("verdict:\(verdict.rawValue)")
            if !tags.contains(verdict.owaspCategory) { tags.append(verdict.owaspCategory) }
        }
        writer.field("tags", strings: tags)
    }
}

/// What GitHub code scanning accepts in one SARIF upload ("SARIF results exceed limits" in
/// GitHub's code scanning documentation): more than these and it rejects the whole file.
public struct SarifLimits: Sendable {
    /// Results per run (GitHub shows the top 5,000 by severity but takes 25,000).
    public var resultsPerRun: Int
    /// Runs per file.
    public var runsPerFile: Int
    /// Locations per result (related locations of a shared credential are cut here).
    public var locationsPerResult: Int
    /// Tags per rule.
    public var tagsPerRule: Int
    /// Uncompressed bytes per file. GitHub takes at most 10 MB gzip-compressed; custos's SARIF
    /// compresses about 12 to 1 (`bench/sarif_size.sh`: 30,000 results, 32.9 MB, 2.7 MB
    /// gzipped), so 64 MB is about 5 MB compressed, with room for less repetitive reports.
    public var bytesPerFile: Int

    public init(resultsPerRun: Int, runsPerFile: Int, locationsPerResult: Int, tagsPerRule: Int, bytesPerFile: Int) {
        self.resultsPerRun = max(1, resultsPerRun)
        self.runsPerFile = max(1, runsPerFile)
        self.locationsPerResult = max(1, locationsPerResult)
        self.tagsPerRule = max(1, tagsPerRule)
        self.bytesPerFile = max(1, bytesPerFile)
    }

    public static let gitHub = SarifLimits(resultsPerRun: 25_000, runsPerFile: 20, locationsPerResult: 1_000,
                                           tagsPerRule: 20, bytesPerFile: 64 * 1_048_576)
}

/// Which run each result goes to: by a hash of the finding's place modulo the number of runs,
/// so the assignment does not depend on what else was found.
enum SarifPartition {
    /// How often the runs are re-cut to bring the largest under the byte limit.
    static let maxAttempts = 8

    /// Finding indexes per run, in report order: hashed into the fewest runs from `runs` on
    /// that keep each within the result limit, or (if hashing keeps missing) cut in order.
    static func members(hashes: [UInt64], runs: Int, limits: SarifLimits) -> [[Int]] {
        let first = max(1, runs)
        for count in first...(first * 2 + 16) {
            if let buckets = hashed(hashes, into: count, limit: limits.resultsPerRun) { return buckets }
        }
        let size = max(1, min(limits.resultsPerRun, (hashes.count + first - 1) / first))
        return stride(from: 0, to: hashes.count, by: size).map { Array($0..<min($0 + size, hashes.count)) }
    }

    private static func hashed(_ hashes: [UInt64], into runs: Int, limit: Int) -> [[Int]]? {
        guard runs > 1 else { return hashes.count <= limit ? [Array(hashes.indices)] : nil }
        var buckets = Array(repeating: [Int](), count: runs)
        for (index, hash) in hashes.enumerated() {
            buckets[Int(hash % UInt64(runs))].append(index)
        }
        guard buckets.allSatisfy({ $0.count <= limit }) else { return nil }
        return buckets.filter { !$0.isEmpty }
    }

    /// The fewest runs that could hold `results`.
    static func initialRunCount(results: Int, limits: SarifLimits) -> Int {
        max(1, (results + limits.resultsPerRun - 1) / limits.resultsPerRun)
    }
}
