import CustosCore

/// Comma-separated values for spreadsheets and ticket imports: RFC 4180 (CRLF line ends, a
/// header row, fields quoted when they hold a comma, quote or line break, quotes doubled), one
/// row per finding. Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return as a formula, and file paths and snippets come from the scanned tree, so
/// such cells are prefixed with `'` (OWASP's advice for CSV injection).
struct CSVReporter: Reporter {
    static let header = ["rule", "rule_name", "confidence", "path", "line", "column", "secret", "identity",
                         "fingerprint", "commit", "logical_path", "owner"]

    func render(_ result: ScanResult, context: ReportContext) -> String {
        var out = Self.row(Self.header)
        for finding in result.findings {
            out += Self.row([
                finding.ruleID,
                context.ruleName(finding.ruleID),
                context.confidence(of: finding).rawValue,
                finding.path,
                String(finding.start.line),
                String(finding.start.column),
                context.display.render(finding.secret),
                finding.identity ?? "",
                finding.fingerprint.hex,
                finding.git?.introducedBy?.commit ?? "",
                finding.logicalPath ?? "",
                finding.ownership?.owner ?? "",
            ])
        }
        return out
    }

    static func row(_ fields: [String]) -> String {
        fields.map(cell).joined(separator: ",") + "\r\n"
    }

    /// One field, defused and quoted as needed.
    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        guard needsQuotes else { return text }
        var quoted = "\""
        // By scalar, not by Character: a quote followed by a combining mark is one Character.
        for scalar in text.unicodeScalars {
            quoted.unicodeScalars.append(scalar)
            if scalar == "\"" { quoted.unicodeScalars.append("\"") }
        }
        return quoted + "\""
    }
}
