import CustosBuiltinRules
import CustosEngine
import CustosRules
import Foundation
import Testing

@Suite("Built-in rules' database, compiled at build time")
struct BuiltinPatternsTests {
    @Test("the embedded database is the one the built-in rules ask for (same key)")
    func keyMatchesBuiltinRules() throws {
        #expect(BuiltinPatterns.key == PrebuiltPatternDatabases.key(for: try RuleSet(RuleLoader.builtin())))
    }

    @Test("it is byte for byte what compiling the built-in rules now gives")
    func imageEqualsFreshCompile() throws {
        let fresh = try PrebuiltPatternDatabases.compile(try RuleSet(RuleLoader.builtin()))
        #expect(fresh.key == BuiltinPatterns.key)
        #expect(fresh.image == BuiltinPatterns.image)
    }

    @Test("an engine for the built-in rules loads it (nothing compiled into an empty cache) and passes every rule's examples")
    func engineLoadsEmbeddedDatabase() throws {
        BuiltinPatterns.register()
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("custos-prebuilt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let engine = try Engine(ruleSet: try RuleSet(RuleLoader.builtin()), cacheDirectory: cache)
        #expect(!FileManager.default.fileExists(atPath: cache.path), "a compile would have written the cache")
        let failures = RuleExampleCheck(engine: engine).run()
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test("a rule set the build did not foresee is compiled and cached as before")
    func otherRuleSetsCompile() throws {
        BuiltinPatterns.register()
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("custos-prebuilt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let fewer = try RuleSet(RuleLoader.builtin()).selecting(RuleSelection(only: ["github-*"]))
        _ = try Engine(ruleSet: fewer, cacheDirectory: cache)
        let cached = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(cached.count == 1)
    }
}
