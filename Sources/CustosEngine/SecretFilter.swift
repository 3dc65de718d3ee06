import CustosCore
import Foundation

/// Why a confirmed pattern match was not reported. Used by `rules check` to explain a failing
/// example; the scan itself only counts them.
public enum Rejection: Sendable, Equatable, CustomStringConvertible {
    case keywordMissing
    case lowEntropy(measured: Double, required: Double)
    case placeholder(PlaceholderReason)
    case allowPattern(String)
    case inlineAllowComment
    case emptySecret

    public var description: String {
        switch self {
        case .keywordMissing: "none of the rule's keywords occurs in the match"
        case let .lowEntropy(measured, required):
            "entropy \(String(format: "%.2f", measured)) is below min_entropy \(required)"
        case let .placeholder(why): "looks like a placeholder (\(why))"
        case let .allowPattern(pattern): "matches the allow pattern '\(pattern)'"
        case .inlineAllowComment: "the line carries an allow comment"
        case .emptySecret: "the secret group is empty"
        }
    }
}

/// Why a secret looks like a placeholder. Plain values: a filter runs for every confirmed
/// match, and the words are only spelled out when someone asks (`rules check`).
public enum PlaceholderReason: Sendable, Equatable, CustomStringConvertible {
    case empty, variableReference, template, repeatedCharacter, word, sequential
    /// The user and password are one word with a user and a password ending
    /// (`proxyuser:proxypass`, `dbuser:dbpassword`).
    case templatePair
    /// Holds a marker word: its index in the strong or (strict rules only) weak list.
    case marker(index: Int, strong: Bool)

    public var description: String {
        switch self {
        case .empty: "empty"
        case .variableReference: "variable reference"
        case .template: "template"
        case .repeatedCharacter: "one repeated character"
        case .word: "a word, not a secret"
        case .sequential: "sequential characters"
        case .templatePair: "user and password written as a pair of names"
        case let .marker(index, strong):
            "contains '\(String(decoding: strong ? PlaceholderFilter.strongWords[index] : PlaceholderFilter.weakWords[index], as: UTF8.self))'"
        }
    }
}

/// Shannon entropy of a byte string, in bits per byte. Uses a caller-owned histogram so the
/// scan loop does not allocate.
struct EntropyMeter {
    private var counts = [Int](repeating: 0, count: 256)

    mutating func bitsPerByte(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        guard !bytes.isEmpty else { return 0 }
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        var entropy = 0.0
        for byte in bytes where counts[Int(byte)] > 0 {
            let p = Double(counts[Int(byte)]) / total
            entropy -= p * log2(p)
            counts[Int(byte)] = 0
        }
        return entropy
    }
}

/// Recognises values that stand in for a secret rather than being one: template syntax,
/// variable references, masks, and well-known documentation values.
enum PlaceholderFilter {
    /// Substrings (compared in lowercase) that mark documentation or template values in any
    /// rule's secret. Long or structural, so a random token is vanishingly unlikely to hold one.
    static let strongWords: [[UInt8]] = [
        "example", "placeholder", "changeme", "change_me", "change-me", "redacted", "xxxxx",
        "*****", ".....", "your_", "your-", "<your", "<insert", "{{", "}}", "${",
        "#{", "[%", "<%", "process.env", "os.environ", "getenv(", "_here", "-here",
    ].map { Array($0.utf8) }

    /// Shorter markers, checked only for rules below high confidence (generic assignments),
    /// where a random token's 1-in-10,000 collision costs less than the noise they remove.
    static let weakWords: [[UInt8]] = [
        "changeit", "dummy", "yourpassword", "yoursecret", "yourtoken", "yourkey", "xxxx",
        "****", "replace_me", "replaceme", "replace-me", "insert_", "insert-", "sample",
        "fake_", "notreal", "not_real", "not-a-real", "todo", "fixme", "lorem", "env(",
        "secretkeyref", "valuefrom", "%]", "%>",
    ].map { Array($0.utf8) }

    /// Whole values (compared in lowercase) that are words, not secrets.
    static let exactValues: [[UInt8]] = [
        "password", "passwd", "secret", "token", "apikey", "api_key", "null", "nil", "none",
        "undefined", "true", "false", "string", "empty", "required", "optional", "default",
        "test", "testing", "admin", "root", "guest", "user", "username", "pass", "pwd",
        "password1", "password123", "secret123", "123456", "12345678", "123456789", "qwerty",
        "foo", "bar", "baz", "qux", "foobar", "postgres",
    ].map { Array($0.utf8) }

    private static let strongIndex = WordIndex(strongWords)
    private static let weakIndex = WordIndex(weakWords)
    private static let exactIndex = ExactWords(exactValues)
    private static let numberedWordIndex = ExactWords(["password", "passwd", "passwort", "secret"].map { Array($0.utf8) })

    /// A short reason when `secret` looks like a placeholder, nil when it may be real. Runs for
    /// every confirmed match, so it allocates nothing and reads the secret once per word list.
    static func reason(_ secret: UnsafeBufferPointer<UInt8>, strict: Bool, generic: Bool = false) -> PlaceholderReason? {
        guard let first = secret.first, let last = secret.last else { return .empty }
        // Variable references and wrapped names: $VAR, %VAR%, <name>, {name}.
        if first == UInt8(ascii: "$") && secret.count > 1 && isIdentifierStart(secret[1]) {
            return .variableReference
        }
        if (first == UInt8(ascii: "%") && last == UInt8(ascii: "%"))
            || (first == UInt8(ascii: "<") && last == UInt8(ascii: ">"))
            || (first == UInt8(ascii: "{") && last == UInt8(ascii: "}")) {
            return .template
        }
        // `$(VAR)`, `%(name)s`: only with a name inside, since generated keys of punctuation
        // (Django's `!@#$%^&*(-_=+)`) hold `%(` and `$(` by chance.
        if PlaceholderSyntax.hasNamedCall(secret) { return .template }
        if secret.allSatisfy({ $0 == first }) { return .repeatedCharacter }
        if exactIndex.contains(secret) { return .word }
        if let word = strongIndex.firstWord(in: secret) { return .marker(index: word, strong: true) }
        if strict, let word = weakIndex.firstWord(in: secret) { return .marker(index: word, strong: false) }
        if isSequential(secret) { return .sequential }
        if generic {
            // A catch-all assignment reads code and documentation too: runs typed by hand, an
            // anonymous FTP password (`busybox@`), a route (`cms/sites/passwords#update`).
            if PlaceholderSyntax.hasTypedRun(secret) || PlaceholderSyntax.isCounting(secret) { return .sequential }
            // `42password`, `secret2024`: the word with a number (`Admin2024` may be what a
            // plant set, and stays).
            if numberedWordIndex.containsWithDigits(secret) { return .word }
            if secret.count >= 4, last == UInt8(ascii: "@"), secret.dropLast().allSatisfy(isLetter) { return .word }
            if secret.contains(UInt8(ascii: "/")), secret.allSatisfy({ isLowerLetter($0) || Self.routeBytes.contains($0) }) { return .word }
        }
        return nil
    }

    private static let routeBytes: [UInt8] = Array("/#_-.:".utf8)

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
    }

    private static func isLowerLetter(_ byte: UInt8) -> Bool {
        byte >= 0x61 && byte <= 0x7a
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f || byte == 0x7b
    }

    @inline(__always)
    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
    }

    /// Case-insensitive substring test; `needle` must already be lowercase.
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, lowercased needle: [UInt8]) -> Bool {
        let n = needle.count
        guard n > 0, haystack.count >= n else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - n {
            if lowercase(haystack[i]) == first {
                var j = 1
                while j < n && lowercase(haystack[i + j]) == needle[j] { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }

    /// `abcdefgh`, `12345678`, `987654321`: runs a keyboard masher types, not a generator.
    private static func isSequential(_ secret: UnsafeBufferPointer<UInt8>) -> Bool {
        guard secret.count >= 6 else { return false }
        var ascending = true
        var descending = true
        for i in 1..<secret.count {
            let step = Int(secret[i]) - Int(secret[i - 1])
            if step != 1 { ascending = false }
            if step != -1 { descending = false }
            if !ascending && !descending { return false }
        }
        return true
    }
}

/// Lowercase words found in one pass over a text: the words are grouped by their first byte,
/// so each position of the text is compared only with the words that can start there.
struct WordIndex: Sendable {
    private let words: [[UInt8]]
    /// Per lowercase first byte: indexes into `words`.
    private let byFirstByte: [[Int]]

    init(_ words: [[UInt8]]) {
        self.words = words
        var table = [[Int]](repeating: [], count: 256)
        for (index, word) in words.enumerated() where !word.isEmpty {
            table[Int(word[0])].append(index)
        }
        byFirstByte = table
    }

    /// The index of a word that occurs (ignoring ASCII case) in `text`, if any.
    func firstWord(in text: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = text.count
        for start in 0..<count {
            let candidates = byFirstByte[Int(PlaceholderFilter.lowercase(text[start]))]
            if candidates.isEmpty { continue }
            for index in candidates {
                let word = words[index]
                guard start + word.count <= count else { continue }
                var offset = 1
                while offset < word.count && PlaceholderFilter.lowercase(text[start + offset]) == word[offset] {
                    offset += 1
                }
                if offset == word.count { return index }
            }
        }
        return nil
    }
}

/// Whole values compared ignoring ASCII case, grouped by length so most secrets are ruled out
/// by their length alone.
struct ExactWords: Sendable {
    private let byLength: [[[UInt8]]]

    init(_ words: [[UInt8]]) {
        var table = [[[UInt8]]](repeating: [], count: (words.map(\.count).max() ?? 0) + 1)
        for word in words { table[word.count].append(word) }
        byLength = table
    }

    /// Whether `text` is one of the words with digits before or after it (`42password`,
    /// `secret2024`), four letters of the word at least.
    func containsWithDigits(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0, end = text.count
        while start < end && text[start] >= 0x30 && text[start] <= 0x39 { start += 1 }
        while end > start && text[end - 1] >= 0x30 && text[end - 1] <= 0x39 { end -= 1 }
        guard end - start >= 4, end - start < text.count else { return false }
        return contains(UnsafeBufferPointer(rebasing: text[start..<end]))
    }

    func contains(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count < byLength.count else { return false }
        return byLength[text.count].contains { word in
            var index = 0
            while index < word.count && PlaceholderFilter.lowercase(text[index]) == word[index] { index += 1 }
            return index == word.count
        }
    }
}
