import CustosCore

/// `custos report --by-owner`: a scan's findings as a people report — one section per owner,
/// the most urgent first, with their identities, how to revoke, the shared credentials and the
/// authority gap by identity — written by the people-report writers as Markdown and as a
/// self-contained HTML page.
public struct OwnerReport {
    public let report: PeopleReport
    public let records: [FindingRecord]

    public init(_ result: ScanResult, context: ReportContext, today: IsoDay = .today) {
        records = FindingRecord.records(from: result.findings, confidence: context.confidence(of:), seen: today)
        var report = PeopleReport(title: "custos findings by owner")
        let files = Set(result.findings.map(\.origin.artifactPath)).count
        report.lede = ["\(records.count) secret\(records.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s") on \(today), most urgent first (triage: severity, exposure, blast radius, revocation impact)."]
        report.figures = [PeopleReport.Figure("findings", "\(records.count)")] + PeopleReport.governanceFigures(records)
        report.add(records: records, rules: context.rules, governance: records.contains { !$0.verdicts.isEmpty })
        self.report = report
    }

    public var sections: [PeopleReport.Section] { report.sections }

    public func markdown() -> String { report.markdown() }

    public func html() -> String { report.html() }
}
