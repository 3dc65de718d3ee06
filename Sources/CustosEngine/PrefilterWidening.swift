/// Rewrites a rule pattern into a cheaper one for the Vectorscan pass that matches at least
/// everything the original matches.
///
/// Vectorscan unrolls bounded repeats into automata: `[A-Za-z0-9+/=]{40,16000}` alone took
/// 110 s to compile. Turning a large upper bound into an open one (`{40,}`) widens the language,
/// so the prefilter can only over-report; PCRE2 confirms every candidate with the original
/// pattern, so findings do not change. The confirming search's look-back still comes from
/// the original pattern's maximum width.
enum PrefilterWidening {
    /// Upper bounds above this become open: small bounds keep the prefilter precise.
    static let largestKeptBound = 64

    static func widen(_ pattern: String) -> String {
        let bytes = Array(pattern.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var inClass = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                // An escape and the byte it escapes are copied as they are.
                output.append(byte)
                if index + 1 < bytes.count { output.append(bytes[index + 1]) }
                index += 2
                continue
            }
            if inClass {
                if byte == UInt8(ascii: "]") { inClass = false }
                output.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "[") {
                inClass = true
                output.append(byte)
                index += 1
                // A `]` right after `[` or `[^` is a literal member, not the end of the class.
                if index < bytes.count && bytes[index] == UInt8(ascii: "^") { output.append(bytes[index]); index += 1 }
                if index < bytes.count && bytes[index] == UInt8(ascii: "]") { output.append(bytes[index]); index += 1 }
                continue
            }
            if byte == UInt8(ascii: "{"), let repeat_ = BoundedRepeat(bytes, openingAt: index) {
                if let upper = repeat_.upper, upper > largestKeptBound {
                    output.append(contentsOf: Array("{\(repeat_.lower),}".utf8))
                } else {
                    output.append(contentsOf: bytes[index..<repeat_.end])
                }
                index = repeat_.end
                continue
            }
            output.append(byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A quantifier `{m}`, `{m,}` or `{m,n}` starting at a `{`.
private struct BoundedRepeat {
    var lower: Int
    var upper: Int?
    /// Index just past the closing `}`.
    var end: Int

    init?(_ bytes: [UInt8], openingAt start: Int) {
        var index = start + 1
        func number() -> Int? {
            var value: Int?
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                value = (value ?? 0) * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            return value
        }
        guard let lower = number() else { return nil }
        self.lower = lower
        if index < bytes.count && bytes[index] == UInt8(ascii: ",") {
            index += 1
            upper = number()
        } else {
            upper = lower
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "}") else { return nil }
        end = index + 1
    }
}
