import CustosCore
import CustosReport
import CustosTestSupport
import Foundation
import Testing

let secret = "ghp_Xk9mQ2vL7pR4wzT8nB3yH6cJ1dF5gA0sE2uK"

func sampleResult() -> ScanResult {
    let finding = Finding(
        ruleID: "github-classic-pat", path: "config/dir with space/app.env",
        start: TextPosition(line: 3, column: 14), end: TextPosition(line: 3, column: 54),
        byteStart: 40, byteEnd: 80, secret: secret, identity: nil,
        fingerprint: Fingerprint(ruleID: "github-classic-pat", secret: secret),
        snippet: Snippet(before: "GITHUB_TOKEN=\"", after: "\" # tab\there"))
    var summary = ScanSummary()
    summary.filesScanned = 2
    summary.findings = 1
    summary.warnings = 1
    return ScanResult(findings: [finding], warnings: [ScanWarning(.unreadable, path: "locked.txt", message: "cannot open: Permission denied")],
                      summary: summary)
}

func context(_ display: SecretDisplay = .redacted) -> ReportContext {
    let rule = RuleInfo(id: "github-classic-pat", name: "GitHub personal access token (classic)",
                        description: "A classic PAT.", confidence: .high, tags: ["github"],
                        references: ["https://docs.github.com/en/authentication"])
    return ReportContext(rules: [rule], display: display, toolVersion: "0.1.0")
}

@Suite("Reporters")
struct ReporterTests {
    @Test("no format prints the whole secret unless asked", arguments: ReportFormat.allCases)
    func redaction(format: ReportFormat) {
        let redacted = format.reporter(color: false).render(sampleResult(), context: context())
        #expect(!redacted.contains(secret))
        #expect(redacted.contains("ghp_…(40 chars)"))
        let whole = format.reporter(color: false).render(sampleResult(), context: context(.whole))
        #expect(whole.contains(secret))
    }

    @Test("JSON follows the documented schema and escapes control characters")
    func json() throws {
        let text = ReportFormat.json.reporter(color: false).render(sampleResult(), context: context())
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "custos-report/1")
        let finding = try #require((document["findings"] as? [[String: Any]])?.first)
        #expect(finding["rule_id"] as? String == "github-classic-pat")
        #expect(finding["line"] as? Int == 3)
        #expect(finding["column"] as? Int == 14)
        #expect(finding["secret_length"] as? Int == 40)
        #expect(finding["redacted"] as? Bool == true)
        #expect(finding["snippet"] as? String == "GITHUB_TOKEN=\"ghp_…(40 chars)\" # tab\there")
        #expect(text.contains("\\t"))
    }

    @Test("JSON Lines holds one finding object per line")
    func jsonLines() throws {
        let text = ReportFormat.jsonl.reporter(color: false).render(sampleResult(), context: context())
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) is [String: Any])
    }

    @Test("SARIF validates against the official 2.1.0 schema")
    func sarifValidates() throws {
        let text = ReportFormat.sarif.reporter(color: false).render(sampleResult(), context: context())
        #expect(try SarifValidator.errors(in: text) == [])
    }

    @Test("the SARIF validator rejects a broken document, so the check above can fail")
    func validatorCanFail() throws {
        #expect(try !SarifValidator.errors(in: #"{"version": "2.1.0", "runs": [{"tool": {}}]}"#).isEmpty)
    }

    @Test("SARIF carries what GitHub code scanning needs")
    func sarifShape() throws {
        let text = ReportFormat.sarif.reporter(color: false).render(sampleResult(), context: context())
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let run = try #require((document["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let rule = try #require((driver["rules"] as? [[String: Any]])?.first)
        #expect(rule["id"] as? String == "github-classic-pat")
        #expect((rule["help"] as? [String: Any])?["text"] != nil)
        let result = try #require((run["results"] as? [[String: Any]])?.first)
        #expect(result["ruleId"] as? String == "github-classic-pat")
        #expect(result["level"] as? String == "error")
        let location = try #require(((result["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "config/dir%20with%20space/app.env")
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 3)
        let fingerprints = try #require(result["partialFingerprints"] as? [String: String])
        #expect(fingerprints["custosSecret/v1"] == Fingerprint(ruleID: "github-classic-pat", secret: secret).hex)
    }

    @Test("text groups by file and shows the summary, without colour unless asked")
    func text() {
        let plain = ReportFormat.text.reporter(color: false).render(sampleResult(), context: context())
        #expect(plain.hasPrefix("config/dir with space/app.env\n  3:14  github-classic-pat"))
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.hasSuffix("1 finding in 1 file; scanned 2 files (0.0 MB), 1 warning\n"))
        let colored = ReportFormat.text.reporter(color: true).render(sampleResult(), context: context())
        #expect(colored.contains("\u{1B}["))
    }

    @Test("the same result renders to the same bytes", arguments: ReportFormat.allCases)
    func deterministic(format: ReportFormat) {
        let reporter = format.reporter(color: false)
        #expect(reporter.render(sampleResult(), context: context()) == reporter.render(sampleResult(), context: context()))
    }
}
