// The credential vocabulary as the named-value classifier uses it: which names say "this is a
// password" (in any of the languages plants are run in, abbreviated or compounded), which say
// "this is who logs in", and which merely talk about a credential (`PasswordLength`, `ShowPassword`,
// `password_file`). A plain value: CustosRules builds it from rules/vocabulary/*.yaml, so the
// words are reviewed data and this file holds only the rules for reading a name; it lives in
// CustosCore so that the loader (CustosRules) and the named-value classifier (CustosDecoders)
// share it without depending on each other.
//
// The trade-off: names are judged by words, not by substrings. A name is split into words
// (camelCase, snake_case, kebab, dotted, `$`, acronyms, German compounds such as `FTPKennwort`)
// and the rightmost credential word is its head, as in English and German compounds; words
// around the head can turn it into a setting, a reference, a hash or a public key. That keeps
// `Bypass`, `Compass`, `KeyboardLayout` and `tokenizer` out without a list of every word that
// happens to contain `pass` or `key`.

/// What kind of credential a name announces.
public enum CredentialClass: String, Sendable, Hashable, CaseIterable {
    case password, passphrase, pin, secret, apiKey, token, psk, community, privateKey, cryptoKey,
         connectionString, credential, passwordHash, authorization
}

/// How much a name alone says: a `Kennwort` is a password whatever it looks like; a bare `key`
/// is only a secret if its value looks like one.
public enum NameStrength: Int, Sendable, Hashable, Comparable {
    case weak, medium, strong
    public static func < (lhs: NameStrength, rhs: NameStrength) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a name says about its value.
public enum NameJudgement: Sendable, Hashable {
    /// The value is a credential of this class (or a hash of one, `.passwordHash`).
    /// `encrypted`: the name says the value is stored encrypted (`EncryptedPassword`, `…AES`).
    case credential(CredentialClass, NameStrength, encrypted: Bool)
    /// The value names who logs in (`User`, `Login`, `Benutzername`).
    case identity
    /// The name is about a credential, not one (`PasswordLength`, `RequirePassword`).
    case setting
    /// The value points at a credential kept elsewhere (`password_file`, `SecretName`, `KeyId`).
    case reference
    /// The value is public material (`PublicKey`, `HostKey`).
    case publicMaterial
    /// Nothing to do with credentials.
    case unrelated

    public var credentialClass: CredentialClass? {
        if case let .credential(credentialClass, _, _) = self { return credentialClass }
        return nil
    }
}

/// A call whose positional arguments hold a login (`NetworkCredential("user", "pw")`).
public struct CredentialCall: Sendable, Hashable {
    /// The callee's last name, lowercase (`networkcredential`, `add_route_to_plc`).
    public var callee: String
    /// 1-based positions of the user and password arguments.
    public var userArgument: Int?
    public var passwordArgument: Int

    public init(callee: String, userArgument: Int?, passwordArgument: Int) {
        self.callee = callee.lowercased()
        self.userArgument = userArgument
        self.passwordArgument = passwordArgument
    }
}

public struct CredentialVocabulary: Sendable {
    /// One credential word or phrase.
    public struct Term: Sendable, Hashable {
        /// Lowercase words, in order (`["mot", "de", "passe"]`).
        public var words: [String]
        public var credentialClass: CredentialClass
        public var strength: NameStrength
        /// Whether the (single) word may stand inside a longer word (`ftpkennwort`, `dbpwd`).
        public var compound: Bool
        /// When set, the term reaches `strength` only with one of these words before it
        /// (`hmac key`, `sim pin`); alone it is weak.
        public var qualifiers: Set<String>?
        /// Words that, anywhere in the name, make this term not a credential (`primary key`,
        /// `page token`, `pin number`).
        public var negatives: Set<String>

        public init(words: [String], credentialClass: CredentialClass, strength: NameStrength, compound: Bool = false,
                    qualifiers: Set<String>? = nil, negatives: Set<String> = []) {
            self.words = words.map { $0.lowercased() }
            self.credentialClass = credentialClass
            self.strength = strength
            self.compound = compound
            self.qualifiers = qualifiers.map { Set($0.map { $0.lowercased() }) }
            self.negatives = Set(negatives.map { $0.lowercased() })
        }
    }

    /// Words around a credential word that change what the name means.
    public struct Modifiers: Sendable {
        /// After the credential word: the name is a setting (`length`, `policy`, `expiry`).
        public var settingAfter: Set<String>
        /// Before the credential word: the name is a setting (`require`, `show`, `min`).
        public var settingBefore: Set<String>
        /// Anywhere: the value points elsewhere (`file`, `path`, `ref`, `id`).
        public var reference: Set<String>
        /// Anywhere: the value is a hash of the credential (`hash`, `md5`, `hashed`).
        public var hash: Set<String>
        /// Anywhere: the value is stored encrypted (`encrypted`, `aes`, `cipher`).
        public var encrypted: Set<String>
        /// Anywhere: the value is public material (`public`, `pubkey`).
        public var publicMaterial: Set<String>
        /// Anywhere in the name of a key: public material (`host`, `cert`).
        public var publicKeyMaterial: Set<String>

        public init(settingAfter: Set<String> = [], settingBefore: Set<String> = [], reference: Set<String> = [],
                    hash: Set<String> = [], encrypted: Set<String> = [], publicMaterial: Set<String> = [],
                    publicKeyMaterial: Set<String> = []) {
            func lower(_ set: Set<String>) -> Set<String> { Set(set.map { $0.lowercased() }) }
            self.settingAfter = lower(settingAfter)
            self.settingBefore = lower(settingBefore)
            self.reference = lower(reference)
            self.hash = lower(hash)
            self.encrypted = lower(encrypted)
            self.publicMaterial = lower(publicMaterial)
            self.publicKeyMaterial = lower(publicKeyMaterial)
        }
    }

    public let terms: [Term]
    /// Identity words and phrases (`user`, `user name`, `benutzername`).
    public let identityTerms: [[String]]
    /// Identity words that may end a longer word (`rmtuser`, `dbuser`).
    public let compoundIdentityWords: [String]
    public let modifiers: Modifiers
    /// Words that may stand before or after a short credential word inside one lowercase
    /// word (`ftp` in `ftppass`), and whole words that must never be split (`keyboard`).
    public let knownWords: Set<String>
    public let calls: [CredentialCall]
    /// Whole values that vendors ship as defaults and that are not findings (`public`, `adm`).
    public let vendorDefaults: Set<String>

    /// Terms by their first word.
    private let termsByFirstWord: [String: [Term]]
    /// Every word the vocabulary knows, for compound splitting.
    private let dictionary: Set<String>
    /// Credential words that may stand inside longer words, longest first.
    private let compoundWords: [String]
    /// Those and the identity words that may end a longer word, with their bytes.
    private let compoundParts: [(String, [UInt8])]
    private let identityByFirstWord: [String: [[String]]]

    public init(terms: [Term], identityTerms: [[String]], compoundIdentityWords: [String] = [], modifiers: Modifiers,
                knownWords: Set<String>, calls: [CredentialCall] = [], vendorDefaults: Set<String> = []) {
        self.terms = terms
        self.identityTerms = identityTerms.map { $0.map { $0.lowercased() } }
        self.compoundIdentityWords = compoundIdentityWords.map { $0.lowercased() }
        self.modifiers = modifiers
        self.knownWords = Set(knownWords.map { $0.lowercased() })
        self.calls = calls
        self.vendorDefaults = Set(vendorDefaults.map { $0.lowercased() })
        var byFirst: [String: [Term]] = [:]
        for term in terms where !term.words.isEmpty { byFirst[term.words[0], default: []].append(term) }
        for key in byFirst.keys { byFirst[key]!.sort { $0.words.count > $1.words.count } }
        termsByFirstWord = byFirst
        var identityByFirst: [String: [[String]]] = [:]
        for phrase in self.identityTerms where !phrase.isEmpty { identityByFirst[phrase[0], default: []].append(phrase) }
        for key in identityByFirst.keys { identityByFirst[key]!.sort { $0.count > $1.count } }
        identityByFirstWord = identityByFirst
        var words = self.knownWords
        for term in terms { words.formUnion(term.words) }
        for phrase in self.identityTerms { words.formUnion(phrase) }
        words.formUnion(modifiers.settingAfter)
        words.formUnion(modifiers.settingBefore)
        words.formUnion(modifiers.reference)
        words.formUnion(modifiers.hash)
        words.formUnion(modifiers.encrypted)
        words.formUnion(modifiers.publicMaterial)
        words.formUnion(modifiers.publicKeyMaterial)
        dictionary = words
        compoundWords = terms.filter { $0.compound && $0.words.count == 1 }.map { $0.words[0] }
            .sorted { $0.utf8.count > $1.utf8.count }
        compoundParts = (compoundWords + self.compoundIdentityWords).map { ($0, Array($0.utf8)) }
    }

    // MARK: Judging names

    /// What `name` says about its value.
    public func judge(_ name: String) -> NameJudgement {
        let words = self.words(of: name)
        guard !words.isEmpty else { return .unrelated }
        // Every credential and identity phrase in the name, left to right.
        var credentialMatch: (term: Term, range: Range<Int>)?
        var identityEnd = -1
        var index = 0
        while index < words.count {
            if let term = termsByFirstWord[words[index]]?.first(where: { matches($0.words, words, at: index) }) {
                credentialMatch = (term, index..<(index + term.words.count))
                index += term.words.count
                continue
            }
            if let phrase = identityByFirstWord[words[index]]?.first(where: { matches($0, words, at: index) }) {
                identityEnd = index + phrase.count
                index += phrase.count
                continue
            }
            index += 1
        }
        guard let (term, range) = credentialMatch else {
            return identityEnd > 0 ? .identity : .unrelated
        }
        // A user named after the credential word (`password_user`) is a user.
        if identityEnd >= range.upperBound { return .identity }
        let before = words[..<range.lowerBound]
        let after = words[range.upperBound...]
        if words.contains(where: { term.negatives.contains($0) }) { return .unrelated }
        if words.contains(where: { modifiers.publicMaterial.contains($0) }) { return .publicMaterial }
        switch term.credentialClass {
        case .cryptoKey, .privateKey, .psk, .apiKey:
            if words.contains(where: { modifiers.publicKeyMaterial.contains($0) }) { return .publicMaterial }
        default: break
        }
        if after.contains(where: { modifiers.settingAfter.contains($0) })
            || before.contains(where: { modifiers.settingBefore.contains($0) }) {
            return .setting
        }
        // `password_file` points elsewhere; `keystore_password` is the keystore's password.
        if after.contains(where: { modifiers.reference.contains($0) }) { return .reference }
        let encrypted = Self.mentions(modifiers.encrypted, in: words[...])
        var credentialClass = term.credentialClass
        if Self.mentions(modifiers.hash, in: words[...]) {
            switch credentialClass {
            case .cryptoKey, .privateKey, .psk, .connectionString, .authorization: break
            default: credentialClass = .passwordHash
            }
        }
        var strength = term.strength
        if let qualifiers = term.qualifiers, !Self.qualified(before, by: qualifiers) {
            strength = .weak
        }
        return .credential(credentialClass, strength, encrypted: encrypted)
    }

    /// Whether a qualifier stands before the head: as a word, or written across the words a
    /// name's digits split (`T2MKey` → `t`, `2`, `m`).
    private static func qualified(_ before: ArraySlice<String>, by qualifiers: Set<String>) -> Bool {
        if before.contains(where: { qualifiers.contains($0) }) { return true }
        var joined = ""
        for word in before.reversed().prefix(4) {
            joined = word + joined
            if qualifiers.contains(joined) { return true }
        }
        return false
    }

    /// Whether one of `set` is among the words, also as a word its digits were split from
    /// (`md5` → `md`, `5`).
    private static func mentions(_ set: Set<String>, in words: ArraySlice<String>) -> Bool {
        var previous: String?
        for word in words {
            if set.contains(word) { return true }
            if let previous, word.utf8.first.map(NameBytes.isDigit) == true, set.contains(previous + word) { return true }
            previous = word
        }
        return false
    }

    /// Whether `name` names who logs in.
    public func isIdentity(_ name: String) -> Bool { judge(name) == .identity }

    /// The lowercase words of a name: split at separators, case changes and digits, then
    /// compounds split where the vocabulary knows the parts.
    public func words(of name: String) -> [String] {
        var words: [String] = []
        for token in Self.rawWords(of: name) {
            let lower = token.lowercased()
            words += segment(lower, depth: 0)
        }
        return words
    }

    private func matches(_ phrase: [String], _ words: [String], at index: Int) -> Bool {
        guard index + phrase.count <= words.count else { return false }
        for offset in 0..<phrase.count where words[index + offset] != phrase[offset] { return false }
        return true
    }

    private func known(_ word: String) -> Bool {
        if dictionary.contains(word) { return true }
        // A plural of a known word (`passwords`, `tokens`, `credentials`).
        if word.utf8.count > 3, word.hasSuffix("s"), dictionary.contains(String(word.dropLast())) { return true }
        return false
    }

    /// `word` without a plural `s` when the singular is known.
    private func singular(_ word: String) -> String {
        if !dictionary.contains(word), word.utf8.count > 3, word.hasSuffix("s") {
            let stem = String(word.dropLast())
            if dictionary.contains(stem) { return stem }
        }
        return word
    }

    /// Splits a lowercase word made of several known words (`ftpkennwort`, `secretkey`,
    /// `passwordhash`, `rmtuser`). A short credential word (`pass`, `pwd`) is split off only
    /// when the rest is a known word, so `bypass` and `compass` stay whole; a long one
    /// (`password`, `kennwort`) also when the rest is any two letters or more.
    private func segment(_ word: String, depth: Int) -> [String] {
        if known(word) || depth > 4 { return [singular(word)] }
        let bytes = Array(word.utf8)
        let length = bytes.count
        for (part, partBytes) in compoundParts {
            let partLength = partBytes.count
            guard length > partLength else { continue }
            let isLong = partLength >= 6
            if bytes[(length - partLength)...].elementsEqual(partBytes) {
                let rest = String(decoding: bytes[..<(length - partLength)], as: UTF8.self)
                let restWords = segment(rest, depth: depth + 1)
                if known(rest) || restWords.allSatisfy(known) || (isLong && rest.utf8.count >= 1) {
                    return restWords + [part]
                }
            }
            if bytes[..<partLength].elementsEqual(partBytes) {
                let rest = String(decoding: bytes[partLength...], as: UTF8.self)
                let restWords = segment(rest, depth: depth + 1)
                if known(rest) || restWords.allSatisfy(known) || (isLong && rest.utf8.count >= 2) {
                    return [part] + restWords
                }
            }
        }
        return [word]
    }

    /// A name split at separators, lower-to-upper changes (`ftpPass`), the end of an acronym
    /// (`FTPKennwort` → `FTP`, `Kennwort`) and letter-digit changes (`Password1`).
    /// Bytes outside ASCII count as letters without case, so `Lösenord` and `HASŁO` stay whole.
    public static func rawWords(of name: String) -> [Substring] {
        let utf8 = Array(name.utf8)
        var words: [Substring] = []
        var start: Int?
        func close(_ end: Int) {
            if let begin = start, end > begin {
                let text = String(decoding: utf8[begin..<end], as: UTF8.self)
                words.append(Substring(text))
            }
            start = nil
        }
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            let isWordByte = NameBytes.isAlphanumeric(byte) || byte >= 0x80
            guard isWordByte else { close(index); index += 1; continue }
            if let begin = start, index > begin {
                let previous = utf8[index - 1]
                let boundary: Bool
                if NameBytes.isUpper(byte) {
                    boundary = NameBytes.isLowerLetter(previous) || NameBytes.isDigit(previous)
                        || (NameBytes.isUpper(previous) && index + 1 < utf8.count && NameBytes.isLowerLetter(utf8[index + 1]))
                } else if NameBytes.isDigit(byte) {
                    boundary = !NameBytes.isDigit(previous)
                } else {
                    boundary = NameBytes.isDigit(previous)
                }
                if boundary { close(index); start = index }
            } else if start == nil {
                start = index
            }
            index += 1
        }
        close(utf8.count)
        return words
    }

    /// The call that carries a login in its positional arguments, by the callee's last name.
    public func credentialCall(named callee: String) -> CredentialCall? {
        let lower = callee.lowercased()
        return calls.first { $0.callee == lower }
    }

    /// What a name must contain to be worth judging: every one-word term, and for a phrase no
    /// one-word term covers (`connection string`), its longest word. Phrases' common words (`de`,
    /// `id`, `string`, `code`) would let most names through and cost a judgement each.
    public var credentialStems: [String] {
        Self.stems(singleWords: terms.filter { $0.words.count == 1 }.map { $0.words[0] },
                   phrases: terms.filter { $0.words.count > 1 }.map(\.words))
    }

    /// What a name must contain to be judged for a user name.
    public var identityStems: [String] {
        Self.stems(singleWords: identityTerms.filter { $0.count == 1 }.map { $0[0] } + compoundIdentityWords,
                   phrases: identityTerms.filter { $0.count > 1 })
    }

    private static func stems(singleWords: [String], phrases: [[String]]) -> [String] {
        var stems = Set(singleWords.filter { $0.utf8.count >= 2 })
        // Compared as bytes: a few hundred phrases against a few hundred stems at every start.
        var stemBytes = stems.map { Array($0.utf8) }
        for phrase in phrases {
            let covered = phrase.contains { word in
                let bytes = Array(word.utf8)
                return stemBytes.contains { stem in Self.bytes(bytes, contain: stem) }
            }
            if !covered, let longest = phrase.max(by: { $0.utf8.count < $1.utf8.count }), longest.utf8.count >= 3 {
                if stems.insert(longest).inserted { stemBytes.append(Array(longest.utf8)) }
            }
        }
        return stems.sorted()
    }

    private static func bytes(_ text: [UInt8], contain word: [UInt8]) -> Bool {
        guard word.count <= text.count else { return false }
        for start in 0...(text.count - word.count) where text[start] == word[0] {
            var index = 1
            while index < word.count && text[start + index] == word[index] { index += 1 }
            if index == word.count { return true }
        }
        return false
    }
}

/// Byte classes for reading names (CustosCore keeps its own: it depends on nothing).
enum NameBytes {
    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5a }
    @inline(__always) static func isLowerLetter(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7a }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || isUpper(byte) || isLowerLetter(byte)
    }
}

/// The quick look every name gets before it is judged: does it contain any credential or
/// identity word at all (ASCII case ignored)? Grouped by first byte so each byte of a name is
/// compared only with the words that can start there; allocates nothing.
public struct NameSieve: Sendable {
    private let credentialWords: WordSet
    private let identityWords: WordSet
    /// Credential words of four letters or more (and `pw`, `pwd`, `psk`): what text inside a value
    /// must hold to be looked into, where three-letter words (`pin`, `cle`) would match most prose.
    private let carrierWords: WordSet

    public init(vocabulary: CredentialVocabulary) {
        let credentialStems = vocabulary.credentialStems
        credentialWords = WordSet(credentialStems)
        identityWords = WordSet(vocabulary.identityStems)
        carrierWords = WordSet(credentialStems.filter {
            $0.utf8.count >= 4 || $0 == "pwd" || $0 == "psk" || $0 == "pw" || $0.utf8.contains { $0 >= 0x80 }
        } + ["api-key", "api_key", "apikey", "auth"])
    }

    /// Whether text inside a value may hold a credential's name.
    public func mayCarryCredential(_ text: UnsafeRawBufferPointer) -> Bool {
        carrierWords.occurs(in: text)
    }

    /// Whether the bytes may name a credential.
    @inline(__always)
    public func mayBeCredential(_ name: UnsafeRawBufferPointer) -> Bool {
        credentialWords.occurs(in: name)
    }

    /// Whether the bytes may name a user.
    @inline(__always)
    public func mayBeIdentity(_ name: UnsafeRawBufferPointer) -> Bool {
        identityWords.occurs(in: name)
    }

    public func mayBeCredential(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { mayBeCredential(UnsafeRawBufferPointer($0)) }
    }

    public func mayBeIdentity(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { mayBeIdentity(UnsafeRawBufferPointer($0)) }
    }
}

/// Words looked for in bytes, ASCII case ignored: anywhere (`stems`), or as words of their
/// own (`wholeWords`: not inside a longer name, `net` in `net use` but not in `internet`). All
/// words sit in one flat buffer grouped by their first byte, and one bit per (first, second)
/// byte pair that starts a word rules most positions of a text out with one look-up, so a
/// whole file costs one pass whatever the number of words (the named-value prefilter runs over
/// every file).
public struct WordSet: Sendable {
    /// Every word's lowercase bytes, one after another.
    private let bytes: [UInt8]
    /// (start in `bytes`, length, 1 for a whole word) of each word, grouped by first byte.
    private let spans: [Int32]
    /// For each first byte, where its words start and end in `spans` (in pairs of Int32).
    private let groups: [Int32]
    /// One bit per (first, second) byte pair that starts a word.
    private let pairs: [UInt64]
    /// One bit per (second, third) byte pair of a word of three bytes or more, and one per
    /// two-byte word's pair: a position passes both looks before any word is compared.
    private let seconds: [UInt64]
    private let shortPairs: [UInt64]

    public init(_ stems: [String], wholeWords: [String] = []) {
        var words: [(bytes: [UInt8], whole: Bool)] = []
        var seen = Set<[UInt8]>()
        for (list, whole) in [(stems, false), (wholeWords, true)] {
            for stem in list {
                // Non-ASCII words are also looked for as their capitals are written (`HASŁO`).
                for form in [stem, stem.uppercased()] {
                    let lowered = form.utf8.map(NameBytes.lower)
                    if !lowered.isEmpty, seen.insert(lowered + [whole ? 1 : 0]).inserted { words.append((lowered, whole)) }
                }
            }
        }
        var flat: [UInt8] = []
        var spans: [Int32] = []
        var groups = [Int32](repeating: 0, count: 512)
        for first in 0..<256 {
            groups[first * 2] = Int32(spans.count / 3)
            for word in words where Int(word.bytes[0]) == first {
                spans += [Int32(flat.count), Int32(word.bytes.count), word.whole ? 1 : 0]
                flat += word.bytes
            }
            groups[first * 2 + 1] = Int32(spans.count / 3)
        }
        // Indexed by the two bytes as the text holds them (a little-endian load: first byte
        // low), every case of a letter set, so the loop neither lowers nor shifts bytes.
        var pairs = [UInt64](repeating: 0, count: 1024)
        var seconds = [UInt64](repeating: 0, count: 1024)
        var shortPairs = [UInt64](repeating: 0, count: 1024)
        var single = false
        func cases(_ byte: UInt8) -> [UInt8] { byte >= 0x61 && byte <= 0x7a ? [byte, byte - 0x20] : [byte] }
        func set(_ table: inout [UInt64], _ a: UInt8, _ b: UInt8) {
            for first in cases(a) {
                for second in cases(b) {
                    let pair = Int(first) | Int(second) << 8
                    table[pair >> 6] |= 1 << UInt64(pair & 63)
                }
            }
        }
        for word in words {
            guard word.bytes.count >= 2 else { single = true; continue }
            set(&pairs, word.bytes[0], word.bytes[1])
            if word.bytes.count == 2 {
                set(&shortPairs, word.bytes[0], word.bytes[1])
            } else {
                set(&seconds, word.bytes[1], word.bytes[2])
            }
        }
        // A one-byte word matches at any of its bytes: no pair can rule a position out.
        if single {
            pairs = [UInt64](repeating: .max, count: 1024)
            shortPairs = pairs
        }
        self.seconds = seconds
        self.shortPairs = shortPairs
        bytes = flat
        self.spans = spans
        self.groups = groups
        self.pairs = pairs
    }

    /// A byte that continues a name: a whole word must not have one on either side.
    @inline(__always) private static func isNameByte(_ byte: UInt8) -> Bool {
        NameBytes.isAlphanumeric(byte) || byte == 0x5f || byte >= 0x80
    }

    public func occurs(in text: UnsafeRawBufferPointer) -> Bool {
        var found = false
        visitMatches(in: text, starts: 0..<text.count, shortest: false) { _, _ in found = true; return false }
        return found
    }

    /// Calls `body(start, length)` for each position in `starts` where a word of `text` starts
    /// (the first word of its group, or the shortest when `shortest`), until `body` returns false.
    @inline(__always)
    fileprivate func visitMatches(in text: UnsafeRawBufferPointer, starts: Range<Int>, shortest: Bool,
                                  _ body: (Int, Int) -> Bool) {
        bytes.withUnsafeBufferPointer { bytes in
            spans.withUnsafeBufferPointer { spans in
                groups.withUnsafeBufferPointer { groups in
                  pairs.withUnsafeBufferPointer { pairs in
                   seconds.withUnsafeBufferPointer { seconds in
                    shortPairs.withUnsafeBufferPointer { shortPairs in
                    let count = text.count
                    var start = starts.lowerBound
                    let stop = min(starts.upperBound, count)
                    while start < stop {
                        if start &+ 1 < count {
                            let pair = Int(text.loadUnaligned(fromByteOffset: start, as: UInt16.self).littleEndian)
                            if pairs[pair &>> 6] & (1 &<< UInt64(pair & 63)) == 0 { start &+= 1; continue }
                            if shortPairs[pair &>> 6] & (1 &<< UInt64(pair & 63)) == 0 {
                                // Only words of three bytes or more start here: their next pair must fit too.
                                guard start &+ 2 < count else { start &+= 1; continue }
                                let next = Int(text.loadUnaligned(fromByteOffset: start &+ 1, as: UInt16.self).littleEndian)
                                if seconds[next &>> 6] & (1 &<< UInt64(next & 63)) == 0 { start &+= 1; continue }
                            }
                        }
                        let first = Int(NameBytes.lower(text[start])) &* 2
                        var word = Int(groups[first])
                        let last = Int(groups[first &+ 1])
                        var matched = Int.max
                        while word < last {
                            let offset = Int(spans[word &* 3]), length = Int(spans[word &* 3 &+ 1])
                            if start &+ length <= count && length < matched {
                                var index = 1
                                while index < length && NameBytes.lower(text[start &+ index]) == bytes[offset &+ index] { index &+= 1 }
                                if index == length {
                                    let end = start &+ length
                                    if spans[word &* 3 &+ 2] != 1 || ((start == 0 || !Self.isNameByte(text[start &- 1]))
                                        && (end == count || !Self.isNameByte(text[end]))) {
                                        matched = length
                                        if !shortest { break }
                                    }
                                }
                            }
                            word &+= 1
                        }
                        if matched != Int.max, !body(start, matched) { return }
                        start &+= 1
                    }
                    }
                   }
                  }
                }
            }
        }
    }
}

/// Where the words of a `WordSet` occur in one text, found as a reader asks: a reader that
/// asks of thousands of small ranges in text order (the names before each `=` of a source
/// file, each line of a config) whether they hold a word looks at each byte once, however much
/// the ranges overlap, and never at the bytes it does not ask about.
public struct WordHitCursor {
    private let words: WordSet
    private let text: UnsafeRawBufferPointer
    /// Ascending start offsets found so far, and where the shortest word starting there ends.
    private var starts: [Int] = []
    private var ends: [Int] = []
    /// Every start in `segment` has been looked at; ranges before it are asked of the text.
    private var segment = 0..<0

    /// `text` must outlive the cursor.
    public init(_ words: WordSet, text: UnsafeRawBufferPointer) {
        self.words = words
        self.text = text
    }

    /// Whether a word lies wholly inside `range`: what `words.occurs(in: text[range])` answers
    /// for stems (a whole word is judged by the bytes around it in the text, not by the range's
    /// edges).
    public mutating func any(in range: Range<Int>) -> Bool {
        let range = range.clamped(to: 0..<text.count)
        guard !range.isEmpty else { return false }
        if range.lowerBound < segment.lowerBound {
            return words.occurs(in: UnsafeRawBufferPointer(rebasing: text[range]))
        }
        if range.lowerBound > segment.upperBound { segment = range.lowerBound..<range.lowerBound }
        if range.upperBound > segment.upperBound {
            words.visitMatches(in: text, starts: segment.upperBound..<range.upperBound, shortest: true) { start, length in
                starts.append(start)
                ends.append(start + length)
                return true
            }
            segment = segment.lowerBound..<range.upperBound
        }
        var low = 0, high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] < range.lowerBound { low = middle + 1 } else { high = middle }
        }
        while low < starts.count, starts[low] < range.upperBound {
            if ends[low] <= range.upperBound { return true }
            low += 1
        }
        return false
    }
}
