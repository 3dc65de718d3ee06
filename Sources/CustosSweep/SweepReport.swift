import CustosCore
import CustosOwners
import CustosReport
import Foundation

/// The report for people built from a sweep state: the figures plant security is asked for,
/// the authority gap by identity, the shared credentials, a chart of the sweeps, and one
/// section per owner with their open findings in triage order (where, since when, verdicts,
/// how to revoke, whom to escalate to). Built as a `PeopleReport`, so it reads and renders like
/// every other people report.
///
/// The HTML page is self-contained (inline CSS and SVG, no script, no network), so it opens
/// from a share or as an e-mail attachment. The state holds no secrets, so neither does this.
public struct SweepReport: Sendable {
    /// The figures asked for in every review.
    public struct Summary: Sendable, Hashable {
        public var open: Int
        public var withOwner: Int
        public var withRevocationAuthority: Int
        public var shared: [PeopleReport.SharedCredential]
        /// Days since the oldest open finding was first seen; nil with none open.
        public var oldestOpenDays: Int?
        public var oldestOpenSince: Date?

        /// Percent of `part` in the open findings (0 with none).
        public func share(_ part: Int) -> Int { open == 0 ? 0 : Int((Double(part) * 100 / Double(open)).rounded()) }
    }

    public let history: SweepHistory
    public let summary: Summary
    /// The open findings, judged on the report's day.
    public let records: [FindingRecord]
    public let report: PeopleReport
    /// Show the governance figures and verdicts (off with --no-governance).
    public let governance: Bool

    /// `judge` gives the verdicts (its day judges expiry and access windows); `rules` name
    /// the rules and give their confidence.
    public init(_ history: SweepHistory, governance: Bool = true, now: Date = Date(),
                judge: GovernanceJudge? = nil, rules: RuleCatalog = RuleCatalog([])) {
        self.history = history
        self.governance = governance
        let today = IsoDay(IsoDayText.day(now)) ?? .today
        var records = history.records
        for index in records.indices { records[index].confidence = rules[records[index].ruleID]?.confidence }
        records = (judge ?? GovernanceJudge(today: today)).judge(records, governance: governance)
        self.records = records
        let oldest = history.openFindings.map(\.firstSeen).min()
        let summary = Summary(
            open: records.count,
            withOwner: records.filter { $0.ownership?.owner != nil }.count,
            withRevocationAuthority: records.filter { $0.ownership?.hasRevoker == true }.count,
            shared: PeopleReport.shared(records),
            oldestOpenDays: oldest.map { max(0, Int(now.timeIntervalSince($0) / 86_400)) },
            oldestOpenSince: oldest)
        self.summary = summary

        var report = PeopleReport(title: "custos sweep report")
        if let last = history.sweeps.last {
            report.lede = ["Sweep \(last.id) of \(IsoDayText.day(last.startedAt)): \(last.new) new, \(summary.open) open, \(last.resolved) resolved, \(last.reopened) reopened; \(SweepProgress.grouped(last.filesSeen)) files, \(SweepProgress.grouped(last.filesScanned)) read, \(last.errors) errors. Most urgent first (triage: severity, exposure, blast radius, revocation impact)."]
        }
        report.figures = [PeopleReport.Figure("open findings", "\(summary.open)")]
        if governance {
            report.figures += PeopleReport.governanceFigures(records)
            report.figures.append(PeopleReport.Figure("shared credentials", "\(summary.shared.count)"))
        }
        report.figures.append(PeopleReport.Figure("oldest open finding",
            summary.oldestOpenDays.map { "\($0) days (since \(IsoDayText.day(summary.oldestOpenSince!)))" } ?? "none"))
        report.timeline = history.sweeps.suffix(30).map {
            PeopleReport.TimelinePoint(sweep: $0.id, day: IsoDayText.day($0.startedAt), open: $0.open, new: $0.new,
                                       resolved: $0.resolved, reopened: $0.reopened)
        }
        report.add(records: records, rules: rules, governance: governance)
        report.problems = history.problems.map { PeopleReport.Problem(path: $0.path, message: $0.message) }
        self.report = report
    }

    public var sections: [PeopleReport.Section] { report.sections }

    public func markdown() -> String { report.markdown() }

    public func html() -> String { report.html() }
}

extension SweepReport {
    /// File names the report is written under.
    public static let htmlName = "sweep-report.html"
    public static let markdownName = "sweep-report.md"

    /// Writes both pages into `directory` (created when missing); returns their paths.
    public func write(toDirectory directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let html = PathText.join(directory, Self.htmlName)
        let markdown = PathText.join(directory, Self.markdownName)
        try self.html().write(toFile: html, atomically: true, encoding: .utf8)
        try self.markdown().write(toFile: markdown, atomically: true, encoding: .utf8)
        return [html, markdown]
    }
}
