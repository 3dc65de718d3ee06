import CustosCore

/// What every reporter needs besides the findings: the rules (for names and help) and how
/// to show secrets.
public struct ReportContext: Sendable {
    public var rules: RuleCatalog
    public var display: SecretDisplay
    public var toolVersion: String
    /// The repository a history or diff scan read, for SARIF's versionControlProvenance.
    public var repository: RepositoryInfo?

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
}

/// Renders a scan result in one format.
public protocol Reporter {
    func render(_ result: ScanResult, context: ReportContext) -> String
}

extension ReportFormat {
    /// The reporter for this format; `color` only matters for text.
    public func reporter(color: Bool) -> any Reporter {
        switch self {
        case .text: TextReporter(color: color)
        case .json: JSONReporter(lines: false)
        case .jsonl: JSONReporter(lines: true)
        case .sarif: SarifReporter()
        }
    }
}
