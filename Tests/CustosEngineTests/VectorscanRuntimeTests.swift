import CustosCore
import CustosEngine
import CustosRules
import Foundation
import Testing

/// Shapes that Vectorscan 5.4.9's AVX-512 and AVX2 code paths get wrong (they report no
/// candidate, so the secret is never confirmed): a long run through a repeated class before
/// more pattern, and a set of literals deep in a buffer. custos pins the SSE4.2 path; these
/// tests fail if a change lets the faulty paths back in.
@Suite("Vectorscan code path")
struct VectorscanRuntimeTests {
    /// Each shape alone in its database: with other rules beside it Vectorscan builds other
    /// automata, and the faulty code paths are no longer reached.
    static let gapRules = """
        rules:
          - id: tag-gap
            name: Value after a long tag
            pattern: '<Tag[^>]*>\\s<Data value="(?P<secret>[A-Za-z0-9]{12,40})"'
            keywords: ['<tag']
          - id: dot-gap
            name: Anything between two words
            pattern: 'begin.*end\\s(?P<secret>[A-Za-z0-9]{12,40})'
            keywords: [begin]
        """
    static let literalRules = """
        rules:
          - id: literal-set
            name: One of several names
            pattern: '(?:API_KEY|ACCESS_KEY|APIKEY|TOKEN|SECRET)=(?P<secret>[A-Za-z0-9]{16,64})'
            keywords: ['=']
        """

    let secret = "Zq8rLm2xVb7kNp4T"
    let gaps: Engine
    let literals: Engine

    init() throws {
        gaps = try Engine(ruleSet: RuleSet(RuleLoader.parse(yaml: Self.gapRules, source: "gaps.yaml")), cacheDirectory: nil)
        literals = try Engine(ruleSet: RuleSet(RuleLoader.parse(yaml: Self.literalRules, source: "literals.yaml")), cacheDirectory: nil)
    }

    func found(_ text: String, rule: String, in engine: Engine) -> Bool {
        scan(text, engine: engine).contains { $0.ruleID == rule && $0.secret == secret }
    }

    @Test("a long run of a repeated class before the rest of the pattern is still found")
    func longRuns() {
        for run in stride(from: 0, through: 400, by: 9) {
            let attributes = String(repeating: "a", count: run)
            #expect(found("<Tag \(attributes)> <Data value=\"\(secret)\"", rule: "tag-gap", in: gaps), "run of \(run)")
            #expect(found("begin \(attributes)end \(secret)", rule: "dot-gap", in: gaps), "run of \(run)")
        }
    }

    @Test("one of a set of literals is found however much text precedes it")
    func literalsDeep() {
        for offset in stride(from: 0, through: 400, by: 7) {
            let before = String(repeating: "x", count: offset)
            #expect(found(before + "API_KEY=\(secret)", rule: "literal-set", in: literals), "after \(offset) bytes")
        }
    }
}
