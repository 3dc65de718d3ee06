import CustosReport
import Foundation

/// How `custos fleet report` writes its picture.
public enum FleetReportFormat: String, Sendable, CaseIterable {
    case html, markdown, json
}

extension FleetReport {
    public func rendered(_ format: FleetReportFormat) -> String {
        switch format {
        case .html: html()
        case .markdown: markdown()
        case .json: json()
        }
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }

    /// The one-line reading of the picture that heads both documents.
    var lede: [String] {
        let open = sites.reduce(0) { $0 + $1.open }
        let gap = sites.reduce(0) { $0 + $1.withoutRevoker }
        var lines = ["\(sites.count) sites, \(open) open findings, \(shared.count) credentials shared by two or more sites."]
        if gap > 0 { lines.append("\(gap) open findings have nobody who may revoke them.") }
        if let widest = shared.first {
            lines.append("Widest blast radius: \(widest.secretRedacted) (\(widest.ruleIDs.joined(separator: ", "))) at \(widest.sites.count) sites: \(widest.sites.joined(separator: ", ")).")
        }
        return lines
    }

    public func markdown() -> String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        func list(_ items: [String]) -> String { items.isEmpty ? "—" : cell(items.joined(separator: ", ")) }
        var out = "# custos fleet report\n\n\(database), \(generatedAt)\n\n"
        for line in lede { out += line + "\n\n" }
        out += "## Credentials shared across sites\n\n"
        if shared.isEmpty {
            out += "None: no open credential is seen at two or more sites.\n\n"
        } else {
            out += "| secret | rules | sites | vendors | owners | may revoke | places | first seen |\n|---|---|---|---|---|---|---|---|\n"
            for credential in shared {
                out += "| `\(cell(credential.secretRedacted))` | \(list(credential.ruleIDs)) | \(credential.sites.count): \(list(credential.sites)) | \(list(credential.vendors)) | \(list(credential.owners)) | \(list(credential.revocationAuthorities)) | \(credential.places) | \(credential.firstSeen ?? "—") |\n"
            }
            out += "\n"
        }
        out += "## Identity authority gap per site\n\n| site | last sweep | open | nobody may revoke | unowned | identities without a revoker |\n|---|---|---|---|---|---|\n"
        for site in sites {
            out += "| \(cell(site.site)) | \(site.lastSweptAt) | \(site.open) | \(site.withoutRevoker) | \(site.unowned) | \(list(site.identitiesWithoutRevoker)) |\n"
        }
        out += "\n## New, open and resolved across the fleet\n\n| day | new | resolved | open | sites |\n|---|---|---|---|---|\n"
        for point in trend { out += "| \(point.day) | \(point.new) | \(point.resolved) | \(point.open) | \(point.sites) |\n" }
        out += "\n## Oldest open findings\n\n| first seen | site | rule | secret | where | owner | may revoke |\n|---|---|---|---|---|---|---|\n"
        for finding in oldestOpen {
            out += "| \(finding.firstSeen ?? "—") | \(cell(finding.site)) | \(finding.ruleID) | `\(cell(finding.secretRedacted))` | \(cell(finding.place ?? "—")) | \(cell(finding.owner ?? "—")) | \(cell(finding.revocationAuthority ?? "—")) |\n"
        }
        return out
    }

    public func html() -> String {
        let e = PeopleReport.escape
        func list(_ items: [String]) -> String { items.isEmpty ? "—" : e(items.joined(separator: ", ")) }
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>custos fleet report</title>
            <style>
            \(PeopleReport.style)
            </style></head><body>
            <h1>custos fleet report</h1>
            <p>\(e(database)), \(e(generatedAt))</p>

            """
        for line in lede { out += "<p>\(e(line))</p>\n" }
        out += "<h2>Credentials shared across sites</h2>\n"
        if shared.isEmpty {
            out += "<p>None: no open credential is seen at two or more sites.</p>\n"
        } else {
            out += "<table><tr><th>secret</th><th>rules</th><th>sites</th><th>vendors</th><th>owners</th><th>may revoke</th><th>places</th><th>first seen</th></tr>\n"
            for credential in shared {
                out += "<tr><td><code>\(e(credential.secretRedacted))</code></td><td>\(list(credential.ruleIDs))</td><td>\(credential.sites.count): \(list(credential.sites))</td><td>\(list(credential.vendors))</td><td>\(list(credential.owners))</td><td\(credential.revocationAuthorities.isEmpty ? " class=\"gap\"" : "")>\(list(credential.revocationAuthorities))</td><td>\(credential.places)</td><td>\(e(credential.firstSeen ?? "—"))</td></tr>\n"
            }
            out += "</table>\n"
        }
        out += "<h2>Identity authority gap per site</h2>\n<table><tr><th>site</th><th>last sweep</th><th>open</th><th>nobody may revoke</th><th>unowned</th><th>identities without a revoker</th></tr>\n"
        for site in sites {
            out += "<tr><td>\(e(site.site))</td><td>\(e(site.lastSweptAt))</td><td>\(site.open)</td><td\(site.withoutRevoker > 0 ? " class=\"gap\"" : "")>\(site.withoutRevoker)</td><td>\(site.unowned)</td><td>\(list(site.identitiesWithoutRevoker))</td></tr>\n"
        }
        out += "</table>\n"
        if !trend.isEmpty {
            out += "<h2>New, open and resolved across the fleet</h2>\n"
            let points = trend.suffix(60).enumerated().map { index, point in
                PeopleReport.TimelinePoint(sweep: Int64(index + 1), day: point.day, open: point.open, new: point.new,
                                           resolved: point.resolved, reopened: 0)
            }
            out += TimelineChart(points: Array(points)).svg() + "\n"
            out += "<table class=\"figures\"><tr><th>day</th><th>new</th><th>resolved</th><th>open</th><th>sites</th></tr>\n"
            for point in trend.suffix(60) {
                out += "<tr><td>\(e(point.day))</td><td>\(point.new)</td><td>\(point.resolved)</td><td>\(point.open)</td><td>\(point.sites)</td></tr>\n"
            }
            out += "</table>\n"
        }
        out += "<h2>Oldest open findings</h2>\n<table><tr><th>first seen</th><th>site</th><th>rule</th><th>secret</th><th>where</th><th>owner</th><th>may revoke</th></tr>\n"
        for finding in oldestOpen {
            out += "<tr><td>\(e(finding.firstSeen ?? "—"))</td><td>\(e(finding.site))</td><td>\(e(finding.ruleID))</td><td><code>\(e(finding.secretRedacted))</code></td><td><code>\(e(finding.place ?? "—"))</code></td><td>\(e(finding.owner ?? "—"))</td><td>\(e(finding.revocationAuthority ?? "—"))</td></tr>\n"
        }
        return out + "</table>\n</body></html>\n"
    }
}
