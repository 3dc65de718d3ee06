// CustosDecoders: turns one blob into the texts a rule can read — UTF-16 transcoded to UTF-8,
// zip members (recursively, in memory, under limits against bombs), XML with its entities
// resolved, Logix escapes, SQLite rows, base64 values that decode to text, SCL rebuilt from
// SimaticML tokens, the credential columns of tables — and names where in a file's structure
// an offset sits (logical paths). Each derived text keeps a name that locates it
// (`backup.zip!/projects/x/code.py`) and the way back to its source lines (`DerivedText`), so
// findings point at lines a person can open. Matching stays in CustosEngine: every derived
// text goes through the same scanner. The trade-off: decoders are small and tolerant rather
// than full parsers, so broken input gives rougher results, never errors. This target never
// writes anything anywhere.

import Foundation

/// Text encodings recognised by sniffing.
public enum TextEncoding: Sendable, Equatable {
    case utf16LittleEndian(bom: Bool)
    case utf16BigEndian(bom: Bool)

    /// Recognises UTF-16 by its byte-order mark, or without one by the zero bytes that ASCII
    /// text leaves in every other position.
    public static func sniffUTF16(_ bytes: UnsafeRawBufferPointer) -> TextEncoding? {
        if bytes.count >= 2 {
            if bytes[0] == 0xff && bytes[1] == 0xfe { return .utf16LittleEndian(bom: true) }
            if bytes[0] == 0xfe && bytes[1] == 0xff { return .utf16BigEndian(bom: true) }
        }
        let sample = min(bytes.count & ~1, 4096)
        guard sample >= 8 else { return nil }
        var zeroEven = 0
        var zeroOdd = 0
        for index in stride(from: 0, to: sample, by: 2) {
            if bytes[index] == 0 { zeroEven += 1 }
            if bytes[index + 1] == 0 { zeroOdd += 1 }
        }
        let pairs = sample / 2
        if zeroOdd * 10 >= pairs * 7 && zeroEven * 10 <= pairs { return .utf16LittleEndian(bom: false) }
        if zeroEven * 10 >= pairs * 7 && zeroOdd * 10 <= pairs { return .utf16BigEndian(bom: false) }
        return nil
    }

    /// The text as UTF-8 (unpaired surrogates become U+FFFD), with the way back to the
    /// UTF-16 bytes: each code point maps to the two or four bytes it was written in.
    public func transcode(_ bytes: UnsafeRawBufferPointer) -> DecodedText {
        let (start, littleEndian): (Int, Bool) = switch self {
        case let .utf16LittleEndian(bom): (bom ? 2 : 0, true)
        case let .utf16BigEndian(bom): (bom ? 2 : 0, false)
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 2)
        var map = OffsetMap()
        var index = start
        @inline(__always) func unit(at offset: Int) -> UInt32 {
            let low = UInt32(bytes[offset])
            let high = UInt32(bytes[offset + 1])
            return littleEndian ? (high << 8 | low) : (low << 8 | high)
        }
        while index + 1 < bytes.count {
            var scalar = unit(at: index)
            var width = 2
            if (0xd800..<0xdc00).contains(scalar), index + 3 < bytes.count {
                let next = unit(at: index + 2)
                if (0xdc00..<0xe000).contains(next) {
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (next - 0xdc00)
                    width = 4
                }
            }
            if (0xd800..<0xe000).contains(scalar) { scalar = 0xfffd }
            let before = output.count
            UTF8.encode(Unicode.Scalar(scalar) ?? "\u{fffd}") { output.append($0) }
            map.append(derivedStart: before, sourceStart: index, units: 1, derivedUnit: output.count - before, sourceUnit: width)
            index += width
        }
        return DecodedText(bytes: output, map: map)
    }
}

/// A text decoded out of another (transcoded, unescaped), with the way back to its bytes.
public struct DecodedText: Sendable {
    public var bytes: [UInt8]
    /// From offsets in `bytes` to offsets in the text it was decoded from.
    public var map: OffsetMap

    public init(bytes: [UInt8], map: OffsetMap) {
        self.bytes = bytes
        self.map = map
    }
}

/// Resolves XML character references and the five predefined entities, keeping every line
/// on its line: a reference to a line break becomes a space.
public enum XMLEntities {
    /// Whether `bytes` looks like XML with references worth resolving. The first bytes decide
    /// before any search: plain text costs a handful of comparisons, XML one `memchr`.
    public static func worthDecoding(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count && (bytes[index] == 0x20 || bytes[index] == 0x0a || bytes[index] == 0x0d
                                        || bytes[index] == 0x09 || bytes[index] == 0xef || bytes[index] == 0xbb || bytes[index] == 0xbf) {
            index += 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<"), let base = bytes.baseAddress else { return false }
        return memchr(base + index, Int32(UInt8(ascii: "&")), bytes.count - index) != nil
    }

    /// The text with references resolved, mapped back to `bytes`: copied stretches byte for
    /// byte, each reference as one unit.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> DecodedText {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var map = OffsetMap()
        var index = 0
        var copyFrom = 0
        let cdataOpen = Array("<![CDATA[".utf8)
        let cdataClose = Array("]]>".utf8)
        func startsWith(_ marker: [UInt8], at position: Int) -> Bool {
            position + marker.count <= bytes.count && marker.indices.allSatisfy { bytes[position + $0] == marker[$0] }
        }
        func flush(upTo end: Int) {
            guard end > copyFrom else { return }
            map.copy(derivedStart: output.count, sourceStart: copyFrom, count: end - copyFrom)
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[copyFrom..<end]))
        }
        while index < bytes.count {
            let byte = bytes[index]
            // CDATA content is literal: copy it through untouched.
            if byte == UInt8(ascii: "<") && startsWith(cdataOpen, at: index) {
                var end = index + cdataOpen.count
                while end < bytes.count && !startsWith(cdataClose, at: end) { end += 1 }
                index = min(bytes.count, end + cdataClose.count)
                continue
            }
            guard byte == UInt8(ascii: "&"),
                  let end = (index + 1..<min(bytes.count, index + 12)).first(where: { bytes[$0] == UInt8(ascii: ";") }),
                  let scalar = resolve(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end]), as: UTF8.self)) else {
                index += 1
                continue
            }
            flush(upTo: index)
            let start = output.count
            if scalar == "\n" || scalar == "\r" {
                output.append(0x20)
            } else {
                UTF8.encode(scalar) { output.append($0) }
            }
            map.replace(derived: start..<output.count, source: index..<(end + 1))
            index = end + 1
            copyFrom = index
        }
        flush(upTo: bytes.count)
        return DecodedText(bytes: output, map: map)
    }

    private static func resolve(_ name: String) -> Unicode.Scalar? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            if name.hasPrefix("#x") || name.hasPrefix("#X") { return UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
            if name.hasPrefix("#") { return UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init) }
            return nil
        }
    }
}

/// Rockwell Logix string escapes, as L5K and the L5X `String` data format write them: `$$`,
/// `$'`, `$"`, `$L`/`$N`/`$R`/`$P`/`$T` for control characters, `$hh` for any byte. Control
/// characters become spaces so every value stays on its line.
public enum LogixEscapes {
    /// Whether a file name is a Logix export whose strings use these escapes.
    public static func applies(to path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".l5x") || lower.hasSuffix(".l5k")
    }

    /// The text with escapes resolved, mapped back to `bytes`: copied stretches byte for
    /// byte, each escape as one unit (a dropped `$00` maps to nothing).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> DecodedText {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var map = OffsetMap()
        var index = 0
        var copyFrom = 0
        func flush(upTo end: Int) {
            guard end > copyFrom else { return }
            map.copy(derivedStart: output.count, sourceStart: copyFrom, count: end - copyFrom)
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[copyFrom..<end]))
        }
        func emit(_ value: UInt8?, escape length: Int) {
            flush(upTo: index)
            if let value {
                map.replace(derived: output.count..<(output.count + 1), source: index..<(index + length))
                output.append(value)
            }
            index += length
            copyFrom = index
        }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "$"), index + 1 < bytes.count else {
                index += 1
                continue
            }
            let next = bytes[index + 1]
            switch next {
            case UInt8(ascii: "$"), UInt8(ascii: "'"), UInt8(ascii: "\""):
                emit(next, escape: 2)
            case UInt8(ascii: "L"), UInt8(ascii: "l"), UInt8(ascii: "N"), UInt8(ascii: "n"), UInt8(ascii: "R"),
                 UInt8(ascii: "r"), UInt8(ascii: "P"), UInt8(ascii: "p"), UInt8(ascii: "T"), UInt8(ascii: "t"):
                emit(0x20, escape: 2)
            default:
                if index + 2 < bytes.count, let value = hexValue(next, bytes[index + 2]) {
                    // $00 pads fixed-length strings: drop it; other control bytes become spaces.
                    emit(value >= 0x20 ? value : (value != 0 ? 0x20 : nil), escape: 3)
                } else {
                    index += 1
                }
            }
        }
        flush(upTo: bytes.count)
        return DecodedText(bytes: output, map: map)
    }

    private static func hexValue(_ high: UInt8, _ low: UInt8) -> UInt8? {
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x37
            case 0x61...0x66: c - 0x57
            default: nil
            }
        }
        guard let h = nibble(high), let l = nibble(low) else { return nil }
        return h << 4 | l
    }
}
