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

    /// The text as UTF-8 (unpaired surrogates become U+FFFD).
    public func transcode(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        let (start, littleEndian): (Int, Bool) = switch self {
        case let .utf16LittleEndian(bom): (bom ? 2 : 0, true)
        case let .utf16BigEndian(bom): (bom ? 2 : 0, false)
        }
        var index = start
        while index + 1 < bytes.count {
            let low = UInt16(bytes[index])
            let high = UInt16(bytes[index + 1])
            units.append(littleEndian ? (high << 8 | low) : (low << 8 | high))
            index += 2
        }
        var output: [UInt8] = []
        output.reserveCapacity(units.count)
        _ = Swift.transcode(units.makeIterator(), from: UTF16.self, to: UTF8.self, stoppingOnError: false) {
            output.append($0)
        }
        return output
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

    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        let cdataOpen = Array("<![CDATA[".utf8)
        let cdataClose = Array("]]>".utf8)
        func startsWith(_ marker: [UInt8], at position: Int) -> Bool {
            position + marker.count <= bytes.count && marker.indices.allSatisfy { bytes[position + $0] == marker[$0] }
        }
        while index < bytes.count {
            let byte = bytes[index]
            // CDATA content is literal: copy it through untouched.
            if byte == UInt8(ascii: "<") && startsWith(cdataOpen, at: index) {
                var end = index + cdataOpen.count
                while end < bytes.count && !startsWith(cdataClose, at: end) { end += 1 }
                end = min(bytes.count, end + cdataClose.count)
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<end]))
                index = end
                continue
            }
            guard byte == UInt8(ascii: "&"),
                  let end = (index + 1..<min(bytes.count, index + 12)).first(where: { bytes[$0] == UInt8(ascii: ";") }) else {
                output.append(byte)
                index += 1
                continue
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end]), as: UTF8.self)
            if let scalar = resolve(name) {
                if scalar == "\n" || scalar == "\r" {
                    output.append(0x20)
                } else {
                    output.append(contentsOf: Array(String(Character(scalar)).utf8))
                }
                index = end + 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
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

    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "$"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            let next = bytes[index + 1]
            switch next {
            case UInt8(ascii: "$"), UInt8(ascii: "'"), UInt8(ascii: "\""):
                output.append(next)
                index += 2
            case UInt8(ascii: "L"), UInt8(ascii: "l"), UInt8(ascii: "N"), UInt8(ascii: "n"), UInt8(ascii: "R"),
                 UInt8(ascii: "r"), UInt8(ascii: "P"), UInt8(ascii: "p"), UInt8(ascii: "T"), UInt8(ascii: "t"):
                output.append(0x20)
                index += 2
            default:
                if index + 2 < bytes.count, let value = hexValue(next, bytes[index + 2]) {
                    // $00 pads fixed-length strings: drop it; other control bytes become spaces.
                    if value >= 0x20 { output.append(value) } else if value != 0 { output.append(0x20) }
                    index += 3
                } else {
                    output.append(byte)
                    index += 1
                }
            }
        }
        return output
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
