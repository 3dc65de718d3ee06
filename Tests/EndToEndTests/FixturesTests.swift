import CustosTestSupport
import Foundation
import Testing

@Suite("fixtures/ (end to end)", .serialized)
struct FixturesTests {
    /// Findings as `path<TAB>line<TAB>rule_id`, the form of fixtures/expected-findings.tsv.
    static func findingLines(_ json: String) throws -> [String] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        return findings.map { "\($0["path"] ?? "")\t\($0["line"] ?? "")\t\($0["rule_id"] ?? "")" }.sorted()
    }

    /// Every `expected-findings.tsv` under fixtures/ (one per fixture family), merged.
    static func expectedFindings() throws -> [String] {
        let root = PackageRoot.path("fixtures")
        let manifests = try #require(FileManager.default.enumerator(atPath: root))
            .compactMap { $0 as? String }.filter { $0.hasSuffix("expected-findings.tsv") }
        var lines: [String] = []
        for manifest in manifests {
            lines += try String(contentsOfFile: root + "/" + manifest, encoding: .utf8)
                .split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map(String.init)
        }
        return lines.sorted()
    }

    @Test("custos finds exactly the planted secrets in fixtures/ and none of the decoys")
    func expectedFindings() throws {
        // The manifests list what custos can report at all, test fixtures' keys included
        // (held back by default as test files): every level is asked for.
        let result = try CustosBinary.run(["scan", "fixtures", "--exclude", "field/", "--min-confidence", "low", "--format", "json"],
                                          in: PackageRoot.url.path)
        #expect(result.status == 1)
        let expected = try Self.expectedFindings()
        #expect(expected.count >= 20, "the fixture manifests list the planted secrets")
        let actual = try Self.findingLines(result.stdout)
        let difference = actual.difference(from: expected)
        #expect(difference.isEmpty, """
            missing: \(difference.removals.map { "\($0)" }.joined(separator: "\n"))
            unexpected: \(difference.insertions.map { "\($0)" }.joined(separator: "\n"))
            """)
    }

    @Test("the SARIF report of fixtures/ validates against the SARIF 2.1.0 schema")
    func sarifValidates() throws {
        let result = try CustosBinary.run(["scan", "fixtures", "--exclude", "field/", "--format", "sarif"], in: PackageRoot.url.path)
        #expect(result.status == 1)
        #expect(try SarifValidator.errors(in: result.stdout) == [])
    }

    @Test("the same input gives byte-identical reports", arguments: ["json", "sarif", "text"])
    func deterministic(format: String) throws {
        let first = try CustosBinary.run(["scan", "fixtures", "--exclude", "field/", "--format", format, "--threads", "1"], in: PackageRoot.url.path)
        let second = try CustosBinary.run(["scan", "fixtures", "--exclude", "field/", "--format", format, "--threads", "4"], in: PackageRoot.url.path)
        #expect(first.stdout == second.stdout)
    }
}

@Suite("custos rules (end to end)")
struct RulesCommandTests {
    @Test("rules check passes on the shipped rules, with at least 80 of them")
    func checkBuiltin() throws {
        let result = try CustosBinary.run(["rules", "check"])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try CustosBinary.run(["rules", "list"])
        let count = Int(list.stdout.split(separator: "\n").last?.split(separator: " ").first ?? "") ?? 0
        #expect(count >= 80)
    }

    @Test("rules check fails with exit 1 and names the rule whose example is not found")
    func checkFails() throws {
        let tree = try TemporaryTree(["bad.yaml": """
            rules:
              - id: bad-rule
                name: Bad
                pattern: '(?P<secret>zz_[0-9]{6})'
                keywords: [zz_]
                examples: ['zz_12', 'zz_918273']
                negative_examples: ['zz_1', 'none']
                references: [https://example.org/spec]
            """])
        let result = try CustosBinary.run(["rules", "check", tree.url("bad.yaml").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("rule 'bad-rule': example 1 is not matched"))
    }
}
