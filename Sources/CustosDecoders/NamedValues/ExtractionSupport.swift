// What every extractor shares: the name lens (the quick look at names, and the full judgement
// for user names a credential is tied to), the rules for building a `NamedValue` out of a span
// and a decoding, identity pairing within one container, and a tokenizer for lines of words
// and quoted strings (device configs, command lines, SQL).

import CustosCore
import Foundation

/// What an extractor needs to know about names while it reads. The sieve is a byte loop with no
/// allocation; the vocabulary's judgement runs only for names the sieve lets through.
public struct NameLens: Sendable {
    public let vocabulary: CredentialVocabulary
    public let sieve: NameSieve
    /// The vocabulary's login calls by callee, for the code reader.
    let callNames: CallNames
    /// Every word whose presence in a text may mean a credential, in one set so a whole file is
    /// ruled out in one pass: credential and identity words anywhere; as words of their own the
    /// programs that take one on their command line, the SQL and protocol markers that name
    /// none, and the callees of the vocabulary's login calls.
    let textSieve: WordSet
    /// Credential and identity words (`login` among them), in one set: a reader finds where
    /// they occur in a text once (`WordHits`) and asks of each line, or of the names before
    /// each assignment, whether it holds one.
    let nameWords: WordSet

    public init(vocabulary: CredentialVocabulary) {
        self.vocabulary = vocabulary
        sieve = NameSieve(vocabulary: vocabulary)
        callNames = CallNames(vocabulary.calls)
        let callees = vocabulary.calls.map { $0.callee.split(separator: ".").last.map(String.init) ?? $0.callee }
        let stems = vocabulary.credentialStems + vocabulary.identityStems
        textSieve = WordSet(stems,
                            wholeWords: (CommandLineExtractor.programNames + NamedValueScanner.markerWords + callees).map { $0.lowercased() })
        nameWords = WordSet(stems)
    }

    /// Whether a name in `text[range]` may name a credential (worth emitting its value). A
    /// name of who logs in (`UserName`, `Login`) does not, though it holds a credential word's
    /// letters (`user pass`): it is judged here, the only names judged before the scanner.
    @inline(__always)
    func mayMatter(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        let clamped = range.clamped(to: 0..<text.count)
        guard !clamped.isEmpty, clamped.count <= 256 else { return false }
        let name = UnsafeRawBufferPointer(rebasing: text[clamped])
        guard sieve.mayBeCredential(name) else { return false }
        return !(sieve.mayBeIdentity(name) && vocabulary.judge(text.string(clamped)) == .identity)
    }

    func mayMatter(_ name: String) -> Bool {
        guard name.utf8.count <= 256, sieve.mayBeCredential(name) else { return false }
        return !(sieve.mayBeIdentity(name) && vocabulary.judge(name) == .identity)
    }

    /// Whether the name in `text[range]` names who logs in.
    func isIdentity(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        let clamped = range.clamped(to: 0..<text.count)
        guard !clamped.isEmpty, clamped.count <= 128,
              sieve.mayBeIdentity(UnsafeRawBufferPointer(rebasing: text[clamped])) else { return false }
        return vocabulary.judge(text.string(clamped)) == .identity
    }

    /// Whether a value under a name of no interest may still carry named values inside it
    /// (`Environment="DB_PASSWORD=x"`, a command line, a connection string): long enough, with
    /// a separator, and a credential word somewhere.
    func mayCarry(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        let clamped = range.clamped(to: 0..<text.count)
        guard clamped.count >= 10, clamped.count <= 1 << 20 else { return false }
        let slice = UnsafeRawBufferPointer(rebasing: text[clamped])
        guard slice.contains(where: { $0 == ASCII.equals || $0 == ASCII.colon || $0 == ASCII.space || $0 == ASCII.at }) else { return false }
        // A URL with user information (`postgresql://svc:pw@host`) carries a password by itself.
        if slice.contains("://", in: 0..<slice.count), slice.contains(where: { $0 == ASCII.at }) { return true }
        return sieve.mayCarryCredential(slice)
    }

    func isIdentity(_ name: String) -> Bool {
        name.utf8.count <= 128 && sieve.mayBeIdentity(name) && vocabulary.judge(name) == .identity
    }

    /// Whether `name` judges as a credential (used where an extractor must decide on the spot,
    /// such as a device keyword followed by its value).
    func isCredential(_ name: String) -> Bool {
        guard mayMatter(name) else { return false }
        return vocabulary.judge(name).credentialClass != nil
    }
}

/// How a quoted or bare value is decoded.
enum ValueDecoder {
    case plain
    case xmlEntities
    case backslashes(ValueDecoding.BackslashStyle)
    case logix
    case doubled(UInt8)

    func decode(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, recordingOffsets: Bool = false) -> DecodedValue {
        var output = DecodedValue(recordingOffsets: recordingOffsets)
        output.bytes.reserveCapacity(range.count)
        switch self {
        case .plain: ValueDecoding.plain(text, range, into: &output)
        case .xmlEntities: ValueDecoding.xmlEntities(text, range, into: &output)
        case let .backslashes(style): ValueDecoding.backslashes(text, range, style: style, into: &output)
        case .logix: ValueDecoding.logixEscapes(text, range, into: &output)
        case let .doubled(quote): ValueDecoding.doubledQuotes(text, range, quote: quote, into: &output)
        }
        return output
    }
}

/// Values of one container (an INI section, an XML element's children, a registry key, a
/// table row) held back until the container ends, so a user named after the password still
/// becomes its identity.
struct IdentityPairing {
    private(set) var pending: [(value: NamedValue, takesIdentity: Bool)] = []
    private(set) var identity: String?

    /// Holds a value; it takes the identity known now, or the last one known at the flush.
    mutating func add(_ value: NamedValue, takesIdentity: Bool = true) {
        var value = value
        if value.identity == nil, takesIdentity, let identity { value.identity = identity }
        pending.append((value, takesIdentity))
    }

    mutating func noteIdentity(_ name: String) {
        guard !name.isEmpty, name.utf8.count <= 256 else { return }
        // Trimmed only when needed: most names have no spaces around them.
        let needsTrim = name.utf8.first.map(ASCII.isWhitespace) == true || name.utf8.last.map(ASCII.isWhitespace) == true
        let trimmed = needsTrim ? name.trimmingASCII(" \t") : name
        if !trimmed.isEmpty { identity = trimmed }
    }

    /// Emits the held values (each keeps an identity it already had) and starts over.
    mutating func flush(_ emit: (NamedValue) -> Void, fillIdentity: Bool = true) {
        for (var value, takesIdentity) in pending {
            if value.identity == nil && fillIdentity && takesIdentity { value.identity = identity }
            emit(value)
        }
        pending.removeAll(keepingCapacity: true)
        identity = nil
    }
}

/// One word of a line: a bare run of non-space bytes, or a quoted string (quotes not included
/// in `content`).
struct LineToken {
    /// The whole token as written, quotes included.
    var span: Range<Int>
    /// The bytes inside the quotes, or the whole token when bare.
    var content: Range<Int>
    /// The quote byte, or 0 for a bare token.
    var quote: UInt8

    var isQuoted: Bool { quote != 0 }
}

enum LineTokenizer {
    /// Splits `range` at spaces and tabs outside quotes. A token such as `key="a b"` stays one
    /// token (its `content` is then the whole token). `backslashEscapes`: a backslash inside
    /// double quotes escapes the next byte (shells, device configs); in single quotes never.
    static func tokens(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, backslashEscapes: Bool = true,
                       limit: Int = 256) -> [LineToken] {
        var tokens: [LineToken] = []
        var index = range.lowerBound
        let end = min(range.upperBound, text.count)
        while index < end && tokens.count < limit {
            while index < end && ASCII.isWhitespace(text[index]) { index += 1 }
            guard index < end else { break }
            let start = index
            let first = text[index]
            if first == ASCII.quote || first == ASCII.apostrophe || first == ASCII.backtick {
                var cursor = index + 1
                while cursor < end && text[cursor] != first {
                    if backslashEscapes && first == ASCII.quote && text[cursor] == ASCII.backslash { cursor += 1 }
                    cursor += 1
                }
                let closed = cursor < end
                let contentEnd = min(cursor, end)
                index = closed ? cursor + 1 : end
                // A quoted string glued to more text (`"a"b`) is one bare token.
                if index < end && !ASCII.isWhitespace(text[index]) {
                    while index < end && !ASCII.isWhitespace(text[index]) { index += 1 }
                    tokens.append(LineToken(span: start..<index, content: start..<index, quote: 0))
                } else {
                    tokens.append(LineToken(span: start..<index, content: (start + 1)..<contentEnd, quote: first))
                }
                continue
            }
            var quote: UInt8 = 0
            while index < end {
                let byte = text[index]
                if quote != 0 {
                    if byte == quote { quote = 0 }
                    else if backslashEscapes && quote == ASCII.quote && byte == ASCII.backslash { index += 1 }
                } else if byte == ASCII.quote || byte == ASCII.apostrophe {
                    quote = byte
                } else if ASCII.isWhitespace(byte) {
                    break
                }
                index += 1
            }
            index = min(index, end)
            tokens.append(LineToken(span: start..<index, content: start..<index, quote: 0))
        }
        return tokens
    }

    /// A value range without one pair of surrounding quotes, and the quote byte (0 if none).
    static func unquote(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> (Range<Int>, UInt8) {
        guard range.count >= 2, let first = text.byte(at: range.lowerBound), let last = text.byte(at: range.upperBound - 1),
              first == last, first == ASCII.quote || first == ASCII.apostrophe else {
            return (range, 0)
        }
        return ((range.lowerBound + 1)..<(range.upperBound - 1), first)
    }
}
