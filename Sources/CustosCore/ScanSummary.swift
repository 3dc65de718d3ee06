import Foundation

/// What kind of problem a warning reports, so code decides on kinds, never on wording.
public enum WarningKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A file could not be opened or read (permission denied, I/O error).
    case unreadable
    /// A file disappeared between listing and reading.
    case vanished
    /// A folder could not be listed: everything below it went unseen.
    case unlistedFolder = "unlisted-folder"
    /// A scan root does not exist or cannot be opened.
    case missingRoot = "missing-root"
    /// A decoder stopped at one of its limits (size, members, depth, ratio, time).
    case limitExceeded = "limit-exceeded"
    /// Content that claims a format but breaks it (a damaged archive, a corrupt database).
    case malformed
    /// Content that is encrypted with a key custos does not have.
    case encrypted
    /// Git history custos could not see whole (shallow clone, missing objects, unreachable base).
    case incompleteHistory = "incomplete-history"
    /// A git object could not be read.
    case unreadableObject = "unreadable-object"
    /// Content stored elsewhere (a Git LFS pointer, a submodule).
    case storedElsewhere = "stored-elsewhere"
    /// A configuration or selection problem (a rule selector naming nothing).
    case configuration
}

/// Something that went wrong with one input while the scan went on.
public struct ScanWarning: Sendable, Hashable, Codable {
    public var kind: WarningKind
    public var path: String
    public var message: String

    public init(_ kind: WarningKind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// Whether the warning means part of what was asked went unseen (the scan saw less than
    /// it was asked to), which CI must not take for a clean result.
    public var meansIncompleteScan: Bool {
        switch kind {
        case .missingRoot, .unlistedFolder, .incompleteHistory, .unreadableObject: true
        case .unreadable, .vanished, .limitExceeded, .malformed, .encrypted, .storedElsewhere, .configuration: false
        }
    }
}

/// Counts that describe a finished scan.
public struct ScanSummary: Sendable, Hashable, Codable {
    public var filesScanned: Int = 0
    public var bytesScanned: Int = 0
    public var filesSkippedBinary: Int = 0
    public var filesSkippedExcluded: Int = 0
    public var filesSkippedTooLarge: Int = 0
    /// Findings held back for being below the reported confidence (`--min-confidence`).
    public var findingsBelowConfidence: Int = 0
    public var rulesLoaded: Int = 0
    public var findings: Int = 0
    public var warnings: Int = 0
    public var seconds: Double = 0

    public init() {}

    public mutating func add(_ other: ScanSummary) {
        filesScanned += other.filesScanned
        bytesScanned += other.bytesScanned
        filesSkippedBinary += other.filesSkippedBinary
        filesSkippedExcluded += other.filesSkippedExcluded
        filesSkippedTooLarge += other.filesSkippedTooLarge
        findingsBelowConfidence += other.findingsBelowConfidence
        findings += other.findings
        warnings += other.warnings
    }
}

/// Everything a reporter needs: it never re-reads files.
public struct ScanResult: Sendable {
    public var findings: [Finding]
    public var warnings: [ScanWarning]
    public var summary: ScanSummary

    public init(findings: [Finding], warnings: [ScanWarning], summary: ScanSummary) {
        self.findings = findings
        self.warnings = warnings
        self.summary = summary
    }
}

extension ScanResult {
    /// Adds another part of the same scan (one worker's results).
    public mutating func merge(_ other: ScanResult) {
        findings += other.findings
        warnings += other.warnings
        summary.add(other.summary)
    }

    /// Puts findings in report order without repeats, applies generic precedence across
    /// everything the scan found (`GenericPrecedence`: the engine does it within one buffer;
    /// this catches findings decoders added after the scan), masks every secret found in a
    /// blob in the snippets of that blob, sorts warnings, and fills in the counts: the last
    /// step of every kind of scan, so all of them report alike.
    /// `gate` decides which findings are reported (after every secret is masked in the
    /// snippets, held-back ones included).
    public func finalized(rules: Int, genericRules: Set<String> = [], gate: ConfidenceGate = .reportAll,
                          since started: Date) -> ScanResult {
        var result = self
        var seen = Set<String>()
        result.findings = GenericPrecedence.apply(to: findings, genericRules: genericRules)
            .sorted(by: Finding.reportOrder).filter { finding in
                seen.insert("\(finding.ruleID)\u{0}\(finding.path)\u{0}\(finding.byteStart)\u{0}\(finding.fingerprint.hex)\u{0}\(finding.git?.blob ?? "")").inserted
            }
        SnippetMasking.apply(to: &result.findings)
        result.summary.findingsBelowConfidence += gate.apply(to: &result.findings)
        result.warnings.sort { $0.path != $1.path ? $0.path < $1.path : $0.message < $1.message }
        result.summary.findings = result.findings.count
        result.summary.warnings = result.warnings.count
        result.summary.rulesLoaded = rules
        result.summary.seconds = Date().timeIntervalSince(started)
        return result
    }
}
