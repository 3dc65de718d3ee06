import CustosCore
import CustosReport
import CustosTestSupport
import Foundation
import Testing

@Suite("GitLab Code Quality")
struct CodeQualityTests {
    func issues(_ result: ScanResult, _ context: ReportContext) throws -> [[String: Any]] {
        try #require(try parseJSON(ReportFormat.codequality.reporter(color: false).render(result, context: context)) as? [[String: Any]])
    }

    @Test("one Code Climate issue per finding, with the fields GitLab reads")
    func shape() throws {
        let (result, context) = Samples.mixed()
        let issues = try issues(result, context)
        #expect(issues.count == 3)
        let first = try #require(issues.first { ($0["check_name"] as? String) == "github-classic-pat" && (($0["location"] as? [String: Any])?["path"] as? String)?.hasPrefix("config/") == true })
        #expect(first["severity"] as? String == "critical")
        #expect((first["description"] as? String)?.hasPrefix("GitHub personal access token (classic): ghp_…(40 chars)") == true)
        let location = try #require(first["location"] as? [String: Any])
        #expect(location["path"] as? String == "config/app & co, \"prod\".env")
        #expect((location["lines"] as? [String: Int])?["begin"] == 3)
        #expect(issues.compactMap { $0["fingerprint"] as? String }.count == 3)
        #expect(Set(issues.compactMap { $0["fingerprint"] as? String }).count == 3)
    }

    @Test("a fingerprint follows the secret when its line moves, so GitLab does not call it fixed and new")
    func fingerprintsSurviveLineMoves() throws {
        let (result, context) = Samples.mixed()
        var moved = result
        moved.findings = moved.findings.map { finding in
            var finding = finding
            finding.start.line += 4
            return finding
        }
        #expect(try issues(moved, context).compactMap { $0["fingerprint"] as? String } == issues(result, context).compactMap { $0["fingerprint"] as? String })
    }

    @Test("a clean scan is an empty array")
    func clean() throws {
        let (_, context) = Samples.mixed()
        #expect(ReportFormat.codequality.reporter(color: false).render(ScanResult(findings: [], warnings: [], summary: ScanSummary()), context: context) == "[]\n")
    }
}

@Suite("JUnit XML")
struct JUnitTests {
    /// Reads the report with Python's XML parser, as a CI server would, and returns what it saw.
    func parse(_ xml: String) throws -> [String: Any] {
        let program = """
            import json, sys, xml.etree.ElementTree as ET
            root = ET.fromstring(sys.stdin.buffer.read())
            suite = root.find("testsuite")
            cases = [{"classname": c.get("classname"), "name": c.get("name"),
                      "failure": c.find("failure").get("message") if c.find("failure") is not None else None,
                      "body": c.find("failure").text if c.find("failure") is not None else None,
                      "error": c.find("error").get("type") if c.find("error") is not None else None}
                     for c in suite.findall("testcase")]
            print(json.dumps({"tag": root.tag, "tests": suite.get("tests"), "failures": suite.get("failures"),
                              "errors": suite.get("errors"), "cases": cases}))
            """
        let result = try JSONSchemaValidator.python(program, input: xml)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try parseJSON(result.stdout) as? [String: Any])
    }

    @Test("one suite, a failing test case per finding grouped by file, parsed by a real XML parser")
    func shape() throws {
        let (result, context) = Samples.mixed()
        let parsed = try parse(ReportFormat.junit.reporter(color: false).render(result, context: context))
        #expect(parsed["tag"] as? String == "testsuites")
        #expect(parsed["tests"] as? String == "3")
        #expect(parsed["failures"] as? String == "3")
        let cases = try #require(parsed["cases"] as? [[String: Any]])
        let plain = try #require(cases.first { ($0["classname"] as? String)?.hasSuffix(".env") == true && ($0["classname"] as? String)?.contains("prod") == true })
        // Ampersands, quotes, angle brackets and commas in paths and lines survive escaping.
        #expect(plain["classname"] as? String == "/work/checkout/config/app & co, \"prod\".env")
        #expect(plain["name"] as? String == "github-classic-pat at line 3, column 14")
        #expect(plain["failure"] as? String == "GitHub personal access token (classic) found: ghp_…(40 chars)")
        #expect((plain["body"] as? String)?.contains("line: token=<\"ghp_…(40 chars)\" # =HYPERLINK(\"x\")") == true)
        #expect(cases.contains { ($0["classname"] as? String) == "/work/checkout/backups/site.zip!/cfg/deploy.env" })
    }

    @Test("control characters XML cannot hold are replaced, never written raw")
    func controlCharacters() throws {
        var (result, context) = Samples.mixed()
        result.findings = [Samples.finding(origin: .file("odd\u{1}name\u{0}.env"), before: "x=\u{1B}[31m", after: "\u{7}")]
        let xml = ReportFormat.junit.reporter(color: false).render(result, context: context)
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let cases = try #require(try parse(xml)["cases"] as? [[String: Any]])
        #expect(cases.first?["classname"] as? String == "odd\u{FFFD}name\u{FFFD}.env")
    }

    @Test("a clean scan passes one test case; an incomplete scan is an error, not green")
    func cleanAndIncomplete() throws {
        let (_, context) = Samples.mixed()
        var summary = ScanSummary()
        summary.filesScanned = 12
        let clean = try parse(ReportFormat.junit.reporter(color: false).render(ScanResult(findings: [], warnings: [], summary: summary), context: context))
        #expect(clean["tests"] as? String == "1")
        #expect(clean["failures"] as? String == "0")
        #expect((clean["cases"] as? [[String: Any]])?.first?["name"] as? String == "no secrets found in 12 files")
        let incomplete = ScanResult(findings: [], warnings: [ScanWarning(.incompleteHistory, path: ".", message: "shallow clone")], summary: summary)
        let parsed = try parse(ReportFormat.junit.reporter(color: false).render(incomplete, context: context))
        #expect(parsed["errors"] as? String == "1")
        #expect((parsed["cases"] as? [[String: Any]])?.contains { $0["error"] as? String == "incomplete-scan" } == true)
    }
}

@Suite("CSV")
struct CSVTests {
    /// Reads the report with Python's csv module (RFC 4180 quoting).
    func rows(_ text: String) throws -> [[String]] {
        let result = try JSONSchemaValidator.python("""
            import csv, io, json, sys
            data = sys.stdin.buffer.read().decode("utf-8")
            print(json.dumps(list(csv.reader(io.StringIO(data, newline="")))))
            """, input: text)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try parseJSON(result.stdout) as? [[String]])
    }

    @Test("a header and one row per finding, read back whole by an RFC 4180 reader")
    func roundTrip() throws {
        let (result, context) = Samples.mixed()
        let text = ReportFormat.csv.reporter(color: false).render(result, context: context)
        #expect(text.hasPrefix("rule,rule_name,confidence,path,line,column,secret,identity,fingerprint,commit,logical_path,owner\r\n"))
        let rows = try rows(text)
        #expect(rows.count == 4)
        #expect(rows.dropFirst().allSatisfy { $0.count == rows[0].count })
        let plain = try #require(rows.first { $0[3].contains("prod") })
        #expect(plain[0] == "github-classic-pat")
        #expect(plain[2] == "high")
        #expect(plain[3] == "/work/checkout/config/app & co, \"prod\".env")
        #expect(plain[4] == "3")
        #expect(plain[6] == "ghp_…(40 chars)")
        #expect(plain[8] == Fingerprint(ruleID: "github-classic-pat", secret: secret).hex)
        let history = try #require(rows.first { $0[0] == "aws-access-key-id" })
        #expect(history[9] == Samples.commit)
    }

    @Test("cells a spreadsheet would run as formulas are prefixed with an apostrophe", arguments: ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx"])
    func formulaInjection(path: String) throws {
        var (result, context) = Samples.mixed()
        result.findings = [Samples.finding(origin: .file(path))]
        let rows = try rows(ReportFormat.csv.reporter(color: false).render(result, context: context))
        #expect(rows[1][3] == "'" + path)
    }

    @Test("quotes, commas and line breaks in a field are quoted, quotes doubled")
    func quoting() {
        #expect(CSVReporterCells.cell("plain") == "plain")
        #expect(CSVReporterCells.cell("a,b") == "\"a,b\"")
        #expect(CSVReporterCells.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVReporterCells.cell("two\nlines") == "\"two\nlines\"")
    }
}

/// The CSV cell rule, through the public reporter (a one-finding report's path cell).
enum CSVReporterCells {
    static func cell(_ value: String) -> String {
        var summary = ScanSummary()
        summary.findings = 1
        let finding = Samples.finding(origin: .file(value))
        let text = ReportFormat.csv.reporter(color: false).render(ScanResult(findings: [finding], warnings: [], summary: summary),
                                                                   context: ReportContext(rules: [], display: .redacted, toolVersion: "1"))
        let row = String(text.split(separator: "\r\n", omittingEmptySubsequences: false)[1])
        // rule,rule_name,confidence,<path>,…: the path cell starts after the third comma.
        let afterRule = row.dropFirst("github-classic-pat,github-classic-pat,medium,".count)
        let lineStart = afterRule.range(of: ",3,14,")?.lowerBound ?? afterRule.endIndex
        return String(afterRule[..<lineStart])
    }
}
