import CustosCore
import Foundation

// The two writers of `PeopleReport`: Markdown (for mail, tickets and wikis) and one
// self-contained HTML page (inline CSS and SVG, no script, no network: it opens from a share
// or as an e-mail attachment). Both walk the model in the same order, so they always tell the
// same story; escaping happens here and nowhere else.

extension PeopleReport {
    /// The identity card of one ownership block as (field, value) rows, for either writer.
    static func card(_ ownership: Ownership) -> [(String, String)] {
        var rows: [(String, String)] = []
        if let id = ownership.identityID {
            rows.append(("identity", id + (ownership.kind.map { " (\($0.rawValue))" } ?? "")
                         + (ownership.identityDescription.map { ": \($0)" } ?? "")))
        } else if ownership.attributedBy == .codeowners {
            rows.append(("identity", "none registered; owner from CODEOWNERS"))
        }
        if let owner = ownership.owner { rows.append(("owner", owner + (ownership.secondaryOwner.map { "; secondary: \($0)" } ?? ""))) }
        if let contact = ownership.contact { rows.append(("contact", contact)) }
        for (role, person) in ownership.roles.named { rows.append((role, person)) }
        rows.append(("may revoke", (ownership.revoker ?? "nobody named") + (ownership.revocationProcedure.map { " — \($0)" } ?? "")))
        if let impact = ownership.revocationImpact {
            var text = impact.rawValue + ": " + impact.meaning
            if let fallback = ownership.fallback { text += " Fallback: \(fallback)." }
            rows.append(("revocation impact", text))
        }
        if !ownership.keepReachable.isEmpty { rows.append(("keep reachable", ownership.keepReachable.joined(separator: ", "))) }
        if !ownership.supports.isEmpty { rows.append(("depends on it", ownership.supports.joined(separator: ", "))) }
        if !ownership.escalation.isEmpty { rows.append(("escalation", ownership.escalation.joined(separator: " → "))) }
        if !ownership.sites.isEmpty { rows.append(("sites", ownership.sites.joined(separator: ", "))) }
        if let vendor = ownership.vendor { rows.append(("vendor", vendor)) }
        rows.append(("expiry", RevocationWording.expiry(ownership) ?? "no expiry or rotation date registered"))
        if let access = ownership.access { rows.append(("access window", access.description)) }
        if ownership.kind == .breakGlass { rows.append(("break-glass", "any finding is critical; rotate it after every use")) }
        return rows
    }

    /// The places of an item, one per line: `path:line (site, now|until …)`.
    static func places(_ item: Item) -> [String] {
        item.record.places.map { place in
            var notes = [place.site].filter { !$0.isEmpty }
            if !place.current { notes.append("gone" + (place.lastSeen.map { ", last seen \($0)" } ?? "")) }
            if let commit = place.commit { notes.append("commit \(commit.prefix(12))") }
            return "\(place.path):\(place.line)" + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))")
        }
    }

    /// `Act first: F-… github-classic-pat at path:line — triage 95 (break-glass, shared at 3 places)`.
    static func actFirst(_ item: Item) -> String {
        let place = item.record.places.first.map { "\($0.path):\($0.line)" } ?? ""
        let labels = item.labels.isEmpty ? "" : "; " + item.labels.joined(separator: ", ")
        return "Act first: \(item.id) \(item.record.ruleID) at \(place) — triage \(item.record.triage.total), \(item.record.severity.rawValue)\(labels)"
    }

    // MARK: Markdown

    public func markdown() -> String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "# \(title)\n\n"
        for sentence in lede { out += sentence + "\n\n" }
        if !plan.isEmpty {
            out += "## What to do, in order\n\n"
            for (number, step) in plan.enumerated() {
                out += "### \(number + 1). \(step.title)\n\n"
                for action in step.actions { out += "- [ ] \(action)\n" }
                out += "\n"
            }
        }
        if !figures.isEmpty {
            out += "## Summary\n\n| figure | value |\n|---|---|\n"
            for figure in figures { out += "| \(cell(figure.name)) | \(cell(figure.value)) |\n" }
            out += "\n"
        }
        if !authorityGap.isEmpty {
            out += "### Identity authority gap: nobody may revoke\n\n"
            for entry in authorityGap {
                out += "- **\(entry.identity)**" + (entry.owner.map { " (owner \($0))" } ?? "") + ": \(entry.reason)\n"
                for finding in entry.findings { out += "  - `\(finding)`\n" }
            }
            out += "\n"
        }
        if !shared.isEmpty {
            out += "### Shared credentials (revoking one affects every place)\n\n| secret | rules | sites | places |\n|---|---|---|---|\n"
            for credential in shared {
                out += "| `\(credential.secret)` | \(credential.rules.joined(separator: ", ")) | \(credential.sites.count): \(credential.sites.joined(separator: ", ")) | \(credential.places) |\n"
            }
            out += "\n"
        }
        if !timeline.isEmpty {
            out += "### Sweeps\n\n| sweep | date | new | open | resolved | reopened |\n|---|---|---|---|---|---|\n"
            for point in timeline { out += "| \(point.sweep) | \(point.day) | \(point.new) | \(point.open) | \(point.resolved) | \(point.reopened) |\n" }
            out += "\n"
        }
        for section in sections {
            out += "## \(section.title)\n\n"
            if let first = section.mostUrgent { out += "**\(Self.actFirst(first))**\n\n" }
            for ownership in section.identities {
                for (field, value) in Self.card(ownership) { out += "**\(field.prefix(1).uppercased() + field.dropFirst())** \(value)  \n" }
                out += "\n"
            }
            out += "| triage | id | rule | secret | verdicts | where | first seen | status |\n|---|---|---|---|---|---|---|---|\n"
            for item in section.items {
                let places = Self.places(item).map { "`\(cell($0))`" }.joined(separator: "<br>")
                out += "| \(item.record.triage.total) \(item.record.severity.rawValue) | \(item.id) | \(item.record.ruleID) | `\(item.record.secretRedacted)` | \(item.labels.joined(separator: ", ")) | \(places) | \(item.record.firstSeenText) | \(item.record.status?.rawValue ?? "found") |\n"
            }
            out += "\n**How to revoke**\n\n"
            for (number, step) in RevocationWording.steps(section.mostUrgent?.record.ownership).enumerated() { out += "\(number + 1). \(step)\n" }
            out += "\n"
        }
        if !problems.isEmpty {
            out += "## Could not be read\n\n"
            for problem in problems { out += "- `\(problem.path)`: \(problem.message)\n" }
            out += "\n"
        }
        return out
    }

    // MARK: HTML

    /// `text` safe inside HTML text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The stylesheet every custos page shares.
    public static let style = """
        body{font-family:system-ui,sans-serif;margin:2em;max-width:78em;color:#222}
        h2{border-bottom:2px solid #555;padding-bottom:.2em;margin-top:1.6em}
        table{border-collapse:collapse;width:100%;margin:.5em 0}
        td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}
        th{background:#eee}code{background:#f4f4f4;padding:0 .2em;word-break:break-all}
        .gap{color:#a00}.figures{width:auto}.figures td:last-child{font-weight:600}
        .first{background:#fff4e5;border-left:4px solid #d9822b;padding:.4em .7em}
        .card{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.6em 0;padding:.5em .8em;background:#f7f7fa;border:1px solid #dde}
        .card dt{font-weight:600;color:#444}.card dd{margin:0}
        .label{display:inline-block;border-radius:.7em;padding:0 .5em;margin:0 .2em .2em 0;font-size:.75em;font-weight:600;background:#ddd;color:#222;white-space:nowrap}
        .v-break-glass,.sev-critical{background:#7a0010;color:#fff}.v-unowned,.v-expired,.v-outside-access-window,.sev-high{background:#c62828;color:#fff}
        .v-no-revoker,.v-shared,.sev-medium{background:#ef8a17;color:#fff}.v-vendor{background:#5a4fcf;color:#fff}.sev-low{background:#888;color:#fff}
        .status{font-weight:600;text-transform:uppercase;font-size:.75em}.new{color:#b00}.reopened{color:#c60}.open{color:#555}
        ol.plan>li{margin-bottom:.6em}ol.plan>li>b{font-size:1.05em}td.id code{white-space:nowrap}
        """

    public func html() -> String {
        let e = Self.escape
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>\(e(title))</title>
            <style>
            \(Self.style)
            </style></head><body>
            <h1>\(e(title))</h1>

            """
        for sentence in lede { out += "<p>\(e(sentence))</p>\n" }
        if !plan.isEmpty {
            out += "<h2>What to do, in order</h2>\n<ol class=\"plan\">\n"
            for step in plan {
                out += "<li><b>\(e(step.title))</b><ul>\n" + step.actions.map { "<li>\(e($0))</li>\n" }.joined() + "</ul></li>\n"
            }
            out += "</ol>\n"
        }
        if !figures.isEmpty {
            out += "<h2>Summary</h2>\n<table class=\"figures\">\n"
            for figure in figures { out += "<tr><td>\(e(figure.name))</td><td>\(e(figure.value))</td></tr>\n" }
            out += "</table>\n"
        }
        if !authorityGap.isEmpty {
            out += "<h3 class=\"gap\">Identity authority gap: nobody may revoke</h3>\n<ul>\n"
            for entry in authorityGap {
                out += "<li><b>\(e(entry.identity))</b>" + (entry.owner.map { " (owner \(e($0)))" } ?? "") + ": \(e(entry.reason))<ul>"
                out += entry.findings.map { "<li><code>\(e($0))</code></li>" }.joined() + "</ul></li>\n"
            }
            out += "</ul>\n"
        }
        if !shared.isEmpty {
            out += "<h3>Shared credentials (revoking one affects every place)</h3>\n<table><tr><th>secret</th><th>rules</th><th>sites</th><th>places</th></tr>\n"
            for credential in shared {
                out += "<tr><td><code>\(e(credential.secret))</code></td><td>\(e(credential.rules.joined(separator: ", ")))</td><td>\(credential.sites.count): \(e(credential.sites.joined(separator: ", ")))</td><td>\(credential.places)</td></tr>\n"
            }
            out += "</table>\n"
        }
        if !timeline.isEmpty {
            out += "<h3>Findings over the sweeps</h3>\n" + TimelineChart(points: Array(timeline.suffix(30))).svg() + "\n"
        }
        for section in sections {
            out += "<section><h2\(section.owner.isEmpty ? " class=\"gap\"" : "")>\(e(section.title))</h2>\n"
            if let first = section.mostUrgent { out += "<p class=\"first\">\(e(Self.actFirst(first)))</p>\n" }
            for ownership in section.identities {
                out += "<dl class=\"card\">" + Self.card(ownership).map { "<dt>\(e($0.0))</dt><dd>\(e($0.1))</dd>" }.joined() + "</dl>\n"
            }
            out += "<table><tr><th>triage</th><th>id</th><th>rule</th><th>secret</th><th>verdicts</th><th>where</th><th>first seen</th><th>status</th></tr>\n"
            for item in section.items {
                let severity = item.record.severity.rawValue
                let labels = zip(item.record.verdicts, item.labels).map { "<span class=\"label v-\(e($0.rawValue))\">\(e($1))</span>" }.joined()
                let places = Self.places(item).map { "<code>\(e($0))</code>" }.joined(separator: "<br>")
                let status = item.record.status?.rawValue ?? "found"
                out += "<tr><td>\(item.record.triage.total) <span class=\"label sev-\(severity)\">\(severity)</span></td><td class=\"id\"><code>\(e(item.id))</code></td><td>\(e(item.record.ruleID))</td><td><code>\(e(item.record.secretRedacted))</code></td><td>\(labels)</td><td>\(places)</td><td>\(e(item.record.firstSeenText))</td><td class=\"status \(e(status))\">\(e(status))</td></tr>\n"
            }
            out += "</table>\n<h3>How to revoke</h3><ol>\n"
            for step in RevocationWording.steps(section.mostUrgent?.record.ownership) { out += "<li>\(e(step))</li>\n" }
            out += "</ol></section>\n"
        }
        if !problems.isEmpty {
            out += "<h2>Could not be read</h2>\n<ul>\n"
            for problem in problems { out += "<li><code>\(e(problem.path))</code>: \(e(problem.message))</li>\n" }
            out += "</ul>\n"
        }
        return out + "</body></html>\n"
    }
}

/// A small line chart of open, new and resolved findings per sweep, as inline SVG.
public struct TimelineChart: Sendable {
    public var points: [PeopleReport.TimelinePoint]

    public init(points: [PeopleReport.TimelinePoint]) {
        self.points = points
    }

    static let width = 640.0
    static let height = 220.0
    static let margin = (left: 44.0, right: 110.0, top: 12.0, bottom: 30.0)
    public static let series: [(name: String, color: String, value: @Sendable (PeopleReport.TimelinePoint) -> Int)] = [
        ("open", "#555555", { $0.open }), ("new", "#bb0000", { $0.new }), ("resolved", "#2a7d2a", { $0.resolved }),
    ]

    public func svg() -> String {
        let plotWidth = Self.width - Self.margin.left - Self.margin.right
        let plotHeight = Self.height - Self.margin.top - Self.margin.bottom
        let top = max(1, points.map { max($0.open, $0.new, $0.resolved) }.max() ?? 1)
        func x(_ index: Int) -> Double {
            Self.margin.left + (points.count < 2 ? plotWidth / 2 : plotWidth * Double(index) / Double(points.count - 1))
        }
        func y(_ value: Int) -> Double { Self.margin.top + plotHeight * (1 - Double(value) / Double(top)) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"open, new and resolved findings per sweep\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect x=\"\(f(Self.margin.left))\" y=\"\(f(Self.margin.top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n"
        for tick in [0, top / 2, top] {
            out += "<text x=\"\(f(Self.margin.left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(tick)</text>\n"
        }
        for (index, point) in points.enumerated() where points.count <= 10 || index % max(1, points.count / 8) == 0 || index == points.count - 1 {
            out += "<text x=\"\(f(x(index)))\" y=\"\(f(Self.height - 10))\" text-anchor=\"middle\">#\(point.sweep)</text>\n"
        }
        for (number, series) in Self.series.enumerated() {
            let line = points.enumerated().map { "\(f(x($0.offset))),\(f(y(series.value($0.element))))" }.joined(separator: " ")
            if points.count > 1 {
                out += "<polyline fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"2\" points=\"\(line)\"/>\n"
            }
            for (index, point) in points.enumerated() {
                out += "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(series.value(point))))\" r=\"3\" fill=\"\(series.color)\"><title>sweep \(point.sweep): \(series.value(point)) \(series.name)</title></circle>\n"
            }
            let legendY = Self.margin.top + 14 + Double(number) * 18
            out += "<rect x=\"\(f(Self.width - Self.margin.right + 14))\" y=\"\(f(legendY - 9))\" width=\"12\" height=\"12\" fill=\"\(series.color)\"/>"
            out += "<text x=\"\(f(Self.width - Self.margin.right + 32))\" y=\"\(f(legendY + 1))\">\(series.name)</text>\n"
        }
        return out + "</svg>"
    }
}
