import CustosBuiltinRules
import CustosEngine
import CustosRules
import Testing

@Suite("Rule files")
struct RuleLoaderTests {
    let valid = """
        rules:
          - id: demo-token
            name: Demo token
            pattern: '\\b(?P<secret>demo_[a-z0-9]{20})\\b'
            keywords: [demo_]
            min_entropy: 3
            confidence: high
            tags: [demo]
            identity:
              pattern: '(?P<identity>user_[a-z]+)'
              within: 64
            examples: ['x demo_a8f3k2m9q7w1e5r4t6y0 y']
        """

    @Test("a valid file becomes rules with every field")
    func parsesValid() throws {
        let rules = try RuleLoader.parse(yaml: valid, source: "demo.yaml")
        #expect(rules.count == 1)
        let rule = try #require(rules.first)
        #expect(rule.id == "demo-token")
        #expect(rule.keywords == ["demo_"])
        #expect(rule.minEntropy == 3)
        #expect(rule.confidence == .high)
        #expect(rule.identity == IdentityPattern(pattern: "(?P<identity>user_[a-z]+)", within: 64))
        #expect(rule.source == "demo.yaml:2")
    }

    @Test("an unknown key is named with its line, so typos do not pass silently")
    func unknownKey() {
        let yaml = valid.replacingOccurrences(of: "    min_entropy: 3", with: "    min_entropi: 3")
        #expect {
            try RuleLoader.parse(yaml: yaml, source: "demo.yaml")
        } throws: { error in
            "\(error)".contains("demo.yaml:6") && "\(error)".contains("unknown key 'min_entropi'")
        }
    }

    @Test("a pattern without a secret group is rejected")
    func missingSecretGroup() {
        let yaml = valid.replacingOccurrences(of: "?P<secret>", with: "?P<token>")
        #expect {
            try RuleLoader.parse(yaml: yaml, source: "demo.yaml")
        } throws: { error in
            "\(error)".contains("named group 'secret'")
        }
    }

    @Test("broken YAML reports the line")
    func brokenYAML() {
        #expect {
            try RuleLoader.parse(yaml: "rules:\n  - id: [unclosed\n", source: "bad.yaml")
        } throws: { error in
            "\(error)".hasPrefix("bad.yaml: not valid YAML: line")
        }
    }

    @Test("duplicate ids are refused with both places")
    func duplicateIDs() throws {
        let rules = try RuleLoader.parse(yaml: valid, source: "a.yaml") + RuleLoader.parse(yaml: valid, source: "b.yaml")
        #expect {
            try RuleSet(rules)
        } throws: { error in
            "\(error)".contains("b.yaml:2") && "\(error)".contains("already defined at a.yaml:2")
        }
    }

    @Test("confidence must be one of high, medium, low")
    func badConfidence() {
        let yaml = valid.replacingOccurrences(of: "confidence: high", with: "confidence: certain")
        #expect(throws: RuleError.self) { try RuleLoader.parse(yaml: yaml, source: "demo.yaml") }
    }
}

@Suite("Built-in rules")
struct BuiltinRulesTests {
    @Test("at least 80 rules ship, each with two examples and two negative examples")
    func count() throws {
        let rules = try RuleLoader.builtin()
        #expect(rules.count >= 80)
        for rule in rules {
            #expect(rule.examples.count >= 2, "\(rule.id)")
            #expect(rule.negativeExamples.count >= 2, "\(rule.id)")
            #expect(!rule.references.isEmpty, "\(rule.id)")
        }
    }

    @Test("every example is found and no negative example is, through prefilter, PCRE2 and filters")
    func examplesPass() throws {
        let engine = try Engine(ruleSet: RuleSet(RuleLoader.builtin()), cacheDirectory: nil, namedValues: .standard)
        let failures = RuleExampleCheck(engine: engine).run()
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test("rules check catches a rule whose example does not match")
    func checkCanFail() throws {
        let yaml = """
            rules:
              - id: broken
                name: Broken
                pattern: '(?P<secret>tok_[0-9]{8})'
                keywords: [tok_]
                examples: ['tok_12ab', 'tok_9f8e7d6c']
                negative_examples: ['tok_31415926', 'none']
                references: [https://example.org/spec]
            """
        let engine = try Engine(ruleSet: RuleSet(RuleLoader.parse(yaml: yaml, source: "broken.yaml")), cacheDirectory: nil)
        let messages = RuleExampleCheck(engine: engine).run().map(\.message)
        #expect(messages.contains("example 1 is not matched: the Vectorscan prefilter reports no candidate"))
        #expect(messages.contains { $0.hasPrefix("negative example 1 produces a finding") })
    }
}
