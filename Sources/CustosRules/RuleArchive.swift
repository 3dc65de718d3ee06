import CustosCore

/// Validated rules as compact bytes: the build embeds the built-in rules this way, checked
/// once when custos is built, so a run reads them without parsing YAML (a third of a warm
/// start with 400 rules).
///
/// Layout, little-endian: the magic `CRA1`, a UInt32 rule count, then per rule its fields in
/// declaration order; a string is a UInt32 byte count and UTF-8, a list a UInt32 count and its
/// strings, the entropy a Float64's bits, the identity pattern a presence byte before it.
public enum RuleArchive {
    static let magic: [UInt8] = Array("CRA1".utf8)

    /// The archive of `rules`.
    public static func encode(_ rules: [Rule]) -> [UInt8] {
        var writer = Writer()
        writer.bytes += magic
        writer.integer(rules.count)
        for rule in rules {
            writer.string(rule.id)
            writer.string(rule.name)
            writer.string(rule.description)
            writer.string(rule.pattern)
            writer.strings(rule.keywords)
            writer.integer64(rule.minEntropy.bitPattern)
            writer.string(rule.confidence.rawValue)
            writer.strings(rule.tags)
            writer.strings(rule.traits.map(\.rawValue).sorted())
            if let identity = rule.identity {
                writer.bytes.append(1)
                writer.string(identity.pattern)
                writer.integer(identity.within)
            } else {
                writer.bytes.append(0)
            }
            writer.strings(rule.allow)
            writer.strings(rule.paths)
            writer.strings(rule.examples)
            writer.strings(rule.negativeExamples)
            writer.strings(rule.references)
            writer.string(rule.source)
        }
        return writer.bytes
    }

    /// The rules of an archive `encode` wrote.
    public static func decode(_ bytes: [UInt8]) throws(RuleError) -> [Rule] {
        try bytes.withUnsafeBytes { raw in Result { () throws(RuleError) in try decode(raw) } }.get()
    }

    /// The rules of an archive `encode` wrote.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(RuleError) -> [Rule] {
        var reader = Reader(bytes: bytes)
        guard bytes.count >= magic.count, bytes.prefix(magic.count).elementsEqual(magic) else { throw reader.failure }
        reader.offset = magic.count
        let count = try reader.integer()
        var rules: [Rule] = []
        rules.reserveCapacity(min(count, 100_000))
        for _ in 0..<count {
            let id = try reader.string(), name = try reader.string(), description = try reader.string()
            let pattern = try reader.string(), keywords = try reader.strings()
            let minEntropy = Double(bitPattern: try reader.integer64())
            guard let confidence = Confidence(rawValue: try reader.string()) else { throw reader.failure }
            let tags = try reader.strings()
            var traits = Set<RuleTrait>()
            for raw in try reader.strings() {
                guard let trait = RuleTrait(rawValue: raw) else { throw reader.failure }
                traits.insert(trait)
            }
            var identity: IdentityPattern?
            if try reader.byte() == 1 {
                identity = IdentityPattern(pattern: try reader.string(), within: try reader.integer())
            }
            rules.append(Rule(id: id, name: name, description: description, pattern: pattern, keywords: keywords,
                              minEntropy: minEntropy, confidence: confidence, tags: tags, traits: traits, identity: identity,
                              allow: try reader.strings(), paths: try reader.strings(), examples: try reader.strings(),
                              negativeExamples: try reader.strings(), references: try reader.strings(), source: try reader.string()))
        }
        guard reader.offset == bytes.count else { throw reader.failure }
        return rules
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func integer(_ value: Int) {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { bytes += $0 }
        }

        mutating func integer64(_ value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        }

        mutating func string(_ value: String) {
            integer(value.utf8.count)
            bytes += value.utf8
        }

        mutating func strings(_ values: [String]) {
            integer(values.count)
            for value in values { string(value) }
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var failure: RuleError {
            RuleError(location: "built-in rule archive", message: "damaged at byte \(offset); rebuild custos")
        }

        mutating func take(_ count: Int) throws(RuleError) -> UnsafeRawBufferPointer {
            guard count >= 0, count <= bytes.count - offset else { throw failure }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        }

        mutating func byte() throws(RuleError) -> UInt8 { try take(1)[0] }

        mutating func integer() throws(RuleError) -> Int {
            Int(UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self)))
        }

        mutating func integer64() throws(RuleError) -> UInt64 {
            UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self))
        }

        mutating func string() throws(RuleError) -> String {
            String(decoding: try take(try integer()), as: UTF8.self)
        }

        mutating func strings() throws(RuleError) -> [String] {
            let count = try integer()
            guard count <= bytes.count - offset else { throw failure }
            var values: [String] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try string()) }
            return values
        }
    }
}
