import Foundation

/// Something that went wrong with one input while the scan went on.
public struct ScanWarning: Sendable, Hashable, Codable {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// Counts that describe a finished scan.
public struct ScanSummary: Sendable, Hashable, Codable {
    public var filesScanned: Int = 0
    public var bytesScanned: Int = 0
    public var filesSkippedBinary: Int = 0
    public var filesSkippedExcluded: Int = 0
    public var filesSkippedTooLarge: Int = 0
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
    /// Puts findings in report order without repeats, sorts warnings, and fills in the counts:
    /// the last step of every kind of scan, so all of them report alike. A finding of a rule in
    /// `genericRules` gives way to another rule's finding over the same bytes of the same file
    /// (the engine does this within one buffer; this catches findings made after the scan,
    /// such as decrypted or decoded credentials).
    public func finalized(rules: Int, genericRules: Set<String> = [], since started: Date) -> ScanResult {
        var result = self
        var seen = Set<String>()
        var specific: [String: [Range<Int>]] = [:]
        if !genericRules.isEmpty {
            for finding in findings where !genericRules.contains(finding.ruleID) {
                specific["\(finding.path)\u{0}\(finding.git?.blob ?? "")", default: []].append(finding.byteStart..<max(finding.byteEnd, finding.byteStart + 1))
            }
        }
        result.findings = findings.sorted(by: Finding.reportOrder).filter { finding in
            if genericRules.contains(finding.ruleID),
               let ranges = specific["\(finding.path)\u{0}\(finding.git?.blob ?? "")"],
               ranges.contains(where: { $0.overlaps(finding.byteStart..<max(finding.byteEnd, finding.byteStart + 1)) }) {
                return false
            }
            return seen.insert("\(finding.ruleID)\u{0}\(finding.path)\u{0}\(finding.byteStart)\u{0}\(finding.fingerprint.hex)\u{0}\(finding.git?.blob ?? "")").inserted
        }
        result.warnings.sort { $0.path != $1.path ? $0.path < $1.path : $0.message < $1.message }
        result.summary.findings = result.findings.count
        result.summary.warnings = result.warnings.count
        result.summary.rulesLoaded = rules
        result.summary.seconds = Date().timeIntervalSince(started)
        return result
    }
}
