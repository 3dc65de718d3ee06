@testable import CustosConfig
import CustosCore
import CustosEngine
import CustosRules
import CustosYAML
import Foundation
import Testing

/// Compiles a converted rule as `custos config import` does: parse it as a custos rules file,
/// then build an engine with it alone.
func engineCheck(_ rule: DraftRule) -> String? {
    do {
        let rules = try RuleLoader.parse(yaml: rule.rulesFile, source: rule.origin)
        _ = try Engine(ruleSet: RuleSet(rules), cacheDirectory: nil)
        return nil
    } catch {
        return "\(error)"
    }
}

/// A team's gitleaks configuration, written for these tests.
let gitleaksConfig = #"""
    title = "team config"

    [extend]
    useDefault = true

    [[rules]]
    id = "internal-token"
    description = "Internal service token"
    regex = '''(?i)\b(itk_[a-z0-9]{32})\b'''
    keywords = ["itk_"]
    entropy = 3.0
    tags = ["internal", "Token"]

      [[rules.allowlists]]
      paths = ['''^tests/''']

    [[rules]]
    id = "Billing.Key"
    description = "Billing key assignment"
    regex = '''billing[_-]?key\s*[:=]\s*["']?([A-Za-z0-9]{24})(["']|$)'''
    secretGroup = 1
    path = '''\.env$'''

    [[rules]]
    id = "no-keyword"
    regex = '''[a-f0-9]{40}'''

    [[rules]]
    id = "path-only"
    path = '''\.pem$'''

    [[allowlists]]
    description = "global"
    paths = ['''(?i)(^|/)fixtures/''', '''\.lock$''']
    regexes = ['''^EXAMPLE''']
    stopwords = ["dummy", "changeme"]
    commits = ["1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"]

    [[allowlists]]
    targetRules = ["internal-token"]
    regexTarget = "line"
    regexes = ['''#\s*fake''']
    """#

@Suite("config import")
struct ImportTests {
    func importGitleaks(_ text: String = gitleaksConfig, reserved: Set<String> = []) throws -> ImportResult {
        var importer = ConfigImport(reservedRuleIDs: reserved, ruleCheck: engineCheck)
        try importer.addGitleaksConfig(text, source: ".gitleaks.toml")
        return importer.result()
    }

    func configuration(_ result: ImportResult) throws -> ScanConfiguration {
        try ScanConfiguration.parse(yaml: result.configuration, source: ".custos.yaml", directory: "")
    }

    @Test("a .gitleaks.toml import whose allowlist then takes effect")
    func gitleaksAllowlistTakesEffect() throws {
        let allow = try configuration(try importGitleaks()).allow
        let leak = finding(path: "src/app.env")
        let findings = [
            leak,
            finding(path: "test/Fixtures/app.env"),                         // path regex, case-insensitive
            finding(path: "Cargo.lock"),                                    // path regex
            finding(secret: "EXAMPLE" + Fake.password),                     // regex on the secret
            finding(secret: "xDummy" + Fake.password),                      // stopword
            finding(commits: ["1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"]), // commit
            finding("internal-token", path: "tests/a.py", secret: Fake.internalToken), // rule allowlist
            finding("internal-token", secret: Fake.internalToken, after: "  # fake"),  // targetRules, line
        ]
        let (kept, allowed) = allow.apply(to: findings)
        #expect(kept == [leak])
        #expect(allowed == findings.count - 1)
        // Scoped entries stay with their rule.
        #expect(!allow.apply(to: [finding(path: "tests/a.py")]).kept.isEmpty)
        #expect(!allow.apply(to: [finding(after: "  # fake")]).kept.isEmpty)
    }

    @Test("converted gitleaks rules compile as custos rules and find what gitleaks would")
    func convertedRulesCompile() throws {
        let result = try importGitleaks()
        let text = try #require(result.rules)
        let rules = try RuleLoader.parse(yaml: text, source: ConfigImport.rulesFileName)
        #expect(rules.map(\.id) == ["internal-token", "billing.key"])
        let engine = try Engine(ruleSet: RuleSet(rules), cacheDirectory: nil)
        #expect(engine.ruleSet.count == 2)

        let token = try #require(rules.first)
        #expect(token.pattern == #"(?i)\b(?P<secret>itk_[a-z0-9]{32})\b"#)
        #expect(token.keywords == ["itk_"])
        #expect(token.minEntropy == 3)
        #expect(token.tags == ["internal", "token", "gitleaks", "imported"])
        let billing = rules[1]
        #expect(billing.pattern.contains("(?P<secret>[A-Za-z0-9]{24})"))
        #expect(billing.keywords == ["billing"])   // derived: gitleaks gave none
        #expect(billing.paths == ["**/*.env"])

        // The custos engine finds the secret gitleaks's secretGroup names.
        let scanner = engine.makeScanner()
        var sink = FindingSink()
        Array("billing_key = \"\(Fake.password)\"\n".utf8).withUnsafeBytes {
            scanner.scan($0, region: BlobRegion(origin: .file("deploy/prod.env")), into: &sink)
        }
        #expect(sink.take().map(\.secret) == [Fake.password])

        let config = try configuration(result)
        #expect(config.rules.paths == [ConfigImport.rulesFileName])
    }

    @Test("rules that cannot be converted are notes, and the rest is imported")
    func conversionNotes() throws {
        let result = try importGitleaks()
        let skipped = result.notes.filter { $0.kind == .skipped }.map(\.description)
        #expect(skipped.contains { $0.contains("'no-keyword'") && $0.contains("add keywords") })
        #expect(skipped.contains { $0.contains("'path-only'") && $0.contains("file paths only") })
        let changed = result.notes.filter { $0.kind == .approximated }.map(\.description)
        #expect(changed.contains { $0.contains("useDefault") })
        #expect(changed.contains { $0.contains("'Billing.Key' is imported as 'billing.key'") })
        #expect(result.summary.first?.contains("2 rules converted") == true)
    }

    @Test("an id custos already has is renamed; a rule the engine refuses is a note")
    func renamedAndRefused() throws {
        let config = #"""
            [[rules]]
            id = "github-pat"
            regex = '''ghp_[A-Za-z0-9]{36}'''
            keywords = ["ghp_"]

            [[rules]]
            id = "broken"
            regex = '''tok_(?<=x'''
            keywords = ["tok_"]
            """#
        let result = try importGitleaks(config, reserved: ["github-pat"])
        let rules = try RuleLoader.parse(yaml: try #require(result.rules), source: "r.yaml")
        #expect(rules.map(\.id) == ["gitleaks-github-pat"])
        #expect(rules.first?.pattern == "(?P<secret>ghp_[A-Za-z0-9]{36})")
        #expect(result.notes.contains { $0.kind == .skipped && $0.message.contains("'broken' does not compile") })
    }

    @Test("secretGroup names the Nth group even past named and non-capturing groups")
    func secretGroupNumbering() throws {
        let config = #"""
            [[rules]]
            id = "third"
            regex = '''(?:x)(?P<user>[a-z]+):(p)=(tok_[0-9a-f]{16})'''
            secretGroup = 3
            keywords = ["tok_"]

            [[rules]]
            id = "out-of-range"
            regex = '''(tok_[0-9a-f]{16})'''
            secretGroup = 4
            keywords = ["tok_"]
            """#
        let result = try importGitleaks(config)
        let rules = try RuleLoader.parse(yaml: try #require(result.rules), source: "r.yaml")
        #expect(rules.map(\.pattern) == [#"(?:x)([a-z]+):(p)=(?P<secret>tok_[0-9a-f]{16})"#])
        #expect(result.notes.contains { $0.message.contains("'out-of-range': secretGroup") })
    }

    @Test("[extend] path is followed beside the file; the extending file's rules win")
    func extendPath() throws {
        let folder = try Folder([
            "base.toml": "[[rules]]\nid = \"shared\"\nregex = '''base_[0-9]{8}'''\nkeywords = [\"base_\"]\n"
                + "[[rules]]\nid = \"extra\"\nregex = '''extra_[0-9]{8}'''\nkeywords = [\"extra_\"]\n",
            ".gitleaks.toml": "[extend]\npath = \"base.toml\"\n[[rules]]\nid = \"shared\"\nregex = '''mine_[0-9]{8}'''\nkeywords = [\"mine_\"]\n",
        ])
        var importer = ConfigImport(ruleCheck: engineCheck)
        try importer.add(path: folder.file(".gitleaks.toml")) { try? String(contentsOfFile: $0, encoding: .utf8) }
        let rules = try RuleLoader.parse(yaml: try #require(importer.result().rules), source: "r.yaml")
        #expect(rules.map(\.id) == ["shared", "extra"])
        #expect(rules.first?.keywords == ["mine_"])
    }

    @Test("a malformed .gitleaks.toml fails the import with its line")
    func malformedToml() {
        var importer = ConfigImport()
        #expect {
            try importer.addGitleaksConfig("[[rules]]\nid = \"x\nregex = 'y'\n", source: ".gitleaks.toml")
        } throws: { error in
            (error as? LocatedError)?.location == ".gitleaks.toml:2"
        }
    }

    @Test(".gitleaksignore lines become allowed locations, with and without a commit")
    func gitleaksIgnore() throws {
        var importer = ConfigImport(ruleCheck: engineCheck)
        try importer.addGitleaksConfig(gitleaksConfig, source: ".gitleaks.toml")
        importer.addGitleaksIgnore("""
            # reviewed 2024-05
            src/app.env:generic-api-key:3
            1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d:old/keys.txt:internal-token:2
            not a fingerprint
            """, source: ".gitleaksignore")
        let result = importer.result()
        let allow = try configuration(result).allow
        #expect(allow.conditions.locations == [
            AllowedLocation(path: "src/app.env", line: 3),
            AllowedLocation(path: "old/keys.txt", line: 2, rule: "internal-token", commit: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"),
        ])
        #expect(allow.apply(to: [finding(path: "src/app.env", line: 3)]).allowed == 1)
        #expect(result.notes.contains { $0.location == ".gitleaksignore:4" && $0.kind == .skipped })
        #expect(result.configuration.contains("gitleaks rule generic-api-key"))
    }

    @Test(".secrets.baseline: hashed secrets become allow.sha1, its exclude filters excludes or regexes")
    func detectSecretsBaseline() throws {
        let hash = "18ac2ea9f915f00780c26aaefd32638a1a58b50f"
        let realHash = "0f1e2d3c4b5a69788796a5b4c3d2e1f001234567"
        let baseline = """
            {
              "version": "1.5.0",
              "filters_used": [
                {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
                {"path": "detect_secrets.filters.heuristic.is_likely_id_string"},
                {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^vendor/", "(?i).*_test\\\\.go$"]},
                {"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": ["noqa: secret"]}
              ],
              "results": {
                "config/settings.py": [
                  {"type": "Secret Keyword", "filename": "config/settings.py", "hashed_secret": "\(hash)", "is_verified": false, "line_number": 12}
                ],
                "deploy/prod.env": [
                  {"type": "Secret Keyword", "filename": "deploy/prod.env", "hashed_secret": "\(realHash)", "is_secret": true, "line_number": 3}
                ]
              }
            }
            """
        var importer = ConfigImport()
        try importer.addDetectSecretsBaseline(baseline, source: ".secrets.baseline")
        let result = importer.result()
        let config = try configuration(result)
        #expect(config.allow.conditions.sha1 == [hash])
        #expect(config.exclude == ["/vendor/**"])
        #expect(config.allow.conditions.pathRegexes.map(\.pattern) == ["(?i).*_test\\.go$"])
        #expect(config.allow.conditions.lineRegexes.map(\.pattern) == ["noqa: secret"])
        #expect(result.notes.contains { $0.location == "deploy/prod.env:3" && $0.message.contains("is_secret: true") })
        #expect(result.notes.contains { $0.message.contains("is_likely_id_string") })
        #expect(result.configuration.contains("config/settings.py:12 Secret Keyword"))
    }

    @Test("the 0.x baseline's exclude block is read too; a baseline that is not JSON is an error")
    func legacyBaseline() throws {
        var importer = ConfigImport()
        try importer.addDetectSecretsBaseline(#"{"exclude": {"files": "^node_modules/", "lines": null}, "results": {}}"#, source: "b")
        #expect(try configuration(importer.result()).exclude == ["/node_modules/**"])
        #expect(throws: LocatedError.self) { try importer.addDetectSecretsBaseline("not json", source: "b") }
        #expect(throws: LocatedError.self) { try importer.addDetectSecretsBaseline("{}", source: "b") }
    }

    @Test("values that YAML would misread stay strings in the written configuration")
    func quoting() throws {
        var importer = ConfigImport()
        try importer.addGitleaksConfig(#"""
            [allowlist]
            stopwords = ["no", "1e3", "it's", "*star", "!bang", "tab\there", "# hash"]
            """#, source: "g.toml")
        let config = try configuration(importer.result())
        #expect(config.allow.conditions.stopwords == ["no", "1e3", "it's", "*star", "!bang", "tab\there", "# hash"])
    }
}

@Suite("Pattern shapes")
struct PatternShapeTests {
    @Test("simple path regexes become globs that match the same paths", arguments: [
        (#"\.env$"#, ["**/*.env"]),
        (#"^vendor/"#, ["/vendor/**"]),
        (#"(^|/)node_modules/"#, ["**/node_modules/**"]),
        (#"(?:^|/)go\.sum$"#, ["**/go.sum"]),
        (#"^config/prod\.yaml$"#, ["/config/prod.yaml"]),
        ("fixtures", ["**/*fixtures*", "**/*fixtures*/**"]),
    ])
    func globs(regex: String, expected: [String]) throws {
        let config = try ScanConfiguration.parse(yaml: "allow:\n  paths: [\(expected.map { "'\($0)'" }.joined(separator: ", "))]\n",
                                                 source: "x", directory: "")
        let converted = try #require(PatternShape.globs(forPathRegex: regex))
        #expect(converted == expected)
        let peer = try PeerRegex(regex)
        for path in ["a/b.env", "vendor/x/y.go", "src/node_modules/m.js", "go.sum", "a/go.sum", "config/prod.yaml",
                     "x/config/prod.yaml", "test/fixtures/a", "myfixtures.txt", "README.md", "envs/a"] {
            let byGlob = config.allow.apply(to: [finding(path: path)]).allowed == 1
            #expect(byGlob == peer.matches(path), "\(regex) vs \(expected) on \(path)")
        }
    }

    @Test("regexes that are not simple paths give no glob", arguments: [#"(?i)\.md$"#, #"\.(bin|png)$"#, #"a.b"#, "^$", #"^/abs"#])
    func noGlob(regex: String) {
        #expect(PatternShape.globs(forPathRegex: regex) == nil)
    }
}
