import CustosCore

/// Base64 values long enough to hide a credential (a connection string, `user:password`, a
/// config file), found cheaply and decoded once.
///
/// Finding them must cost plain text almost nothing, so the search looks at aligned 16-byte
/// blocks: one vector compare per block rules out any block holding a byte below `+` (space,
/// line break, quote, parenthesis), which almost every block of prose and code does. A run of
/// `minimumLength` (32) or more base64 characters always covers a whole aligned block, so no
/// such run is missed; only blocks that pass get a byte-by-byte look. A run is decoded only if
/// its decoding is text (UTF-8 or UTF-16 without control characters): keys, certificates,
/// images and hashes decode to binary and are dropped after their first bytes.
public enum Base64Values {
    /// Shortest run the block search guarantees to find (24 decoded bytes).
    public static let minimumLength = 32
    /// Shortest value decoded when a rule points at it (`Authorization: Basic …`).
    public static let minimumPointedLength = 8
    /// Runs decoded per text at most; the rest are left alone.
    public static let maxRuns = 256
    /// Longest run decoded (longer ones are files, not settings).
    public static let maxRunLength = 1024 * 1024
    /// The logical path of a finding in a decoded value; the caller nests it in the path of
    /// the place the value sits (`$.headers.Authorization/base64`).
    public static let logicalPathName = "base64"
    /// Bytes of the source line kept on each side of a decoded value as context.
    public static let contextLength = 160

    /// Ranges of base64 runs of at least `minimumLength` characters (with their `=` padding).
    public static func runs(in bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
        guard bytes.count >= minimumLength, let base = bytes.baseAddress else { return [] }
        var found: [Range<Int>] = []
        let count = bytes.count
        let floor = SIMD16<UInt8>(repeating: UInt8(ascii: "+"))
        var block = 0
        while block + 16 <= count {
            let vector = base.loadUnaligned(fromByteOffset: block, as: SIMD16<UInt8>.self)
            // Any byte below '+' (space, newline, quote, parenthesis) rules the block out.
            if any(vector .< floor) || !allAlphabet(word(base, block)) || !allAlphabet(word(base, block + 8)) {
                block += 16
                continue
            }
            // A run of 32 covering this block has 16 more characters around it, so 8 of them
            // on one side: identifiers of 16 to 23 letters stop here.
            let before = block >= 8 && allAlphabet(word(base, block - 8))
            let after = block + 24 <= count && allAlphabet(word(base, block + 16))
            guard before || after else {
                block += 16
                continue
            }
            // A run glued to `_` or `-` is not a value, but it is still skipped whole: looking
            // at each of its blocks again would walk it back to its start every time.
            let (run, glued) = run(around: block, in: bytes)
            if !glued && run.count >= minimumLength && run.count <= maxRunLength && looksEncoded(bytes, run) {
                found.append(run)
                if found.count == maxRuns { break }
            }
            block = max(block + 16, (run.upperBound + 15) & ~15)
        }
        return found
    }

    @inline(__always)
    static func word(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// Whether all eight bytes of `x` are base64 characters (A-Z, a-z, 0-9, '+', '/'), eight at
    /// a time in one register: with every byte's high bit set, subtracting a constant below
    /// 0x80 from each byte cannot borrow from its neighbour, and the high bit that survives
    /// says "at least the constant". (Swift's generic SIMD comparisons fall back to lane-by-lane
    /// code here; this compiles to a dozen plain instructions.)
    @inline(__always)
    static func allAlphabet(_ x: UInt64) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        guard x & high == 0 else { return false }
        let y = x | high
        @inline(__always) func atLeast(_ c: UInt64) -> UInt64 { (y &- c &* ones) & high }
        let upper = atLeast(0x41) & ~atLeast(0x5b)
        let lower = atLeast(0x61) & ~atLeast(0x7b)
        let digit = atLeast(0x30) & ~atLeast(0x3a)
        let sign = (atLeast(0x2b) & ~atLeast(0x2c)) | (atLeast(0x2f) & ~atLeast(0x30))
        return (upper | lower | digit | sign) == high
    }

    /// The whole run holding the 16 base64 bytes at `block`, and whether it is glued to a word
    /// character on its left (part of something else).
    private static func run(around block: Int, in bytes: UnsafeRawBufferPointer) -> (run: Range<Int>, glued: Bool) {
        let base = bytes.baseAddress!
        var start = block
        while start >= 8 && allAlphabet(word(base, start - 8)) { start -= 8 }
        while start > 0 && isAlphabet(bytes[start - 1]) { start -= 1 }
        var end = block + 16
        while end + 8 <= bytes.count && allAlphabet(word(base, end)) { end += 8 }
        while end < bytes.count && isAlphabet(bytes[end]) { end += 1 }
        // A run glued to a word character or '=' on the left is part of something else.
        let glued = start > 0 && (bytes[start - 1] == UInt8(ascii: "_") || bytes[start - 1] == UInt8(ascii: "-"))
        var padding = 0
        while padding < 2 && end < bytes.count && bytes[end] == UInt8(ascii: "=") {
            end += 1
            padding += 1
        }
        return (start..<end, glued)
    }

    /// Mixed case, and not a hex string or one long word: what encoders produce.
    private static func looksEncoded(_ bytes: UnsafeRawBufferPointer, _ run: Range<Int>) -> Bool {
        var upper = false
        var lower = false
        var nonHex = false
        for index in run {
            let byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5a { upper = true; if byte > 0x46 { nonHex = true } }
            else if byte >= 0x61 && byte <= 0x7a { lower = true; if byte > 0x66 { nonHex = true } }
            if upper && lower && nonHex { return true }
        }
        return false
    }

    @inline(__always)
    static func isAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2b || byte == 0x2f
    }

    /// Whether a value (a secret a rule reported) is plausibly base64 worth decoding.
    public static func isCandidate(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count >= minimumPointedLength, value.count <= maxRunLength else { return false }
        var padding = 0
        for (index, byte) in value.enumerated() {
            if byte == UInt8(ascii: "=") {
                guard index >= value.count - 2 else { return false }
                padding += 1
            } else if padding > 0 || !isAlphabet(byte) {
                return false
            }
        }
        return value.count % 4 == 0 || padding == 0
    }

    /// The text a run decodes to, or nil when it decodes to binary (or does not decode).
    public static func decodedText(_ run: UnsafeRawBufferPointer) -> [UInt8]? {
        guard headLooksLikeText(run) else { return nil }
        // Look at the first bytes before decoding a long run whole: most binary shows at once.
        if run.count > 96 {
            guard let head = decode(UnsafeRawBufferPointer(rebasing: run.prefix(96))),
                  isText(head, truncated: true) || isUTF16(head) else { return nil }
        }
        guard let decoded = decode(run), decoded.count >= 4 else { return nil }
        if isText(decoded) { return decoded }
        let transcoded: [UInt8]? = decoded.withUnsafeBytes { raw in
            guard isUTF16(decoded), let encoding = TextEncoding.sniffUTF16(raw) else { return nil }
            return encoding.transcode(raw).bytes
        }
        return transcoded.flatMap { isText($0) ? $0 : nil }
    }

    /// Whether the first 12 decoded bytes are text (UTF-8 without control characters, or
    /// UTF-16 with its zero bytes), decoded on the stack: binary fails here almost always.
    static func headLooksLikeText(_ run: UnsafeRawBufferPointer) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 12) { head in
            var count = 0
            var accumulator: UInt32 = 0
            var bits = 0
            for byte in run {
                guard let value = sextet(byte) else { continue }
                accumulator = accumulator << 6 | value
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    head[count] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                    count += 1
                    if count == 12 { break }
                }
            }
            var zeros = 0
            var index = 0
            while index < count {
                let byte = head[index]
                if byte == 0 { zeros += 1; index += 1; continue }
                if byte < 0x80 {
                    if (byte < 0x20 && byte != 0x09 && byte != 0x0a && byte != 0x0d) || byte == 0x7f { return false }
                    index += 1
                    continue
                }
                let length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 0
                guard length > 0, byte < 0xf5 else { return false }
                for next in (index + 1)..<min(count, index + length) where head[next] & 0xc0 != 0x80 { return false }
                index += length
            }
            // Zero bytes only as UTF-16 has them: every other byte.
            return zeros == 0 || zeros * 2 >= count - 1
        }
    }

    private static func isUTF16(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 8 && bytes.withUnsafeBytes { TextEncoding.sniffUTF16($0) } != nil
    }

    /// The six bits a base64 character stands for, in the standard and the URL-safe alphabet.
    @inline(__always)
    static func sextet(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x41...0x5a: UInt32(byte - 0x41)
        case 0x61...0x7a: UInt32(byte - 0x61 + 26)
        case 0x30...0x39: UInt32(byte - 0x30 + 52)
        case 0x2b, 0x2d: 62
        case 0x2f, 0x5f: 63
        default: nil
        }
    }

    /// Standard alphabet; padding optional; nil on a stray character.
    static func decode(_ run: UnsafeRawBufferPointer) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(run.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in run {
            if byte == 0x3d { continue }
            guard let value = sextet(byte) else { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    /// Valid UTF-8 with no control characters but tab and line breaks.
    static func isText(_ bytes: [UInt8], truncated: Bool = false) -> Bool {
        var index = 0
        var printable = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte < 0x20 && byte != 0x09 && byte != 0x0a && byte != 0x0d { return false }
                if byte == 0x7f { return false }
                if byte > 0x20 { printable += 1 }
                index += 1
                continue
            }
            let length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 0
            if truncated && index + length > bytes.count && length > 0 { break }
            guard length > 0, byte < 0xf5, index + length <= bytes.count else { return false }
            for next in (index + 1)..<(index + length) where bytes[next] & 0xc0 != 0x80 { return false }
            printable += 1
            index += length
        }
        return printable * 4 >= bytes.count
    }

    /// The derived text of `runs` in `bytes`: each decoded run between the rest of its line
    /// (so a rule sees `password: ` or `Authorization: Basic ` next to the decoded value),
    /// every finding in it placed at the run. `logicalPath` names the decoding in findings.
    public static func derive(_ bytes: UnsafeRawBufferPointer, runs: [Range<Int>],
                              logicalPath: String = logicalPathName) -> (text: DerivedText, decoded: [Range<Int>]) {
        var text = DerivedText()
        var decodedRuns: [Range<Int>] = []
        var budget = 4 * 1024 * 1024
        for run in runs.sorted(by: { $0.lowerBound < $1.lowerBound }) where budget > 0 {
            guard let decoded = decodedText(UnsafeRawBufferPointer(rebasing: bytes[run])) else { continue }
            budget -= decoded.count
            decodedRuns.append(run)
            var lineStart = run.lowerBound
            while lineStart > 0 && run.lowerBound - lineStart < contextLength && bytes[lineStart - 1] != 0x0a { lineStart -= 1 }
            var lineEnd = run.upperBound
            while lineEnd < bytes.count && lineEnd - run.upperBound < contextLength
                    && bytes[lineEnd] != 0x0a && bytes[lineEnd] != 0x0d { lineEnd += 1 }
            text.appendContext(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<run.lowerBound]))
            text.appendDecoded(decoded, from: run, logicalPath: logicalPath)
            text.appendContext(UnsafeRawBufferPointer(rebasing: bytes[run.upperBound..<lineEnd]))
            text.appendContext([0x0a])
        }
        return (text, decodedRuns)
    }
}
