import CustosCore
import Foundation

/// The report for people built from a sweep state: one section per owner with their open
/// findings (where, since when, how to revoke, whom to escalate to), the figures plant
/// security is asked for, and a chart of the sweeps held in the state.
///
/// The HTML page is self-contained (inline CSS and SVG, no script, no network), so it opens
/// from a share or as an e-mail attachment. The state holds no secrets, so neither does this.
public struct SweepReport: Sendable {
    /// The figures asked for in every review.
    public struct Summary: Sendable, Hashable {
        public var open: Int
        public var withOwner: Int
        public var withRevocationAuthority: Int
        public var shared: [SharedCredential]
        /// Days since the oldest open finding was first seen; nil with none open.
        public var oldestOpenDays: Int?
        public var oldestOpenSince: Date?

        /// Percent of `part` in the open findings (0 with none).
        public func share(_ part: Int) -> Int { open == 0 ? 0 : Int((Double(part) * 100 / Double(open)).rounded()) }
    }

    /// One secret found at two or more places (registry sites, else roots).
    public struct SharedCredential: Sendable, Hashable {
        public var secretRedacted: String
        public var rules: [String]
        public var places: [String]
        public var locations: Int
    }

    /// One owner's open findings ("" for nobody registered).
    public struct Section: Sendable, Hashable {
        public var owner: String
        public var findings: [OpenFinding]
    }

    public let history: SweepHistory
    public let summary: Summary
    public let sections: [Section]
    /// Show the governance figures (off with --no-governance).
    public let governance: Bool
    let now: Date

    public init(_ history: SweepHistory, governance: Bool = true, now: Date = Date()) {
        self.history = history
        self.governance = governance
        self.now = now
        let open = history.openFindings
        var bySecret: [String: [OpenFinding]] = [:]
        for finding in open { bySecret[finding.secretSHA256, default: []].append(finding) }
        let shared = bySecret.values.compactMap { group -> SharedCredential? in
            let places = Set(group.flatMap { $0.locations.map(\.place) })
            guard places.count >= 2 else { return nil }
            return SharedCredential(secretRedacted: group[0].secretRedacted, rules: Set(group.map(\.ruleID)).sorted(),
                                    places: places.sorted(), locations: group.reduce(0) { $0 + $1.locations.count })
        }.sorted { ($0.places.count, $1.secretRedacted) > ($1.places.count, $0.secretRedacted) }
        let oldest = open.map(\.firstSeen).min()
        summary = Summary(
            open: open.count,
            withOwner: open.filter { $0.ownership?.owner != nil }.count,
            withRevocationAuthority: open.filter { $0.ownership?.revocationAuthority != nil }.count,
            shared: shared,
            oldestOpenDays: oldest.map { max(0, Int(now.timeIntervalSince($0) / 86_400)) },
            oldestOpenSince: oldest)
        let grouped = Dictionary(grouping: open) { $0.ownership?.owner ?? "" }
        sections = grouped.keys.sorted().map { owner in
            // What is new comes first, then what came back, then what is still open, oldest first.
            Section(owner: owner, findings: (grouped[owner] ?? []).sorted {
                (Self.rank($0.status), $0.firstSeen, $0.locations.first?.path ?? "")
                    < (Self.rank($1.status), $1.firstSeen, $1.locations.first?.path ?? "")
            })
        }
    }

    static func rank(_ status: FindingStatus) -> Int {
        switch status {
        case .new: 0
        case .reopened: 1
        case .open, .resolved: 2
        }
    }

    static func title(_ owner: String) -> String { owner.isEmpty ? "No registered owner" : owner }

    /// Who may revoke and how, in one sentence.
    static func revocation(_ ownership: Ownership?) -> String {
        guard let ownership, ownership.attributedBy != .none else {
            return "Nobody is registered: find who issued it (the provider's audit log names the account), revoke it there, then register its owner and revocation authority."
        }
        guard let authority = ownership.revocationAuthority else {
            return "Nobody is named who may revoke it: agree on a revocation authority with \(ownership.owner ?? "the owner") first."
        }
        return "Ask \(authority) to revoke it" + (ownership.revocationProcedure.map { " following \($0)" } ?? "") + "."
    }

    static func escalation(_ ownership: Ownership?) -> String {
        guard let ownership else { return "plant security" }
        var people = ownership.escalation
        if people.isEmpty, let contact = ownership.contact { people = [contact] }
        return people.isEmpty ? "plant security" : people.joined(separator: " → ")
    }

    static func day(_ date: Date) -> String { IsoDayText.day(date) }

    /// The figures plant security is asked for, as (figure, value) rows for either format.
    var figures: [(String, String)] {
        var rows = [("open findings", "\(summary.open)")]
        if governance {
            rows += [
                ("with a known owner", "\(summary.withOwner) (\(summary.share(summary.withOwner)) %)"),
                ("with a named revocation authority",
                 "\(summary.withRevocationAuthority) (\(summary.share(summary.withRevocationAuthority)) %)"),
                ("identity authority gap (nobody may revoke)", "\(summary.open - summary.withRevocationAuthority)"),
                ("shared credentials", "\(summary.shared.count)"),
            ]
        }
        rows.append(("oldest open finding",
                     summary.oldestOpenDays.map { "\($0) days (since \(Self.day(summary.oldestOpenSince!)))" } ?? "none"))
        return rows
    }

    // MARK: Markdown

    public func markdown() -> String {
        var out = "# custos sweep report\n\n"
        if let last = history.sweeps.last {
            out += "Sweep \(last.id) of \(Self.day(last.startedAt)): \(last.new) new, \(summary.open) open, \(last.resolved) resolved, \(last.reopened) reopened; \(SweepProgress.grouped(last.filesSeen)) files, \(SweepProgress.grouped(last.filesScanned)) read, \(last.errors) errors.\n\n"
        }
        out += "## Summary\n\n"
        out += "| figure | value |\n|---|---|\n"
        for (figure, value) in figures { out += "| \(figure) | \(value) |\n" }
        out += "\n"
        if governance && !summary.shared.isEmpty {
            out += "### Shared credentials\n\n| secret | rules | sites | places |\n|---|---|---|---|\n"
            for shared in summary.shared {
                out += "| `\(shared.secretRedacted)` | \(shared.rules.joined(separator: ", ")) | \(shared.places.count): \(shared.places.joined(separator: ", ")) | \(shared.locations) |\n"
            }
            out += "\n"
        }
        out += "### Sweeps\n\n| sweep | date | new | open | resolved | reopened |\n|---|---|---|---|---|---|\n"
        for sweep in history.sweeps.suffix(30) {
            out += "| \(sweep.id) | \(Self.day(sweep.startedAt)) | \(sweep.new) | \(sweep.open) | \(sweep.resolved) | \(sweep.reopened) |\n"
        }
        out += "\n"
        for section in sections {
            out += "## \(Self.title(section.owner))\n\n"
            out += "| status | rule | secret | where | first seen | how to revoke | escalate to |\n|---|---|---|---|---|---|---|\n"
            for finding in section.findings {
                let places = finding.locations.map { "`\($0.path):\($0.line)`" }.joined(separator: "<br>")
                out += "| \(finding.status.rawValue) | \(finding.ruleID) | `\(finding.secretRedacted)` | \(places) | \(Self.day(finding.firstSeen)) | \(Self.revocation(finding.ownership)) | \(Self.escalation(finding.ownership)) |\n"
            }
            out += "\n"
        }
        if !history.problems.isEmpty {
            out += "## Could not be read\n\n"
            for problem in history.problems { out += "- `\(problem.path)`: \(problem.message)\n" }
            out += "\n"
        }
        return out
    }

    // MARK: HTML

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public func html() -> String {
        let e = Self.escape
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>custos sweep report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;max-width:75em;color:#222}
            h2{border-bottom:2px solid #555;padding-bottom:.2em;margin-top:1.6em}
            table{border-collapse:collapse;width:100%;margin:.5em 0}
            td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}
            th{background:#eee}code{background:#f4f4f4;padding:0 .2em;word-break:break-all}
            .gap{color:#a00}.status{font-weight:600;text-transform:uppercase;font-size:.75em}
            .new{color:#b00}.reopened{color:#c60}.open{color:#555}
            .figures{width:auto}.figures td:last-child{font-weight:600}
            </style></head><body>
            <h1>custos sweep report</h1>

            """
        if let last = history.sweeps.last {
            out += "<p>Sweep \(last.id) of \(Self.day(last.startedAt)): <b>\(last.new) new</b>, \(summary.open) open, \(last.resolved) resolved, \(last.reopened) reopened; \(SweepProgress.grouped(last.filesSeen)) files, \(SweepProgress.grouped(last.filesScanned)) read, \(last.errors) errors.</p>\n"
        }
        out += "<h2>Summary</h2>\n<table class=\"figures\">\n"
        for (figure, value) in figures { out += "<tr><td>\(e(figure))</td><td>\(e(value))</td></tr>\n" }
        out += "</table>\n"
        if governance && !summary.shared.isEmpty {
            out += "<h3>Shared credentials</h3>\n<table><tr><th>secret</th><th>rules</th><th>sites</th><th>places</th></tr>\n"
            for shared in summary.shared {
                out += "<tr><td><code>\(e(shared.secretRedacted))</code></td><td>\(e(shared.rules.joined(separator: ", ")))</td><td>\(shared.places.count): \(e(shared.places.joined(separator: ", ")))</td><td>\(shared.locations)</td></tr>\n"
            }
            out += "</table>\n"
        }
        out += "<h3>Findings over the sweeps</h3>\n" + SweepChart(sweeps: Array(history.sweeps.suffix(30))).svg() + "\n"
        for section in sections {
            out += "<section><h2\(section.owner.isEmpty ? " class=\"gap\"" : "")>\(e(Self.title(section.owner)))</h2>\n"
            if let ownership = section.findings.first?.ownership, ownership.attributedBy != .none, let contact = ownership.contact {
                out += "<p>Contact: \(e(contact))</p>\n"
            }
            out += "<table><tr><th>status</th><th>rule</th><th>secret</th><th>where</th><th>first seen</th><th>how to revoke</th><th>escalate to</th></tr>\n"
            for finding in section.findings {
                let places = finding.locations.map { "<code>\(e($0.path)):\($0.line)</code>" }.joined(separator: "<br>")
                out += "<tr><td class=\"status \(e(finding.status.rawValue))\">\(e(finding.status.rawValue))</td><td>\(e(finding.ruleID))</td><td><code>\(e(finding.secretRedacted))</code></td><td>\(places)</td><td>\(Self.day(finding.firstSeen))</td><td>\(e(Self.revocation(finding.ownership)))</td><td>\(e(Self.escalation(finding.ownership)))</td></tr>\n"
            }
            out += "</table></section>\n"
        }
        if !history.problems.isEmpty {
            out += "<h2>Could not be read</h2>\n<ul>\n"
            for problem in history.problems { out += "<li><code>\(e(problem.path))</code>: \(e(problem.message))</li>\n" }
            out += "</ul>\n"
        }
        return out + "</body></html>\n"
    }
}

/// A small line chart of open, new and resolved findings per sweep, as inline SVG.
struct SweepChart {
    var sweeps: [SweepRecord]

    static let width = 640.0
    static let height = 220.0
    static let margin = (left: 44.0, right: 110.0, top: 12.0, bottom: 30.0)
    static let series: [(name: String, color: String, value: @Sendable (SweepRecord) -> Int)] = [
        ("open", "#555555", { $0.open }), ("new", "#bb0000", { $0.new }), ("resolved", "#2a7d2a", { $0.resolved }),
    ]

    func svg() -> String {
        let plotWidth = Self.width - Self.margin.left - Self.margin.right
        let plotHeight = Self.height - Self.margin.top - Self.margin.bottom
        let top = max(1, sweeps.map { max($0.open, $0.new, $0.resolved) }.max() ?? 1)
        func x(_ index: Int) -> Double {
            Self.margin.left + (sweeps.count < 2 ? plotWidth / 2 : plotWidth * Double(index) / Double(sweeps.count - 1))
        }
        func y(_ value: Int) -> Double { Self.margin.top + plotHeight * (1 - Double(value) / Double(top)) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"open, new and resolved findings per sweep\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect x=\"\(f(Self.margin.left))\" y=\"\(f(Self.margin.top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n"
        for tick in [0, top / 2, top] {
            out += "<text x=\"\(f(Self.margin.left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(tick)</text>\n"
        }
        for (index, sweep) in sweeps.enumerated() where sweeps.count <= 10 || index % max(1, sweeps.count / 8) == 0 || index == sweeps.count - 1 {
            out += "<text x=\"\(f(x(index)))\" y=\"\(f(Self.height - 10))\" text-anchor=\"middle\">#\(sweep.id)</text>\n"
        }
        for (number, series) in Self.series.enumerated() {
            let points = sweeps.enumerated().map { "\(f(x($0.offset))),\(f(y(series.value($0.element))))" }.joined(separator: " ")
            if sweeps.count > 1 {
                out += "<polyline fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            }
            for (index, sweep) in sweeps.enumerated() {
                out += "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(series.value(sweep))))\" r=\"3\" fill=\"\(series.color)\"><title>sweep \(sweep.id): \(series.value(sweep)) \(series.name)</title></circle>\n"
            }
            let legendY = Self.margin.top + 14 + Double(number) * 18
            out += "<rect x=\"\(f(Self.width - Self.margin.right + 14))\" y=\"\(f(legendY - 9))\" width=\"12\" height=\"12\" fill=\"\(series.color)\"/>"
            out += "<text x=\"\(f(Self.width - Self.margin.right + 32))\" y=\"\(f(legendY + 1))\">\(series.name)</text>\n"
        }
        return out + "</svg>"
    }
}

extension SweepReport {
    /// File names the report is written under.
    public static let htmlName = "sweep-report.html"
    public static let markdownName = "sweep-report.md"

    /// Writes both pages into `directory` (created when missing); returns their paths.
    public func write(toDirectory directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let html = (directory as NSString).appendingPathComponent(Self.htmlName)
        let markdown = (directory as NSString).appendingPathComponent(Self.markdownName)
        try self.html().write(toFile: html, atomically: true, encoding: .utf8)
        try self.markdown().write(toFile: markdown, atomically: true, encoding: .utf8)
        return [html, markdown]
    }
}
