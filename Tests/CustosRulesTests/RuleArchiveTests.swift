import CustosBuiltinRules
import CustosRules
import Foundation
import Testing

@Suite("Rule archive: the built-in rules as the build embeds them")
struct RuleArchiveTests {
    /// `rules/` of this source tree.
    static let rulesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("rules")

    @Test("the embedded rules are exactly those rules/*.yaml reads as, field by field and in order")
    func embeddedEqualsYAML() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.rulesFolder.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var parsed: [Rule] = []
        for name in names {
            let text = try String(contentsOf: Self.rulesFolder.appendingPathComponent(name), encoding: .utf8)
            parsed += try RuleLoader.parse(yaml: text, source: "rules/\(name)")
        }
        let embedded = try RuleLoader.builtin()
        #expect(embedded.count == parsed.count)
        #expect(embedded == parsed)
    }

    @Test("encoding then decoding gives the same rules, identity patterns and traits included")
    func roundTrip() throws {
        let rules = try RuleLoader.builtin()
        #expect(rules.contains { $0.identity != nil } && rules.contains { !$0.traits.isEmpty })
        let bytes = RuleArchive.encode(rules)
        let decoded = try RuleArchive.decode(bytes)
        #expect(decoded == rules)
    }

    @Test("a damaged archive is an error, never a trap: cut short, a wrong magic, a length past the end, trailing bytes")
    func damagedArchive() throws {
        let bytes = RuleArchive.encode(Array(try RuleLoader.builtin().prefix(3)))
        var damaged: [[UInt8]] = [Array(bytes.prefix(bytes.count / 2)), [0x43, 0x52, 0x41, 0x32] + bytes.dropFirst(4), bytes + [0]]
        var longString = bytes
        longString[8] = 0xff; longString[9] = 0xff; longString[10] = 0xff; longString[11] = 0x7f
        damaged.append(longString)
        for sample in damaged {
            #expect(throws: RuleError.self) { try RuleArchive.decode(sample) }
        }
    }
}
