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

extension PlaceholderSyntax {
    static let userEndings: [[UInt8]] = ["username", "user", "usr", "login", "name", "id"].map { Array($0.utf8) }
    static let passwordEndings: [[UInt8]] = ["password", "passwd", "pass", "pwd", "pw", "secret"].map { Array($0.utf8) }

    /// Whether a user and password read as a documentation pair: one stem with a user and a
    /// password ending (`proxyuser:proxypass`, `db_user:db_password`). Letters only, ignoring
    /// case and `_`, `-`, `.`; allocates nothing. (The same word twice, `plc:plc`, is a weak
    /// password plants do set, and stays a finding.)
    public static func isTemplatePair(identity: UnsafeBufferPointer<UInt8>, secret: UnsafeBufferPointer<UInt8>) -> Bool {
        var identityLetters = LetterKey(), secretLetters = LetterKey()
        // `testuser` / `testpass123`: digits after the password ending are the usual suffix.
        var secret = secret
        while let last = secret.last, last >= 0x30 && last <= 0x39 { secret = UnsafeBufferPointer(rebasing: secret.dropLast()) }
        guard identityLetters.load(identity), secretLetters.load(secret), secretLetters.count >= 4 else { return false }
        for passwordEnding in passwordEndings where secretLetters.hasSuffix(passwordEnding) {
            let stem = secretLetters.count - passwordEnding.count
            guard stem >= 2 else { continue }
            for userEnding in userEndings where identityLetters.count == stem + userEnding.count
                && identityLetters.hasSuffix(userEnding) && identityLetters.sharesPrefix(secretLetters, count: stem) {
                return true
            }
        }
        return false
    }

    /// Up to 32 lowercase letters of a short name, `_`, `-` and `.` skipped; anything else
    /// (a digit, a symbol, a longer name) and the name is not one of a template pair.
    struct LetterKey {
        private var letters: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private(set) var count = 0

        mutating func load(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            for byte in bytes {
                if byte == 0x5f || byte == 0x2d || byte == 0x2e { continue }
                let lower = (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte)
                guard lower >= 0x61 && lower <= 0x7a, count < 32 else { return false }
                withUnsafeMutableBytes(of: &letters) { $0[count] = lower }
                count += 1
            }
            return count > 0
        }

        subscript(index: Int) -> UInt8 {
            withUnsafeBytes(of: letters) { $0[index] }
        }

        func hasSuffix(_ ending: [UInt8]) -> Bool {
            guard ending.count <= count else { return false }
            for (offset, byte) in ending.enumerated() where self[count - ending.count + offset] != byte { return false }
            return true
        }

        func sharesPrefix(_ other: LetterKey, count prefix: Int) -> Bool {
            guard prefix <= count, prefix <= other.count else { return false }
            for index in 0..<prefix where self[index] != other[index] { return false }
            return true
        }
    }

}

extension PlaceholderSyntax {
    /// Whether a value holds a run typed by hand rather than generated: six letters in
    /// alphabet order (`abcdefg12346`, `ABCDEFGHIJKL`), nine digits in order (`1234567890`), or
    /// ten letters in order with digits and separators between them
    /// (`a1b2c3d4-e5f6-g7h8-i8j0-k0l3m3n4o0p5`). Random tokens hold none of these by chance.
    public static func hasTypedRun(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var letterRun = 0, digitRun = 0, spacedRun = 0
        var previous: UInt8 = 0, previousLetter: UInt8 = 0
        for byte in value {
            let lower = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
            let isLetter = lower >= 0x61 && lower <= 0x7a
            let isDigit = byte >= 0x30 && byte <= 0x39
            if isLetter {
                letterRun = previous >= 0x61 && previous <= 0x7a && lower == previous + 1 ? letterRun + 1 : 1
                spacedRun = previousLetter != 0 && lower == previousLetter + 1 ? spacedRun + 1 : 1
                previousLetter = lower
            } else {
                letterRun = 0
            }
            digitRun = isDigit ? (previous >= 0x30 && previous <= 0x39 && byte == previous + 1 ? digitRun + 1 : 1) : 0
            if letterRun >= 6 || digitRun >= 9 || spacedRun >= 10 { return true }
            previous = isLetter ? lower : byte
        }
        return false
    }
}

extension PlaceholderSyntax {
    /// Whether the letters and the digits of a value each count up (`ABC12345`, `abcd1234efgh`,
    /// `1a2b3c4d5e6f7a8b`): each letter the one before, the next, or `a` again (hex runs wrap
    /// at `f`), each digit the same or the next (9 wraps to 0). Six letters and digits at least.
    public static func isCounting(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var previousLetter: UInt8 = 0, previousDigit: UInt8 = 0, counted = 0
        for byte in value {
            let letter = byte | 0x20
            if letter >= 0x61 && letter <= 0x7a {
                guard previousLetter == 0 || letter == previousLetter || letter == previousLetter + 1 || letter == UInt8(ascii: "a") else {
                    return false
                }
                previousLetter = letter
            } else if byte >= 0x30 && byte <= 0x39 {
                guard previousDigit == 0 || byte == previousDigit || byte == previousDigit + 1
                    || (previousDigit == UInt8(ascii: "9") && byte == UInt8(ascii: "0")) else { return false }
                previousDigit = byte
            } else if byte == 0x2d || byte == 0x5f {
                continue
            } else {
                return false
            }
            counted += 1
        }
        return counted >= 6
    }
}
