/// Template syntax shared by the rules' placeholder filter and the named-value classifier.
public enum PlaceholderSyntax {
    /// Whether `$(` or `%(` opens a name closed by `)` or the value's end: `$(SECRET)`,
    /// `%(password)s`. Only with a name inside, since generated keys of punctuation (Django's
    /// `!@#$%^&*(-_=+)`) hold `%(` and `$(` by chance.
    public static func hasNamedCall(_ secret: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index + 3 < secret.count {
            if (secret[index] == UInt8(ascii: "$") || secret[index] == UInt8(ascii: "%")) && secret[index + 1] == UInt8(ascii: "(") {
                var cursor = index + 2
                while cursor < secret.count && isNameByte(secret[cursor]) { cursor += 1 }
                // Closed by `)`, or cut at the value's end by whoever read it (`$(MODULE_PWD_LDFLAGS`).
                if cursor > index + 2 && (cursor == secret.count || secret[cursor] == UInt8(ascii: ")")) { return true }
            }
            index += 1
        }
        return false
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5f || byte == 0x2e
    }
}

extension PlaceholderSyntax {
    /// Whether one byte makes up four fifths of a value of eight bytes or more (`0000…00aa`,
    /// the zero UUID): a value typed for documentation, not generated. (Alphabet runs such as
    /// `abcdefg…` were tried too: they cost a tenth of Kingfisher's positive examples, whose
    /// tokens are written that way, for one Nosey Parker negative.)
    public static func isTypedForDocumentation(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard value.count >= 8 else { return false }
        // A byte that makes up more than half is the one a majority vote leaves standing.
        var candidate: UInt8 = 0, lead = 0
        for byte in value {
            if lead == 0 { candidate = byte }
            lead += byte == candidate ? 1 : -1
        }
        var count = 0
        for byte in value where byte == candidate { count += 1 }
        return count * 5 >= value.count * 4
    }
}
