import CustosCore
import Foundation

/// What every reporter needs besides the findings: the rules (for names and help) and how
/// to show secrets.
public struct ReportContext: Sendable {
    public var rules: RuleCatalog
    public var display: SecretDisplay
    public var toolVersion: String
    /// The repository a history or diff scan read, for SARIF's versionControlProvenance and the
    /// commit GitLab's secret-detection report requires for every finding.
    public var repository: RepositoryInfo?
    /// The roots the scan was given (for `git`, the repository's working tree), as typed.
    /// Reports that name files relative to a source root (SARIF's `%SRCROOT%`, GitLab) make a
    /// path under absolute roots relative to the roots' common folder; relative paths stay as
    /// they are, relative to the folder custos ran in. Empty: paths are reported as found.
    public var roots: [String] = []
    /// When the scan finished; GitLab's report requires start and end times (the start is
    /// this less the summary's seconds). Nil renders the Unix epoch, so that tests that
    /// compare bytes do not depend on the clock.
    public var finishedAt: Date?

    public init(rules: [RuleInfo], display: SecretDisplay, toolVersion: String) {
        self.rules = RuleCatalog(rules)
        self.display = display
        self.toolVersion = toolVersion
    }

    func ruleName(_ id: String) -> String { rules[id]?.name ?? id }
    func confidence(_ id: String) -> Confidence { rules[id]?.confidence ?? .medium }
    func confidence(of finding: Finding) -> Confidence { finding.confidenceOverride ?? confidence(finding.ruleID) }
}

/// The repository a report is about.
public struct RepositoryInfo: Sendable {
    public var uri: String?
    public var revision: String?
    public var branch: String?

    public init(uri: String?, revision: String?, branch: String?) {
        self.uri = uri
        self.revision = revision
        self.branch = branch
    }
}

/// The output formats custos writes.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, jsonl, sarif
    /// GitLab's secret-detection report (`gl-secret-detection-report.json`).
    case gitlab
    /// GitLab Code Quality (Code Climate issues as one JSON array).
    case codequality
    /// JUnit XML: one test case per finding, grouped by file.
    case junit
    /// Comma-separated values (RFC 4180), one row per finding.
    case csv
}

/// Renders a scan result in one format.
public protocol Reporter {
    func render(_ result: ScanResult, context: ReportContext) -> String
}

/// A reporter whose output may need several files to stay within what its consumer accepts
/// (SARIF past GitHub's per-file limits). `render` still gives one document holding
/// everything, for standard output.
public protocol SplittingReporter: Reporter {
    /// The documents to write, in order: the first to the path the user named, the others
    /// to `ReportFileNames.part(_:of:)`.
    func renderFiles(_ result: ScanResult, context: ReportContext) -> [String]
}

extension ReportFormat {
    /// The reporter for this format; `color` only matters for text.
    public func reporter(color: Bool) -> any Reporter {
        switch self {
        case .text: TextReporter(color: color)
        case .json: JSONReporter(lines: false)
        case .jsonl: JSONReporter(lines: true)
        case .sarif: SarifReporter()
        case .gitlab: GitLabSecretDetectionReporter()
        case .codequality: CodeQualityReporter()
        case .junit: JUnitReporter()
        case .csv: CSVReporter()
        }
    }

    /// The documents this format writes for `result`: one, or several for a splitting
    /// reporter whose output is over its consumer's limits.
    public func files(_ result: ScanResult, context: ReportContext) -> [String] {
        let reporter = reporter(color: false)
        if let splitting = reporter as? any SplittingReporter {
            return splitting.renderFiles(result, context: context)
        }
        return [reporter.render(result, context: context)]
    }
}

/// Names of the further files a split report is written to: `custos.sarif` is followed by
/// `custos-2.sarif`, `custos-3.sarif`, … beside it (the number goes before the last
/// extension; a name without one gets `-2` appended).
public enum ReportFileNames {
    /// The path of part `index` (1-based) of a report the user asked to write to `path`.
    public static func part(_ index: Int, of path: String) -> String {
        guard index > 1 else { return path }
        let slash = path.lastIndex(of: "/")
        let nameStart = slash.map { path.index(after: $0) } ?? path.startIndex
        if let dot = path[nameStart...].lastIndex(of: "."), dot > nameStart {
            return String(path[..<dot]) + "-\(index)" + String(path[dot...])
        }
        return path + "-\(index)"
    }
}
