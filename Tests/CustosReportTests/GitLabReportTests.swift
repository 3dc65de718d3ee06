import CustosCore
import CustosReport
import CustosTestSupport
import Foundation
import Testing

@Suite("GitLab secret-detection report")
struct GitLabReportTests {
    func render(_ result: ScanResult, _ context: ReportContext) -> String {
        ReportFormat.gitlab.reporter(color: false).render(result, context: context)
    }

    func vulnerabilities(_ text: String) throws -> [[String: Any]] {
        let document = try #require(try parseJSON(text) as? [String: Any])
        return try #require(document["vulnerabilities"] as? [[String: Any]])
    }

    @Test("every report validates against GitLab's published schema (15.0.7)")
    func validates() throws {
        let (mixed, context) = Samples.mixed()
        #expect(try JSONSchemaValidator.errors(in: render(mixed, context), schema: JSONSchemaValidator.gitLabSecretDetection) == [])
        #expect(try JSONSchemaValidator.errors(in: render(sampleResult(), context), schema: JSONSchemaValidator.gitLabSecretDetection) == [])
        var incomplete = mixed
        incomplete.findings = []
        incomplete.warnings = [ScanWarning(.incompleteHistory, path: ".", message: "shallow clone: history before a1b2c3 unseen")]
        #expect(try JSONSchemaValidator.errors(in: render(incomplete, context), schema: JSONSchemaValidator.gitLabSecretDetection) == [])
        #expect(try JSONSchemaValidator.errors(in: render(mixed, ReportContext(rules: [], display: .whole, toolVersion: "")),
                                               schema: JSONSchemaValidator.gitLabSecretDetection) == [])
    }

    @Test("the schema check can fail: a vulnerability without a commit is refused")
    func validatorCanFail() throws {
        let broken = #"{"version": "15.0.7", "scan": {}, "vulnerabilities": [{"id": "x", "identifiers": [], "location": {}}]}"#
        let errors = try JSONSchemaValidator.errors(in: broken, schema: JSONSchemaValidator.gitLabSecretDetection)
        #expect(errors.contains { $0.contains("'commit' is a required property") })
        #expect(errors.contains { $0.contains("'analyzer' is a required property") })
    }

    @Test("scan names custos as analyzer and scanner, with times, type and status")
    func scan() throws {
        let (result, context) = Samples.mixed()
        let document = try #require(try parseJSON(render(result, context)) as? [String: Any])
        #expect(document["version"] as? String == "15.0.7")
        let scan = try #require(document["scan"] as? [String: Any])
        #expect((scan["analyzer"] as? [String: Any])?["id"] as? String == "custos")
        #expect((scan["scanner"] as? [String: Any])?["version"] as? String == "0.4.0")
        #expect(scan["type"] as? String == "secret_detection")
        #expect(scan["end_time"] as? String == "2025-10-09T08:53:20")
        #expect(scan["start_time"] as? String == "2025-10-09T08:51:50")
        #expect(scan["status"] as? String == "success")
    }

    @Test("a scan that saw less than asked is a failure, with the warning as a message")
    func incompleteScanFails() throws {
        var (result, context) = Samples.mixed()
        result.warnings = [ScanWarning(.missingRoot, path: "/nonexistent", message: "cannot open: No such file or directory")]
        let scan = try #require((try parseJSON(render(result, context)) as? [String: Any])?["scan"] as? [String: Any])
        #expect(scan["status"] as? String == "failure")
        let messages = try #require(scan["messages"] as? [[String: String]])
        #expect(messages == [["level": "warn", "value": "/nonexistent: cannot open: No such file or directory"]])
    }

    @Test("locations: the file relative to the root, lines, and the commit history findings came from")
    func locations() throws {
        let (result, context) = Samples.mixed()
        let byFile = Dictionary(try vulnerabilities(render(result, context)).map {
            (($0["location"] as? [String: Any])?["file"] as? String ?? "", $0)
        }, uniquingKeysWith: { first, _ in first })
        let plain = try #require(byFile["config/app & co, \"prod\".env"]?["location"] as? [String: Any])
        #expect(plain["start_line"] as? Int == 3)
        #expect(plain["end_line"] as? Int == 3)
        #expect((plain["commit"] as? [String: String])?["sha"] == "0000000")
        let history = try #require(byFile["deploy/keys.env"]?["location"] as? [String: Any])
        let commit = try #require(history["commit"] as? [String: String])
        #expect(commit["sha"] == Samples.commit)
        #expect(commit["author"] == "Dana Example <dana@example.com>")
        // The archive is what GitLab can link to; the member is named in the description.
        let member = try #require(byFile["backups/site.zip"])
        #expect((member["location"] as? [String: Any])?["start_line"] == nil)
        #expect((member["description"] as? String)?.contains("backups/site.zip!/cfg/deploy.env at line 7") == true)
    }

    @Test("plain-file findings take the scanned revision as their commit when the scan knows it")
    func revisionAsCommit() throws {
        var (result, context) = Samples.mixed()
        result.findings = [Samples.plainFile]
        context.repository = RepositoryInfo(uri: nil, revision: "c0ffee1234", branch: nil)
        let location = try #require(try vulnerabilities(render(result, context)).first?["location"] as? [String: Any])
        #expect((location["commit"] as? [String: String])?["sha"] == "c0ffee1234")
    }

    @Test("ids are UUIDs from the fingerprint and place: stable across runs and line moves, distinct per occurrence")
    func stableIDs() throws {
        let (result, context) = Samples.mixed()
        let ids = try vulnerabilities(render(result, context)).compactMap { $0["id"] as? String }
        #expect(ids.count == 3)
        #expect(Set(ids).count == 3)
        #expect(ids.allSatisfy { $0.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#, options: .regularExpression) != nil })
        var moved = result
        moved.findings = moved.findings.map { finding in
            var finding = finding
            finding.start.line += 10
            finding.end.line += 10
            return finding
        }
        #expect(try vulnerabilities(render(moved, context)).compactMap { $0["id"] as? String } == ids)
        var twice = result
        var second = Samples.plainFile
        second.start.line = 9
        twice.findings.append(second)
        #expect(Set(try vulnerabilities(render(twice, context)).compactMap { $0["id"] as? String }).count == 4)
    }

    @Test("identifiers, severity from confidence, and a redacted extract")
    func identifiersAndSeverity() throws {
        let (result, context) = Samples.mixed()
        let text = render(result, context)
        #expect(!text.contains(secret))
        #expect(!text.contains(Samples.awsKey))
        let byRule = Dictionary(try vulnerabilities(text).map {
            ((($0["identifiers"] as? [[String: Any]])?.first?["value"] as? String) ?? "", $0)
        }, uniquingKeysWith: { first, _ in first })
        let pat = try #require(try vulnerabilities(text).first { (($0["location"] as? [String: Any])?["file"] as? String)?.hasPrefix("config/") == true })
        #expect(pat["severity"] as? String == "High")
        #expect(byRule["aws-access-key-id"]?["severity"] as? String == "Medium")
        let identifier = try #require((pat["identifiers"] as? [[String: Any]])?.first)
        #expect(identifier["type"] as? String == "custos_rule_id")
        #expect(identifier["url"] as? String == "https://docs.github.com/en/authentication")
        #expect(pat["raw_source_code_extract"] as? String == "token=<\"ghp_…(40 chars)\" # =HYPERLINK(\"x\")")
    }
}
