// Reads the credential vocabulary (rules/vocabulary/*.yaml) into the plain `CredentialVocabulary`
// the named-value classifier uses, validates it with file:line errors, and checks its examples.
// The vocabulary is data about names, not a detection rule: it has its own folder, its own
// embedded enum (`BuiltinVocabularyFiles`, in `CustosBuiltinRules`) and its own check, so `rules/*.yaml` stays the
// rules. Several vocabulary files merge into one vocabulary (a site can add its own words).

import CustosCore
import Foundation
import CustosYAML

/// A vocabulary with the examples its files carry, each with the place it was written.
public struct VocabularyFile: Sendable {
    public var vocabulary: CredentialVocabulary
    public var examples: [VocabularyExample]
}

/// A name the vocabulary must judge a given way.
public struct VocabularyExample: Sendable, Hashable {
    public enum Expectation: Sendable, Hashable, CustomStringConvertible {
        /// A credential of this class, at least this strong.
        case credential(CredentialClass, atLeast: NameStrength)
        /// A credential name that counts only when the value looks random.
        case weak
        case identity
        /// Anything but a credential.
        case notCredential

        public var description: String {
            switch self {
            case let .credential(credentialClass, strength): "a \(credentialClass.rawValue) name (\(strength) or stronger)"
            case .weak: "a weak credential name"
            case .identity: "an identity name"
            case .notCredential: "not a credential name"
            }
        }
    }

    public var name: String
    public var expectation: Expectation
    /// `file:line` of the example.
    public var location: String
}

/// An example the vocabulary judges otherwise than it says.
public struct VocabularyCheckFailure: Sendable, CustomStringConvertible {
    public var example: VocabularyExample
    public var judgement: NameJudgement
    public var words: [String]

    public var description: String {
        "\(example.location): '\(example.name)' should be \(example.expectation), but reads as \(judgement) (words: \(words.joined(separator: " ")))"
    }
}

/// Reads vocabulary files (the built-in one is added by `CustosBuiltinRules` as `builtin()`).
public enum VocabularyLoader {
    /// Loads a vocabulary file, or every `.yaml`/`.yml` file of a folder (sorted by name).
    public static func load(path: String) throws(RuleError) -> VocabularyFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RuleError(location: path, message: "no such vocabulary file or folder")
        }
        var files = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
        var parsed: [VocabularyFile] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw RuleError(location: file, message: "cannot read the vocabulary file as UTF-8 text")
            }
            parsed.append(try parse(yaml: text, source: file))
        }
        return try merge(parsed)
    }

    /// Parses one vocabulary file's text; `source` names it in errors.
    public static func parse(yaml: String, source: String) throws(RuleError) -> VocabularyFile {
        guard let file = try YAMLMapping.parse(yaml, source: source) else {
            throw RuleError(location: source, message: "the vocabulary file is empty")
        }
        let document = try file.required()
        try document.rejectUnknownKeys(["version", "terms", "identity", "modifiers", "known_words", "vendor_defaults",
                                        "calls", "weak_names", "not_credential"])
        if let version = try document.int("version"), version != 1 {
            throw document.error("vocabulary version \(version) is not known; this custos reads version 1")
        }
        var examples: [VocabularyExample] = []
        var terms: [CredentialVocabulary.Term] = []
        for entry in try document.sequence("terms") ?? [] {
            let entry = try entry.required()
            try entry.rejectUnknownKeys(["class", "strength", "compound", "words", "qualifiers", "negatives", "examples"])
            let className = try entry.requiredString("class")
            guard let credentialClass = CredentialClass(rawValue: className) else {
                throw entry.error("unknown class '\(className)'; known: \(CredentialClass.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let strengthName = try entry.string("strength") ?? "medium"
            let strength: NameStrength
            switch strengthName {
            case "strong": strength = .strong
            case "medium": strength = .medium
            case "weak": strength = .weak
            default: throw entry.error("strength must be strong, medium or weak, not '\(strengthName)'")
            }
            let compound = try bool(entry, "compound") ?? false
            let words = try entry.strings("words")
            guard !words.isEmpty else { throw entry.error("a term needs at least one word") }
            let qualifiers = entry.child("qualifiers") == nil ? nil : Set(try entry.strings("qualifiers"))
            let negatives = Set(try entry.strings("negatives"))
            for word in words {
                let phrase = try phraseWords(word, in: entry)
                terms.append(CredentialVocabulary.Term(words: phrase, credentialClass: credentialClass, strength: strength,
                                                       compound: compound && phrase.count == 1,
                                                       qualifiers: qualifiers, negatives: negatives))
            }
            examples += try exampleList(entry, "examples", .credential(credentialClass, atLeast: min(strength, .medium)))
        }
        var identityTerms: [[String]] = []
        var compoundIdentity: [String] = []
        if let identity = try document.child("identity")?.required() {
            try identity.rejectUnknownKeys(["words", "compound", "examples"])
            for word in try identity.strings("words") { identityTerms.append(try phraseWords(word, in: identity)) }
            compoundIdentity = try identity.strings("compound")
            examples += try exampleList(identity, "examples", .identity)
        }
        var modifiers = CredentialVocabulary.Modifiers()
        if let block = try document.child("modifiers")?.required() {
            try block.rejectUnknownKeys(["setting_after", "setting_before", "reference", "hash", "encrypted", "public", "public_keys"])
            modifiers = CredentialVocabulary.Modifiers(
                settingAfter: Set(try block.strings("setting_after")), settingBefore: Set(try block.strings("setting_before")),
                reference: Set(try block.strings("reference")), hash: Set(try block.strings("hash")),
                encrypted: Set(try block.strings("encrypted")), publicMaterial: Set(try block.strings("public")),
                publicKeyMaterial: Set(try block.strings("public_keys")))
        }
        var calls: [CredentialCall] = []
        for entry in try document.sequence("calls") ?? [] {
            let entry = try entry.required()
            try entry.rejectUnknownKeys(["callee", "user", "password"])
            let callee = try entry.requiredString("callee")
            guard let password = try entry.int("password"), password >= 1 else {
                throw entry.error("call '\(callee)': password is the 1-based position of the password argument")
            }
            let user = try entry.int("user")
            if let user, user < 1 || user == password {
                throw entry.error("call '\(callee)': user is a 1-based position other than the password's")
            }
            calls.append(CredentialCall(callee: callee, userArgument: user, passwordArgument: password))
        }
        examples += try exampleList(document, "weak_names", .weak)
        examples += try exampleList(document, "not_credential", .notCredential)
        let vocabulary = CredentialVocabulary(
            terms: terms, identityTerms: identityTerms, compoundIdentityWords: compoundIdentity, modifiers: modifiers,
            knownWords: Set(try document.strings("known_words")), calls: calls,
            vendorDefaults: Set(try document.strings("vendor_defaults")))
        return VocabularyFile(vocabulary: vocabulary, examples: examples)
    }

    /// One vocabulary out of several files: every list joined.
    public static func merge(_ files: [VocabularyFile]) throws(RuleError) -> VocabularyFile {
        guard let first = files.first else {
            throw RuleError(location: "rules/vocabulary", message: "no vocabulary file")
        }
        guard files.count > 1 else { return first }
        var terms: [CredentialVocabulary.Term] = []
        var identity: [[String]] = []
        var compoundIdentity: [String] = []
        var known = Set<String>()
        var calls: [CredentialCall] = []
        var defaults = Set<String>()
        var modifiers = CredentialVocabulary.Modifiers()
        var examples: [VocabularyExample] = []
        for file in files {
            let v = file.vocabulary
            terms += v.terms
            identity += v.identityTerms
            compoundIdentity += v.compoundIdentityWords
            known.formUnion(v.knownWords)
            calls += v.calls
            defaults.formUnion(v.vendorDefaults)
            modifiers.settingAfter.formUnion(v.modifiers.settingAfter)
            modifiers.settingBefore.formUnion(v.modifiers.settingBefore)
            modifiers.reference.formUnion(v.modifiers.reference)
            modifiers.hash.formUnion(v.modifiers.hash)
            modifiers.encrypted.formUnion(v.modifiers.encrypted)
            modifiers.publicMaterial.formUnion(v.modifiers.publicMaterial)
            modifiers.publicKeyMaterial.formUnion(v.modifiers.publicKeyMaterial)
            examples += file.examples
        }
        return VocabularyFile(
            vocabulary: CredentialVocabulary(terms: terms, identityTerms: identity, compoundIdentityWords: compoundIdentity,
                                             modifiers: modifiers, knownWords: known, calls: calls, vendorDefaults: defaults),
            examples: examples)
    }

    /// A term or phrase as lowercase words (`"mot de passe"` → `mot`, `de`, `passe`); a word
    /// must be one word as the name splitter sees it, or it could never match.
    private static func phraseWords(_ text: String, in entry: YAMLMapping) throws(RuleError) -> [String] {
        let words = text.split(separator: " ").map(String.init)
        guard !words.isEmpty else { throw entry.error("an empty word") }
        for word in words where CredentialVocabulary.rawWords(of: word).count != 1 {
            throw entry.error("'\(word)' in '\(text)' splits into several words (\(CredentialVocabulary.rawWords(of: word).joined(separator: ", "))); write them separated by spaces")
        }
        return words.map { $0.lowercased() }
    }

    private static func bool(_ entry: YAMLMapping, _ key: String) throws(RuleError) -> Bool? {
        guard let text = try entry.string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw (entry.child(key) ?? entry).error("expected true or false, not '\(text)'")
        }
    }

    private static func exampleList(_ entry: YAMLMapping, _ key: String,
                                    _ expectation: VocabularyExample.Expectation) throws(RuleError) -> [VocabularyExample] {
        let items = try entry.sequence(key) ?? []
        let names = try entry.strings(key)
        return zip(items, names).map { item, name in
            VocabularyExample(name: name, expectation: expectation, location: item.location)
        }
    }
}

/// Runs a vocabulary's examples: every name must judge the way its list says.
public enum VocabularyCheck {
    public static func run(_ file: VocabularyFile) -> [VocabularyCheckFailure] {
        let vocabulary = file.vocabulary
        return file.examples.compactMap { example in
            let judgement = vocabulary.judge(example.name)
            let passed: Bool
            switch example.expectation {
            case let .credential(expected, minimum):
                if case let .credential(found, strength, _) = judgement { passed = found == expected && strength >= minimum }
                else { passed = false }
            case .weak:
                if case .credential(_, .weak, _) = judgement { passed = true } else { passed = false }
            case .identity:
                passed = judgement == .identity
            case .notCredential:
                passed = judgement.credentialClass == nil
            }
            return passed ? nil : VocabularyCheckFailure(example: example, judgement: judgement, words: vocabulary.words(of: example.name))
        }
    }
}
