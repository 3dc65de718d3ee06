// Byte-level helpers shared by the named-value extractors: character classes, ranges as
// text, trimming, line ends, and the value decoders (XML entities, backslash escapes, IEC `$`
// escapes, doubled quotes) that report where each decoded byte came from when asked. Every
// index is checked against the buffer before it is read: input never traps.

import Foundation

enum ASCII {
    static let tab: UInt8 = 0x09, newline: UInt8 = 0x0a, carriageReturn: UInt8 = 0x0d, space: UInt8 = 0x20
    static let quote: UInt8 = 0x22, apostrophe: UInt8 = 0x27, backslash: UInt8 = 0x5c, dollar: UInt8 = 0x24
    static let equals: UInt8 = 0x3d, colon: UInt8 = 0x3a, semicolon: UInt8 = 0x3b, comma: UInt8 = 0x2c
    static let hash: UInt8 = 0x23, slash: UInt8 = 0x2f, less: UInt8 = 0x3c, greater: UInt8 = 0x3e
    static let ampersand: UInt8 = 0x26, openBracket: UInt8 = 0x5b, closeBracket: UInt8 = 0x5d
    static let openBrace: UInt8 = 0x7b, closeBrace: UInt8 = 0x7d, openParen: UInt8 = 0x28, closeParen: UInt8 = 0x29
    static let dot: UInt8 = 0x2e, dash: UInt8 = 0x2d, underscore: UInt8 = 0x5f, backtick: UInt8 = 0x60
    static let exclamation: UInt8 = 0x21, question: UInt8 = 0x3f, at: UInt8 = 0x40, plus: UInt8 = 0x2b
    static let star: UInt8 = 0x2a, percent: UInt8 = 0x25, pipe: UInt8 = 0x7c

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte }
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { byte == space || byte == tab }
    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == newline || byte == carriageReturn || byte == 0x0c
    }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
    }
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5a }
    @inline(__always) static func isLowerLetter(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7a }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
    /// Letters, digits, `_`, and any byte of a multi-byte UTF-8 sequence (names in any language).
    @inline(__always) static func isNameByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == underscore || byte >= 0x80
    }
    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool { hexValue(byte) != nil }
}

extension UnsafeRawBufferPointer {
    @inline(__always) func byte(at index: Int) -> UInt8? {
        index >= 0 && index < count ? self[index] : nil
    }

    func string(_ range: Range<Int>) -> String {
        let clamped = range.clamped(to: 0..<count)
        return String(decoding: UnsafeRawBufferPointer(rebasing: self[clamped]), as: UTF8.self)
    }

    func bytes(_ range: Range<Int>) -> [UInt8] {
        let clamped = range.clamped(to: 0..<count)
        return Array(UnsafeRawBufferPointer(rebasing: self[clamped]))
    }

    /// The end of the line holding `index` (the offset of its `\n`, or `count`).
    func lineEnd(from index: Int) -> Int {
        guard index < count, let base = baseAddress else { return count }
        guard let hit = memchr(base + index, Int32(ASCII.newline), count - index) else { return count }
        return UnsafeRawPointer(hit) - base
    }

    /// `range` without leading and trailing spaces, tabs and carriage returns.
    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        var end = Swift.min(range.upperBound, count)
        while start < end && (ASCII.isSpace(self[start]) || self[start] == ASCII.carriageReturn) { start += 1 }
        while end > start && (ASCII.isSpace(self[end - 1]) || self[end - 1] == ASCII.carriageReturn || self[end - 1] == ASCII.newline) { end -= 1 }
        return start..<end
    }

    func skipSpaces(from index: Int, limit: Int? = nil) -> Int {
        let end = Swift.min(limit ?? count, count)
        var index = index
        while index < end && ASCII.isSpace(self[index]) { index += 1 }
        return index
    }

    func skipWhitespace(from index: Int, limit: Int? = nil) -> Int {
        let end = Swift.min(limit ?? count, count)
        var index = index
        while index < end && ASCII.isWhitespace(self[index]) { index += 1 }
        return index
    }

    /// Whether the bytes at `index` are `literal`, ignoring ASCII case (`literal` lowercase).
    func matches(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index >= 0, index + length <= count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where ASCII.lower(self[index + offset]) != pointer[offset] { return false }
        return true
    }

    /// Whether the bytes at `index` are exactly `literal` (case sensitive).
    func matchesExactly(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index >= 0, index + length <= count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where self[index + offset] != pointer[offset] { return false }
        return true
    }

    /// The first offset of `byte` in `range`, found with `memchr`.
    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        let clamped = range.clamped(to: 0..<count)
        guard !clamped.isEmpty, let base = baseAddress else { return nil }
        guard let hit = memchr(base + clamped.lowerBound, Int32(byte), clamped.count) else { return nil }
        return UnsafeRawPointer(hit) - base
    }

    /// Whether `range` holds `literal` anywhere, ignoring ASCII case (`literal` lowercase).
    func contains(_ literal: StaticString, in range: Range<Int>) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard length > 0 else { return true }
        let clamped = range.clamped(to: 0..<count)
        guard clamped.count >= length, let base = baseAddress else { return false }
        // Candidates come from memchr on the first byte (both cases of a letter): whole files
        // are searched this way, and most of their bytes are never looked at one by one.
        let first = literal.utf8Start[0]
        let other = first >= 0x61 && first <= 0x7a ? first - 0x20 : first
        let last = clamped.upperBound - length
        func next(_ byte: UInt8, from start: Int) -> Int? {
            guard start <= last, let hit = memchr(base + start, Int32(byte), last - start + 1) else { return nil }
            return UnsafeRawPointer(hit) - base
        }
        var lower = next(first, from: clamped.lowerBound)
        var upper = other == first ? nil : next(other, from: clamped.lowerBound)
        while true {
            let index: Int
            switch (lower, upper) {
            case let (l?, u?): index = Swift.min(l, u)
            case let (l?, nil): index = l
            case let (nil, u?): index = u
            case (nil, nil): return false
            }
            if matches(literal, at: index) { return true }
            if index == lower { lower = next(first, from: index + 1) }
            if index == upper { upper = next(other, from: index + 1) }
        }
    }
}

extension String {
    /// Whether the text holds `literal` (lowercase ASCII) anywhere, ASCII case ignored: no
    /// lowered copy, no Foundation search (names are looked at thousands of times a file).
    func contains(asciiIgnoringCase literal: StaticString) -> Bool {
        var text = self
        return text.withUTF8 { UnsafeRawBufferPointer($0).contains(literal, in: 0..<$0.count) }
    }
}

extension Array where Element == UInt8 {
    /// Whether the bytes start with `literal`, ignoring ASCII case (`literal` lowercase).
    func hasPrefix(ignoringCase literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard count >= length else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where ASCII.lower(self[offset]) != pointer[offset] { return false }
        return true
    }

    func contains(ignoringCase literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard length > 0 else { return true }
        guard count >= length else { return false }
        let pointer = literal.utf8Start
        var index = 0
        while index + length <= count {
            var offset = 0
            while offset < length && ASCII.lower(self[index + offset]) == pointer[offset] { offset += 1 }
            if offset == length { return true }
            index += 1
        }
        return false
    }
}

/// Decoded bytes with, when asked for, the source offset each one came from, so a value found
/// inside a decoded value (code in a JSON string, a command in an XML element) keeps its exact
/// place.
struct DecodedValue {
    var bytes: [UInt8] = []
    /// `offsets[i]` is the source offset of `bytes[i]`; nil when not recorded.
    var offsets: [Int]?
    /// `ends[i]` is where the source construct that gave `bytes[i]` ends (`&amp;` is five
    /// bytes long); recorded with `offsets`.
    var ends: [Int]?
    var encoding: ValueEncoding = .plain
    /// Set when positions inside are unknown: every part reports the whole source span.
    var wholeSpan = false

    init(recordingOffsets: Bool) {
        offsets = recordingOffsets ? [] : nil
        ends = recordingOffsets ? [] : nil
    }

    @inline(__always) mutating func append(_ byte: UInt8, from offset: Int, to end: Int? = nil) {
        bytes.append(byte)
        offsets?.append(offset)
        ends?.append(end ?? offset + 1)
    }

    /// Appends another decoded run (a cell's next `<w:t>`, a shared string's next run).
    mutating func append(contentsOf other: DecodedValue) {
        bytes += other.bytes
        if offsets != nil { offsets! += other.offsets ?? [] }
        if ends != nil { ends! += other.ends ?? (other.offsets ?? []).map { $0 + 1 } }
        if other.encoding != .plain { encoding = other.encoding }
    }

    /// The bytes from `start` on, with their places.
    func dropping(first start: Int) -> DecodedValue {
        var copy = DecodedValue(recordingOffsets: offsets != nil)
        guard start <= bytes.count else { return copy }
        copy.bytes = Array(bytes[start...])
        copy.offsets = offsets.map { Array($0[min(start, $0.count)...]) }
        copy.ends = ends.map { Array($0[min(start, $0.count)...]) }
        copy.encoding = encoding
        return copy
    }

    /// The bytes in `range`, with their places.
    func slice(_ range: Range<Int>) -> DecodedValue {
        var copy = DecodedValue(recordingOffsets: offsets != nil)
        let clamped = range.clamped(to: 0..<bytes.count)
        copy.bytes = Array(bytes[clamped])
        copy.offsets = offsets.map { Array($0[clamped.clamped(to: 0..<$0.count)]) }
        copy.ends = ends.map { Array($0[clamped.clamped(to: 0..<$0.count)]) }
        copy.encoding = encoding
        return copy
    }

    mutating func appendScalar(_ scalar: UInt32, from offset: Int, to end: Int? = nil) {
        var scalar = scalar
        if scalar > 0x10ffff || (scalar >= 0xd800 && scalar <= 0xdfff) { scalar = 0xfffd }
        if scalar < 0x80 {
            append(UInt8(scalar), from: offset, to: end)
        } else if scalar < 0x800 {
            append(UInt8(0xc0 | (scalar >> 6)), from: offset, to: end)
            append(UInt8(0x80 | (scalar & 0x3f)), from: offset, to: end)
        } else if scalar < 0x10000 {
            append(UInt8(0xe0 | (scalar >> 12)), from: offset, to: end)
            append(UInt8(0x80 | ((scalar >> 6) & 0x3f)), from: offset, to: end)
            append(UInt8(0x80 | (scalar & 0x3f)), from: offset, to: end)
        } else {
            append(UInt8(0xf0 | (scalar >> 18)), from: offset, to: end)
            append(UInt8(0x80 | ((scalar >> 12) & 0x3f)), from: offset, to: end)
            append(UInt8(0x80 | ((scalar >> 6) & 0x3f)), from: offset, to: end)
            append(UInt8(0x80 | (scalar & 0x3f)), from: offset, to: end)
        }
    }

    /// The source range of `bytes[range]`, given the source range the whole value spans.
    func sourceRange(of range: Range<Int>, within span: Range<Int>) -> Range<Int> {
        if wholeSpan { return span }
        guard let offsets, !range.isEmpty, range.upperBound <= offsets.count else {
            return (span.lowerBound + range.lowerBound)..<(span.lowerBound + range.upperBound)
        }
        let start = offsets[range.lowerBound]
        // The end of the last decoded byte's source construct.
        let end = ends.flatMap { range.upperBound <= $0.count ? $0[range.upperBound - 1] : nil } ?? (offsets[range.upperBound - 1] + 1)
        return start..<Swift.max(start + 1, end)
    }
}

/// The decoders of escaped values.
enum ValueDecoding {
    /// XML character references and the five predefined entities.
    static func xmlEntities(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, into output: inout DecodedValue) {
        var index = range.lowerBound
        let end = min(range.upperBound, text.count)
        while index < end {
            let byte = text[index]
            guard byte == ASCII.ampersand, let semicolon = text.firstIndex(of: ASCII.semicolon, in: (index + 1)..<min(end, index + 12)) else {
                output.append(byte, from: index)
                index += 1
                continue
            }
            let name = (index + 1)..<semicolon
            var resolved: UInt32?
            if text.matchesExactly("lt", at: name.lowerBound) && name.count == 2 { resolved = 0x3c }
            else if text.matchesExactly("gt", at: name.lowerBound) && name.count == 2 { resolved = 0x3e }
            else if text.matchesExactly("amp", at: name.lowerBound) && name.count == 3 { resolved = 0x26 }
            else if text.matchesExactly("apos", at: name.lowerBound) && name.count == 4 { resolved = 0x27 }
            else if text.matchesExactly("quot", at: name.lowerBound) && name.count == 4 { resolved = 0x22 }
            else if name.count >= 2 && text[name.lowerBound] == ASCII.hash {
                var value: UInt32 = 0
                var valid = true
                if text[name.lowerBound + 1] == 0x78 || text[name.lowerBound + 1] == 0x58 {
                    for i in (name.lowerBound + 2)..<name.upperBound {
                        guard let digit = ASCII.hexValue(text[i]) else { valid = false; break }
                        value = value &* 16 &+ UInt32(digit)
                    }
                    valid = valid && name.count > 2
                } else {
                    for i in (name.lowerBound + 1)..<name.upperBound {
                        guard ASCII.isDigit(text[i]) else { valid = false; break }
                        value = value &* 10 &+ UInt32(text[i] - 0x30)
                    }
                }
                if valid { resolved = value }
            }
            if let resolved {
                output.appendScalar(resolved, from: index, to: semicolon + 1)
                output.encoding = .xmlEntities
                index = semicolon + 1
            } else {
                output.append(byte, from: index)
                index += 1
            }
        }
    }

    enum BackslashStyle { case json, cLike, properties }

    /// Backslash escapes: `\n \t \r \\ \" \' \/ \uXXXX \xHH` and octal in C-like strings.
    static func backslashes(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, style: BackslashStyle,
                            into output: inout DecodedValue) {
        var index = range.lowerBound
        let end = min(range.upperBound, text.count)
        var pendingHighSurrogate: UInt32?
        while index < end {
            let byte = text[index]
            guard byte == ASCII.backslash, index + 1 < end else {
                output.append(byte, from: index)
                index += 1
                continue
            }
            let next = text[index + 1]
            output.encoding = .stringEscapes
            switch next {
            case 0x6e: output.append(ASCII.newline, from: index, to: index + 2); index += 2
            case 0x74: output.append(ASCII.tab, from: index, to: index + 2); index += 2
            case 0x72: output.append(ASCII.carriageReturn, from: index, to: index + 2); index += 2
            case 0x62 where style != .properties: output.append(0x08, from: index, to: index + 2); index += 2
            case 0x66: output.append(0x0c, from: index, to: index + 2); index += 2
            case 0x30 where style == .cLike && !(index + 2 < end && ASCII.isDigit(text[index + 2])):
                output.append(0, from: index, to: index + 2); index += 2
            case 0x75:
                // \uXXXX, with UTF-16 surrogate pairs joined.
                var value: UInt32 = 0
                var digits = 0
                while digits < 4, index + 2 + digits < end, let digit = ASCII.hexValue(text[index + 2 + digits]) {
                    value = value << 4 | UInt32(digit)
                    digits += 1
                }
                guard digits == 4 else { output.append(next, from: index, to: index + 2); index += 2; continue }
                if value >= 0xd800 && value < 0xdc00 {
                    pendingHighSurrogate = value
                } else if value >= 0xdc00 && value < 0xe000, let high = pendingHighSurrogate {
                    output.appendScalar(0x10000 + ((high - 0xd800) << 10) + (value - 0xdc00), from: index - 6, to: index + 6)
                    pendingHighSurrogate = nil
                } else {
                    output.appendScalar(value, from: index, to: index + 6)
                }
                index += 6
                continue
            case 0x78 where style == .cLike:
                if index + 3 < end, let high = ASCII.hexValue(text[index + 2]), let low = ASCII.hexValue(text[index + 3]) {
                    output.append(high << 4 | low, from: index, to: index + 4)
                    index += 4
                } else {
                    output.append(next, from: index, to: index + 2)
                    index += 2
                }
            case ASCII.newline where style == .properties:
                // A continued line: the break and the next line's leading spaces vanish.
                index += 2
                while index < end && (ASCII.isSpace(text[index]) || text[index] == ASCII.carriageReturn) { index += 1 }
            default:
                output.append(next, from: index, to: index + 2)
                index += 2
            }
            pendingHighSurrogate = nil
        }
    }

    /// IEC 61131-3 and Logix string escapes: `$$`, `$'`, `$"`, `$L`, `$N`, `$P`, `$R`, `$T`, `$hh`.
    static func logixEscapes(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, into output: inout DecodedValue) {
        var index = range.lowerBound
        let end = min(range.upperBound, text.count)
        while index < end {
            let byte = text[index]
            guard byte == ASCII.dollar, index + 1 < end else {
                output.append(byte, from: index)
                index += 1
                continue
            }
            output.encoding = .logixEscapes
            let next = text[index + 1]
            if index + 2 < end, let high = ASCII.hexValue(next), let low = ASCII.hexValue(text[index + 2]) {
                output.append(high << 4 | low, from: index, to: index + 3)
                index += 3
                continue
            }
            switch ASCII.lower(next) {
            case 0x6c, 0x6e: output.append(ASCII.newline, from: index, to: index + 2)
            case 0x70: output.append(0x0c, from: index, to: index + 2)
            case 0x72: output.append(ASCII.carriageReturn, from: index, to: index + 2)
            case 0x74: output.append(ASCII.tab, from: index, to: index + 2)
            default: output.append(next, from: index, to: index + 2)
            }
            index += 2
        }
    }

    /// Doubled quotes (`''` in SQL, `""` in CSV) undone.
    static func doubledQuotes(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, quote: UInt8, into output: inout DecodedValue) {
        var index = range.lowerBound
        let end = min(range.upperBound, text.count)
        while index < end {
            let byte = text[index]
            let doubled = byte == quote && index + 1 < end && text[index + 1] == quote
            output.append(byte, from: index, to: doubled ? index + 2 : index + 1)
            if doubled {
                output.encoding = .doubledQuotes
                index += 2
            } else {
                index += 1
            }
        }
    }

    /// The bytes of `range` as they are.
    static func plain(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, into output: inout DecodedValue) {
        let clamped = range.clamped(to: 0..<text.count)
        output.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[clamped]))
        if output.offsets != nil { output.offsets!.append(contentsOf: clamped) }
        if output.ends != nil { output.ends!.append(contentsOf: clamped.map { $0 + 1 }) }
    }
}

/// Shannon entropy in bits per byte.
enum Entropy {
    static func bitsPerByte<C: Collection>(_ bytes: C) -> Double where C.Element == UInt8 {
        guard !bytes.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        var entropy = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / total
            entropy -= p * log2(p)
        }
        return entropy
    }
}

extension String {
    /// The string without leading and trailing bytes of `set` (ASCII bytes only). Foundation's
    /// `trimmingCharacters(in:)` bridges through UTF-16 and builds a character set per call:
    /// this walks the UTF-8 bytes and copies at most once.
    func trimmingASCII(_ set: StaticString) -> String {
        let members = UnsafeBufferPointer(start: set.utf8Start, count: set.utf8CodeUnitCount)
        let bytes = utf8
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, members.contains(bytes[start]) { start = bytes.index(after: start) }
        while end > start, members.contains(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        if start == bytes.startIndex && end == bytes.endIndex { return self }
        return String(self[start..<end])
    }
}
