import Foundation
import CustosCore
import CustosEngine
import CustosRules
import Testing

/// Rules small enough to read in the test, covering a prefixed token, a generic assignment
/// and an identity pairing.
let testRules = """
    rules:
      - id: demo-token
        name: Demo token
        pattern: '\\b(?P<secret>demo_[A-Za-z0-9]{24})\\b'
        keywords: [demo_]
        min_entropy: 3
        confidence: high
      - id: demo-password
        name: Password assignment
        pattern: '(?i)password\\s*[:=]\\s*["'']?(?P<secret>[^\\s"'']{8,64})'
        keywords: [password]
        min_entropy: 2.5
        traits: [generic]
      - id: demo-key-secret
        name: Demo key secret
        pattern: 'demo_secret\\s*=\\s*(?P<secret>[A-Za-z0-9/+]{40})'
        keywords: [demo_secret]
        identity:
          pattern: '(?P<identity>\\bDKID[A-Z0-9]{12}\\b)'
          within: 200
    """

func makeEngine(_ yaml: String = testRules) throws -> Engine {
    try Engine(ruleSet: RuleSet(RuleLoader.parse(yaml: yaml, source: "test.yaml")), cacheDirectory: nil)
}

func scan(_ text: String, engine: Engine, path: String = "file.txt") -> [Finding] {
    let scanner = engine.makeScanner()
    var sink = FindingSink()
    Array(text.utf8).withUnsafeBytes { scanner.scan($0, region: BlobRegion(origin: .file(path)), into: &sink) }
    return sink.take()
}

@Suite("Secret scanner")
struct SecretScannerTests {
    let token = "demo_Q7mX2pL9vR4tK8wZ3nB6yH1c"

    @Test("reports the secret with line, code-point column, byte span and fingerprint")
    func position() throws {
        let text = "first line\nπ = 3; key: \(token) # end\n"
        let findings = scan(text, engine: try makeEngine())
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.ruleID == "demo-token")
        #expect(finding.secret == token)
        #expect(finding.start == TextPosition(line: 2, column: 13))
        #expect(finding.end == TextPosition(line: 2, column: 13 + token.count))
        #expect(finding.byteStart == text.utf8.count - " # end\n".utf8.count - token.utf8.count)
        #expect(finding.fingerprint == Fingerprint(ruleID: "demo-token", secret: token))
        #expect(finding.snippet.render(secret: "<S>", others: .redacted) == "π = 3; key: <S> # end")
    }

    @Test("placeholders, templates and low-entropy values are not findings",
          arguments: ["password: changeme123", "password: ${DB_PASSWORD}", "password: \"{{ .Values.db.password }}\"",
                      "password: ********", "password: <password>", "password: aaaaaaaaaa", "password: 12345678",
                      "password = your_password_here"])
    func placeholders(line: String) throws {
        #expect(scan(line, engine: try makeEngine()).isEmpty)
    }

    @Test("an allow comment on the line silences it, whichever scanner's marker it uses",
          arguments: ["# custos:allow", "// gitleaks:allow", "# pragma: allowlist secret"])
    func inlineAllow(marker: String) throws {
        let engine = try makeEngine()
        #expect(scan("key = \(token) \(marker)", engine: engine).isEmpty)
        #expect(scan("key = \(token)", engine: engine).count == 1)
    }

    @Test("a specific rule wins over a generic one on the same secret")
    func genericGivesWay() throws {
        let findings = scan("password = \(token)\n", engine: try makeEngine())
        #expect(findings.map(\.ruleID) == ["demo-token"])
    }

    @Test("the identity pattern names who holds the secret")
    func identity() throws {
        let secret = "k3J9f0Q2m8Z1x7C4v6B5n2M0a9S8d7F6g5H4j3K2"
        let text = "demo_key_id = DKIDA1B2C3D4E5F6\ndemo_secret = \(secret)\n"
        let finding = try #require(scan(text, engine: try makeEngine()).first)
        #expect(finding.secret == secret)
        #expect(finding.identity == "DKIDA1B2C3D4E5F6")
    }

    @Test("a vendor default that a specific rule allows is not reported by a generic rule either")
    func allowedDefaultVetoesGeneric() throws {
        let yaml = testRules + """

              - id: demo-xml-password
                name: Generic XML password
                pattern: '<\\w{0,20}Password>(?P<secret>[^<]{6,64})</'
                keywords: [password]
                traits: [generic]
              - id: demo-plc-password
                name: Demo PLC password
                pattern: '<PlcPassword>(?P<secret>[^<]{4,64})</PlcPassword>'
                keywords: [plcpassword]
                allow: ['^FactoryPass1$']
            """
        let engine = try makeEngine(yaml)
        #expect(scan("<PlcPassword>FactoryPass1</PlcPassword>", engine: engine).isEmpty)
        #expect(scan("<HmiPassword>FactoryPass1</HmiPassword>", engine: engine).map(\.ruleID) == ["demo-xml-password"])
        #expect(scan("<PlcPassword>Qz8!kLw2xR7v</PlcPassword>", engine: engine).map(\.ruleID) == ["demo-plc-password"])
    }

    @Test("dense input is confirmed with a bounded number of PCRE2 searches (issue 3)")
    func denseInputStaysLinear() throws {
        // Every line is a growing match: Vectorscan reports an end offset per character.
        let lines = (0..<2_000).map { "password=Qx7\($0)vT9mWk2pLr8\($0 * 7)" }
        let engine = try makeEngine()
        let scanner = engine.makeScanner()
        var sink = FindingSink()
        Array(lines.joined(separator: " ").utf8).withUnsafeBytes {
            scanner.scan($0, region: BlobRegion(origin: .file("dense")), into: &sink)
        }
        #expect(sink.findings.count == lines.count)
        #expect(scanner.confirmationSearches <= 2 * lines.count + 2)
    }

    @Test("repeats of one secret in one blob fold into its first finding, with a count and sample lines (issue 11)")
    func repeats() throws {
        let text = "\(token) and \(token)\n" + (0..<20).map { "line \($0) \(token)" }.joined(separator: "\n")
        let findings = scan(text, engine: try makeEngine())
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.start.line == 1)
        #expect(finding.repeats?.count == 21)
        #expect(finding.repeats?.lastLine == 21)
        #expect(finding.repeats?.sampleLines == [1, 2, 3, 4, 5])
    }

    @Test("a blob's distinct findings are capped; the rest are counted, not kept (issue 11)")
    func distinctCap() throws {
        let engine = try makeEngine()
        let scanner = engine.makeScanner()
        var sink = FindingSink(maxDistinctPerBlob: 10)
        let text = (0..<50).map { "k: demo_Q7mX2pL9vR4tK8wZ3nB6y\(String(format: "%03d", $0))" }.joined(separator: "\n")
        Array(text.utf8).withUnsafeBytes { scanner.scan($0, region: BlobRegion(origin: .file("many")), into: &sink) }
        #expect(sink.findings.count == 10)
        #expect(sink.droppedInBlob == 40)
    }
}

@Suite("Engine")
struct EngineTests {
    @Test("the compiled database is cached and reused, keyed by the rules")
    func cache() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = try RuleSet(RuleLoader.parse(yaml: testRules, source: "t.yaml"))
        _ = try Engine(ruleSet: rules, cacheDirectory: directory)
        let cached = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".db") }
        #expect(cached.count == 1)
        let again = try Engine(ruleSet: rules, cacheDirectory: directory)
        #expect(scan("demo_Q7mX2pL9vR4tK8wZ3nB6yH1c", engine: again).count == 1)
        let fewer = try RuleSet(Array(rules.rules.prefix(1)))
        _ = try Engine(ruleSet: fewer, cacheDirectory: directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".db") }.count == 2)
    }

    @Test("a pattern PCRE2 rejects is reported with its rule and source")
    func invalidPattern() throws {
        let yaml = testRules.replacingOccurrences(of: "[A-Za-z0-9]{24})", with: "[A-Za-z0-9{24})")
        #expect {
            try makeEngine(yaml)
        } throws: { error in
            "\(error)".contains("rule 'demo-token'") && "\(error)".contains("test.yaml:")
        }
    }

    @Test("lookarounds compile as a prefilter and PCRE2 decides")
    func prefilter() throws {
        let yaml = """
            rules:
              - id: look
                name: Lookaround
                pattern: '(?<![A-Za-z0-9])(?P<secret>lk_[a-z0-9]{12})(?![a-z0-9])'
                keywords: [lk_]
            """
        let engine = try makeEngine(yaml)
        #expect(engine.isPrefiltered(ruleIndex: 0))
        #expect(scan("x lk_a1b2c3d4e5f6 y", engine: engine).count == 1)
        #expect(scan("xlk_a1b2c3d4e5f6 y", engine: engine).isEmpty)
    }
}
