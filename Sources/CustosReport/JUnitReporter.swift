import CustosCore

/// JUnit XML for CI test views (GitLab's test report, Jenkins, Azure DevOps, GitHub test
/// reporters). One test suite, `custos`, with one failing test case per finding: the class
/// name is the file, so views group findings by file, and the test name says the rule and
/// the line. One test case per finding rather than one per file, because JUnit allows one
/// failure per test case and views show only that one. A clean scan is one passing test case,
/// so the suite is never empty; warnings that mean the scan saw less than it was asked to are
/// an erroring test case, since a view that only counts failures would show that green.
struct JUnitReporter: Reporter {
    func render(_ result: ScanResult, context: ReportContext) -> String {
        let incomplete = result.warnings.filter(\.meansIncompleteScan)
        let tests = max(1, result.findings.count) + (incomplete.isEmpty ? 0 : 1)
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        // No scan time: the same input gives the same bytes, as in every custos report but GitLab's.
        let suiteAttributes = #"name="custos" tests="\#(tests)" failures="\#(result.findings.count)" errors="\#(incomplete.isEmpty ? 0 : 1)" skipped="0""#
        out += "<testsuites \(suiteAttributes)>\n"
        out += "  <testsuite \(suiteAttributes)>\n"
        out += "    <properties>\n"
        out += "      <property name=\"custos.version\" value=\"\(XMLText.escape(context.toolVersion))\"/>\n"
        out += "      <property name=\"files_scanned\" value=\"\(result.summary.filesScanned)\"/>\n"
        out += "    </properties>\n"
        for finding in result.findings { out += testCase(finding, context: context) }
        if result.findings.isEmpty {
            out += "    <testcase classname=\"custos\" name=\"no secrets found in \(result.summary.filesScanned) files\" time=\"0\"/>\n"
        }
        if !incomplete.isEmpty {
            let lines = incomplete.map { "\($0.path): \($0.message)" }
            out += "    <testcase classname=\"custos\" name=\"the scan saw everything it was asked to\" time=\"0\">\n"
            out += "      <error message=\"\(XMLText.escape("incomplete scan: \(lines[0])"))\" type=\"incomplete-scan\">"
            out += XMLText.escape(lines.joined(separator: "\n")) + "</error>\n"
            out += "    </testcase>\n"
        }
        if !result.warnings.isEmpty {
            out += "    <system-err>" + XMLText.escape(result.warnings.map { "warning: \($0.path): \($0.message)" }.joined(separator: "\n"))
                + "</system-err>\n"
        }
        out += "  </testsuite>\n"
        out += "</testsuites>\n"
        return out
    }

    private func testCase(_ finding: Finding, context: ReportContext) -> String {
        let secret = context.display.render(finding.secret)
        let name = context.ruleName(finding.ruleID)
        let confidence = context.confidence(of: finding)
        var message = "\(name) found: \(secret)"
        if let identity = finding.identity { message += " (identity \(identity))" }
        var body = ["\(finding.path):\(finding.start.line):\(finding.start.column)", "rule: \(finding.ruleID) (\(confidence.rawValue) confidence)",
                    "secret: \(secret)", "fingerprint: \(finding.fingerprint.hex)"]
        if let logicalPath = finding.logicalPath { body.append("in: \(logicalPath)") }
        if let commit = finding.git?.introducedBy {
            body.append("commit: \(commit.commit) \(commit.date) \(commit.author) <\(commit.email)> \(commit.summary)")
        }
        if let ownership = finding.ownership {
            body.append("owner: \(ownership.owner ?? "none registered"); may revoke: \(ownership.revocationAuthority ?? "nobody named")")
        }
        let line = finding.snippet.render(secret: secret, others: context.display).trimmingWhitespace()
        if !line.isEmpty { body.append("line: \(line)") }
        var out = "    <testcase classname=\"\(XMLText.escape(finding.path))\" "
        out += "name=\"\(XMLText.escape("\(finding.ruleID) at line \(finding.start.line), column \(finding.start.column)"))\" "
        out += "file=\"\(XMLText.escape(finding.origin.artifactPath))\" line=\"\(finding.start.line)\" time=\"0\">\n"
        out += "      <failure message=\"\(XMLText.escape(message))\" type=\"\(XMLText.escape(finding.ruleID))\">"
        out += XMLText.escape(body.joined(separator: "\n")) + "</failure>\n"
        out += "    </testcase>\n"
        return out
    }
}

/// Text made safe for XML 1.0 attribute values and character data.
enum XMLText {
    /// Escapes markup characters and quotes, keeps tabs and line breaks as character
    /// references (so attribute values keep them too), and replaces what XML 1.0 cannot hold
    /// at all (other control characters, U+FFFE, U+FFFF) with U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF {
                    out.unicodeScalars.append("\u{FFFD}")
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
