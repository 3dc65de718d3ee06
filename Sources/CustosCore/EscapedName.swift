// Names as bytes, shown as text. File systems and archives hold names as bytes: Latin-1 on old
// SMB shares, CP437 in zips, anything an attacker likes. custos keeps the exact bytes to open
// and compare, and shows this form wherever a person reads a name (reports, warnings, the
// sweep state's paths). The trade-off: the form is injective (two different names never show
// the same) at the price of doubling the rare backslash in a name.

/// How a name made of bytes is shown: valid UTF-8 stays as it is, except that
///
/// - a byte that is not part of valid UTF-8 is shown as `\xE9`,
/// - control characters (C0, DEL, C1) are shown as `\x1B` or `\u{85}`, so a name cannot move
///   the cursor, forge a line of a report or ring the terminal,
/// - characters that reorder text on screen (bidirectional overrides and isolates) are shown
///   as `\u{202E}`, so a name cannot make a report read differently from what it says,
/// - a backslash is shown as `\\`, so no name can pass for an escaped one.
public enum EscapedName {
    /// The display form of `bytes`.
    public static func display<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        render(bytes)
    }

    private static func render<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if isPlain(bytes) { return String(decoding: bytes, as: UTF8.self) }
        var output = ""
        output.reserveCapacity(bytes.count + 8)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte < 0x20 || byte == 0x7f {
                    output += "\\x" + hex(byte)
                } else if byte == UInt8(ascii: "\\") {
                    output += "\\\\"
                } else {
                    output.unicodeScalars.append(Unicode.Scalar(byte))
                }
                index = bytes.index(after: index)
                continue
            }
            guard let (scalar, next) = decodeScalar(bytes, at: index) else {
                output += "\\x" + hex(byte)
                index = bytes.index(after: index)
                continue
            }
            if isHidden(scalar) {
                output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
            index = next
        }
        return output
    }

    /// The display form of `bytes` (the walker's case: one call per directory entry). A
    /// concrete overload, so the generic body is specialized here rather than run through
    /// generic metadata from another module.
    public static func display(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { render($0) }
    }

    /// The display form of a name already held as a `String` (valid Unicode): only control
    /// characters, reordering characters and backslashes change.
    public static func display(_ name: String) -> String {
        render(Array(name.utf8))
    }

    /// Whether the bytes show as they are: printable ASCII without a backslash, the common
    /// case, decided without decoding.
    private static func isPlain<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\\") }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
    }

    /// C1 controls, bidirectional embeddings, overrides and isolates, and the line and
    /// paragraph separators: characters that change how the rest of a line is shown.
    private static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0x9f, 0x200e, 0x200f, 0x2028...0x202e, 0x2066...0x2069, 0x061c: true
        default: false
        }
    }

    /// One well-formed UTF-8 sequence starting at `index` (no overlong forms, no surrogates),
    /// and the index after it; nil when the bytes there are not one.
    private static func decodeScalar<Bytes: Collection>(_ bytes: Bytes, at index: Bytes.Index)
        -> (Unicode.Scalar, Bytes.Index)? where Bytes.Element == UInt8 {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        switch lead {
        case 0xc2...0xdf: length = 2; value = UInt32(lead & 0x1f)
        case 0xe0...0xef: length = 3; value = UInt32(lead & 0x0f)
        case 0xf0...0xf4: length = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        var position = bytes.index(after: index)
        for _ in 1..<length {
            guard position != bytes.endIndex, bytes[position] & 0xc0 == 0x80 else { return nil }
            value = value << 6 | UInt32(bytes[position] & 0x3f)
            position = bytes.index(after: position)
        }
        let smallest: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= smallest, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, position)
    }
}
