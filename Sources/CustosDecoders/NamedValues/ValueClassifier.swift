// The value classifier: given a named value and what its name says, decides whether the value
// is a credential someone could log in with, a hash of one, a value encrypted with a key every
// copy of the vendor's software ships (decrypted where the key is public), or not a credential
// at all — and why not: empty, masked, a placeholder or template, a reference to a secret
// store, encrypted with a key only the owner holds, public material, code, a vendor default, a
// setting's value.
//
// The trade-off: the name sets how much the value must prove. A value whose name says
// password is a finding when it is a plausible password (`Winter2025!`, `Linie3Start`), since
// people choose them; a value under a weaker name (`token`, a bare `key`) must also look
// generated (length, mixed characters, entropy). Pure byte-level checks: no regex engine.

import CustosCore
import Foundation

/// How a credential is stored when it is stored as a hash.
public enum HashKind: String, Sendable, Hashable {
    case md5Crypt, bcrypt, sha256Crypt, sha512Crypt, yescrypt, scrypt, argon2, pbkdf2, apacheMD5, phpass,
         drupal, django, werkzeug, ldapScheme, ciscoType4, ciscoType5, ciscoType8, ciscoType9, ciscoASA,
         mysql, postgresMD5, scram, mssql, fortiOS, hexDigest, descrypt, deviceHash, unrecognized
}

/// Why a named value is not reported.
public enum NotCredentialReason: String, Sendable, Hashable {
    case empty, masked, placeholder, reference, ownerKeyEncrypted, publicMaterial, codeExpression, vendorDefault,
         settingValue, tooShort, notSecretLooking, prose, filePath, url, container
}

/// What a named value is.
public enum ValueVerdict: Sendable, Hashable {
    /// A credential in the clear (or a decoded encoding of one).
    case credential(Confidence)
    /// A hash of a credential: reported only on request, offline cracking is a lesser exposure.
    case hash(HashKind)
    /// Encrypted with a key every copy of the vendor's software ships; `decrypted` when the
    /// scheme could be undone.
    case publishedKeyEncryption(PublishedKeyScheme, decrypted: [UInt8]?)
    case notCredential(NotCredentialReason)

    public var isHash: Bool {
        if case .hash = self { return true }
        return false
    }

    /// Whether a scan reports it by default.
    public var isFinding: Bool {
        switch self {
        case .credential, .publishedKeyEncryption: true
        case .hash, .notCredential: false
        }
    }
}

/// A named value with what its name and value say.
public struct ClassifiedValue: Sendable, Hashable {
    public var named: NamedValue
    public var verdict: ValueVerdict
    public var nameClass: CredentialClass
    public var nameStrength: NameStrength
    /// The credential a person would type, when it differs from the value as read: the
    /// plaintext of a published-key scheme, the `user:password` of a Basic header.
    public var plaintext: [UInt8]?
}

public struct ValueClassifier: Sendable {
    public let vocabulary: CredentialVocabulary

    public init(vocabulary: CredentialVocabulary) {
        self.vocabulary = vocabulary
    }

    /// Judges one value whose name judged as a credential of `credentialClass`.
    /// `context` is the file name and name path, lowercase, for vendor schemes known by place
    /// (`…\TightVNC\Server`, `ultravnc.ini`, `WinSCP 2\Sessions`).
    public func classify(_ named: NamedValue, as credentialClass: CredentialClass, strength: NameStrength,
                         context: String) -> (verdict: ValueVerdict, plaintext: [UInt8]?) {
        if named.form == .expression { return (.notCredential(.codeExpression), nil) }
        // A number in source code is a constant (`PASSWORD_NO_MATCH: Final = 1045`, an enum
        // value, a flag), unless a PIN is what the name says.
        if named.format == .sourceCode, named.form == .bare, credentialClass != .pin { return (.notCredential(.codeExpression), nil) }
        var value = named.encoding == .byteArray ? named.value : Self.trimmed(named.value)
        // An IEC 61131-3 type where a declaration was read as `name : value` (`ARRAY[0..15] OF BYTE`).
        if named.encoding != .byteArray, value.hasPrefix(ignoringCase: "array["), value.contains(ASCII.dot) {
            return (.notCredential(.codeExpression), nil)
        }
        guard !value.isEmpty else { return (.notCredential(.empty), nil) }

        // What the structure says comes first: `password 7 …`, `ENC …`, registry binary data.
        switch named.marker {
        case let .typeNumber(number):
            switch number {
            case 0: break
            case 4: return (.hash(.ciscoType4), nil)
            case 5: return (.hash(.ciscoType5), nil)
            case 8: return (.hash(.ciscoType8), nil)
            case 9: return (.hash(.ciscoType9), nil)
            case 6: return (.notCredential(.ownerKeyEncrypted), nil)
            case 7:
                if Self.isMasked(value) { return (.notCredential(.masked), nil) }
                return (.publishedKeyEncryption(.ciscoType7, decrypted: PublishedKeyDecryption.ciscoType7(value)), nil)
            default: break
            }
        case .fortiOSEncrypted:
            if value.hasPrefix(ignoringCase: "sh2") || value.hasPrefix(ignoringCase: "ak1") { return (.hash(.fortiOS), nil) }
            let plain = PublishedKeyDecryption.fortiOS(value)
            let readable = plain.map { !$0.isEmpty && $0.allSatisfy { $0 >= 0x20 && $0 < 0x7f } } ?? false
            return (.publishedKeyEncryption(.fortiOS, decrypted: readable ? plain : nil), nil)
        case .declaredHashed:
            if Self.isMasked(value) { return (.notCredential(.masked), nil) }
            return (.hash(Self.hashKind(value, credentialClass: .passwordHash) ?? .deviceHash), nil)
        case .declaredEncrypted:
            if let kind = Self.hashKind(value, credentialClass: credentialClass) { return (.hash(kind), nil) }
            if let plain = PublishedKeyDecryption.junos9(value) { return (.publishedKeyEncryption(.junos9, decrypted: plain), nil) }
            if Self.isMasked(value) { return (.notCredential(.masked), nil) }
            // Reversible by every device of the vendor without anyone's key.
            return (.credential(.medium), nil)
        case .registryBinary:
            return classifyBinary(value, as: credentialClass, name: named.name, context: context)
        case .ownerKeyEncrypted:
            return (.notCredential(.ownerKeyEncrypted), nil)
        case .none:
            break
        }

        // Byte arrays (`[16#dd,…]`, `{0x2b,…}`): a key of random bytes, not text.
        if named.encoding == .byteArray {
            guard value.count >= 8 else { return (.notCredential(.tooShort), nil) }
            if Set(value).count <= 2 { return (.notCredential(.placeholder), nil) }
            return (.credential(value.count >= 16 ? .high : .medium), nil)
        }
        if Self.isMasked(value) { return (.notCredential(.masked), nil) }
        if let reason = placeholderReason(value) { return (.notCredential(reason), nil) }
        // `proxyuser` / `proxypass`: a documentation pair; `myDatabaseUser`, `your_user`: a
        // user documentation invents.
        if var identity = named.identity,
           identity.withUTF8({ user in value.withUnsafeBufferPointer { PlaceholderSyntax.isTemplatePair(identity: user, secret: $0) } })
            || Self.isInventedUser(identity) {
            return (.notCredential(.placeholder), nil)
        }
        // In code and data files a snake_case or digit-bearing identifier (`RIPEMD160_CTX`,
        // `symbol2label`) is a name, not a secret (`hunter2` under a name that says password
        // outright stays a password).
        if named.format == .sourceCode || named.format == .json, Self.isSnakeOrDigitIdentifier(value[...]),
           strength != .strong || value.contains(ASCII.underscore) {
            return (.notCredential(.codeExpression), nil)
        }
        // So is a bare word (`NextToken`, `brightblue`); elsewhere only a name that says
        // password outright may hold one.
        if value.allSatisfy({ ASCII.isLetter($0) || $0 == ASCII.underscore }),
           !vocabulary.vendorDefaults.contains(String(decoding: value, as: UTF8.self).lowercased()),
           named.format.isCode || named.format == .json || named.format == .yaml || strength != .strong {
            return (.notCredential(.notSecretLooking), nil)
        }
        // In code and data files, words joined by `-`, `.` or `:` (`Access-Control-Allow-Credentials`,
        // `fs.s3.enableServerSideEncryption`, `write:pets`) are names, headers and scopes; so is
        // any text with spaces outside a passphrase.
        // In code and data of a software project (not PLC code, not configuration): `ABC12345`,
        // `1a2b3c4d-5e6f-…` typed by counting; `abcdefg12346`, `…Z1234567890`, `ABCDEFGHIJKL`
        // typed by hand. (In text and configuration files they would be examples too; there
        // they are what rule example sets write as positives, which a user expects found.)
        if named.format == .sourceCode || named.format == .json || named.format == .yaml,
           value.withUnsafeBufferPointer({ PlaceholderSyntax.isCounting($0) || PlaceholderSyntax.hasTypedRun($0) }) {
            return (.notCredential(.placeholder), nil)
        }
        // `P@55w0rd!`, `Passw0rd1`: the word password in disguise, as code samples write it.
        if named.format == .sourceCode, Self.isDisguised(value, as: Self.sampleWordsInCode) {
            return (.notCredential(.placeholder), nil)
        }
        if named.format.isCode || named.format == .json {
            if Self.isJoinedIdentifiers(value) { return (.notCredential(.notSecretLooking), nil) }
            if value.contains(ASCII.space), credentialClass != .passphrase, credentialClass != .authorization {
                return (.notCredential(.prose), nil)
            }
        }
        if Self.isOwnerKeyEncrypted(value) { return (.notCredential(.ownerKeyEncrypted), nil) }
        if Self.isPublicMaterial(value) { return (.notCredential(.publicMaterial), nil) }
        if value.hasPrefix(ignoringCase: "-----begin") {
            // Private keys, and OpenVPN static keys (`tls-auth`, `tls-crypt`, `secret`).
            return value.contains(ignoringCase: "private key") || value.contains(ignoringCase: "static key")
                ? (.credential(.high), nil) : (.notCredential(.publicMaterial), nil)
        }
        // Spring Security writes the clear password behind `{noop}`.
        if value.hasPrefix(ignoringCase: "{noop}") { value.removeFirst(6) }

        if let published = publishedScheme(value, name: named.name, context: context) { return published }
        if let kind = Self.hashKind(value, credentialClass: credentialClass) { return (.hash(kind), nil) }
        if credentialClass == .passwordHash {
            return Self.isWordLike(value) ? (.notCredential(.notSecretLooking), nil) : (.hash(.unrecognized), nil)
        }
        if credentialClass == .connectionString { return (.notCredential(.container), nil) }
        if vocabulary.vendorDefaults.contains(String(decoding: value, as: UTF8.self).lowercased()) {
            return (.notCredential(.vendorDefault), nil)
        }
        if Self.isSettingValue(value) { return (.notCredential(.settingValue), nil) }
        if Self.isPatternOrPointer(value) { return (.notCredential(.reference), nil) }
        if Self.isURLWithoutCredentials(value) { return (.notCredential(.url), nil) }
        if Self.isFilePath(value) { return (.notCredential(.filePath), nil) }

        switch credentialClass {
        case .authorization:
            return classifyAuthorization(value)
        case .credential:
            if strength == .weak, let decoded = Self.basicCredentials(value) { return (.credential(.medium), decoded) }
            if Self.isUserColonPassword(value) { return (.credential(.medium), nil) }
        default:
            break
        }
        return (shapeVerdict(value, as: credentialClass, strength: strength), nil)
    }

    // MARK: Shape and strength

    private func shapeVerdict(_ value: [UInt8], as credentialClass: CredentialClass, strength: NameStrength) -> ValueVerdict {
        let shape = ValueShape(value)
        if shape.isProse && credentialClass != .passphrase { return .notCredential(.prose) }
        // Words in another script (`영어(팔라우)`, a language's name in a locale table).
        if shape.isMostlyNonASCIIWords { return .notCredential(.prose) }
        if shape.hasLineBreak && credentialClass != .privateKey { return .notCredential(.prose) }
        if shape.isRepeatedOrSequential { return .notCredential(.placeholder) }
        switch (credentialClass, strength) {
        case (.password, .strong), (.passphrase, _), (.credential, .strong):
            guard value.count >= 4 else { return .notCredential(.tooShort) }
            guard value.count <= 256 else { return .notCredential(.notSecretLooking) }
            if shape.isIdentifierOfWords { return .notCredential(.reference) }
            return .credential(value.count >= 8 && (shape.classes >= 2 || shape.entropy >= 3) ? .high : .medium)
        case (.pin, .medium), (.pin, .strong):
            guard value.count >= 4, value.count <= 16 else { return .notCredential(.tooShort) }
            return .credential(.medium)
        case (.community, .medium), (.community, .strong):
            guard value.count >= 4, !shape.hasSpace else { return .notCredential(.tooShort) }
            return .credential(value.count >= 10 && shape.classes >= 2 ? .high : .medium)
        case (.password, .medium), (.credential, .medium):
            guard value.count >= 5, value.count <= 256 else { return .notCredential(.tooShort) }
            // `pass`, `pw`: a word (`oobeSystem`, `through`, `i-Palau`, `영어(팔라우)`) is not
            // taken for a password; a digit or a symbol beyond a word's punctuation, or a long
            // random value, is.
            guard shape.hasDigitOrNonWordSymbol || (value.count >= 12 && shape.entropy >= 3.5) else { return .notCredential(.notSecretLooking) }
            if shape.isIdentifierOfWords { return .notCredential(.reference) }
            return .credential(value.count >= 10 ? .high : .medium)
        case (_, .weak):
            guard value.count >= 16, !shape.hasSpace, shape.entropy >= 3.3, shape.classes >= 2,
                  !shape.isUUID, !shape.isDottedName, !shape.isIdentifierOfWords else {
                return .notCredential(.notSecretLooking)
            }
            return .credential(value.count >= 24 && shape.entropy >= 4 ? .medium : .low)
        default:
            // Secrets, tokens, API and crypto keys, PSKs: generated, mostly.
            let minimum = credentialClass == .psk || credentialClass == .secret ? 6 : 8
            guard value.count >= minimum else { return .notCredential(.tooShort) }
            guard !shape.hasSpace || credentialClass == .psk else { return .notCredential(.notSecretLooking) }
            guard shape.classes >= 2 || shape.entropy >= 3.0 || (shape.isHex && value.count >= 16) else {
                return .notCredential(.notSecretLooking)
            }
            if shape.isDottedName || shape.isIdentifierOfWords { return .notCredential(.reference) }
            // Words joined by separators (`moved-to-a-vault`, `see_the_wiki`): a note, not a
            // generated value (those carry digits well before they reach this length).
            if Self.isJoinedWords(value) { return .notCredential(.notSecretLooking) }
            return .credential(value.count >= 16 && shape.entropy >= 3.3 ? .high : .medium)
        }
    }

    // MARK: Authorization headers

    private func classifyAuthorization(_ value: [UInt8]) -> (verdict: ValueVerdict, plaintext: [UInt8]?) {
        guard let space = value.firstIndex(of: ASCII.space) else {
            // A bare token where a header's value belongs must look generated.
            guard value.count >= 16 else { return (.notCredential(.notSecretLooking), nil) }
            return (shapeVerdict(value, as: .token, strength: .medium), nil)
        }
        let scheme = String(decoding: value[..<space], as: UTF8.self).lowercased()
        let credential = Self.trimmed(Array(value[(space + 1)...]))
        guard !credential.isEmpty else { return (.notCredential(.codeExpression), nil) }
        if let reason = placeholderReason(credential) { return (.notCredential(reason), nil) }
        switch scheme {
        case "basic":
            guard let decoded = Self.basicCredentials(credential) else { return (.notCredential(.notSecretLooking), nil) }
            if let colon = decoded.firstIndex(of: ASCII.colon),
               decoded[..<colon].withUnsafeBufferPointer({ user in
                   decoded[(colon + 1)...].withUnsafeBufferPointer { PlaceholderSyntax.isTemplatePair(identity: user, secret: $0) } }) {
                return (.notCredential(.placeholder), nil)
            }
            return (.credential(.high), decoded)
        case "bearer", "token", "apikey", "key", "sso-key", "gensecret", "splunk", "klaviyo-api-key":
            return (shapeVerdict(credential, as: .token, strength: .medium), nil)
        default:
            return (.notCredential(.notSecretLooking), nil)
        }
    }

    /// `base64(user:password)` decoded, when it is text with a colon and a password after it.
    static func basicCredentials(_ value: [UInt8]) -> [UInt8]? {
        guard value.count >= 8, value.allSatisfy({ ASCII.isAlphanumeric($0) || $0 == ASCII.plus || $0 == ASCII.slash || $0 == ASCII.equals }),
              let decoded = PublishedKeyDecryption.base64(value),
              let colon = decoded.firstIndex(of: ASCII.colon), colon > 0, colon + 1 < decoded.count,
              decoded.allSatisfy({ $0 >= 0x20 && $0 != 0x7f }) else { return nil }
        return decoded
    }

    // MARK: Vendor schemes with published keys

    private func publishedScheme(_ value: [UInt8], name: String, context: String) -> (verdict: ValueVerdict, plaintext: [UInt8]?)? {
        let lowerName = name.lowercased()
        if lowerName == "cpassword" {
            return (.publishedKeyEncryption(.groupPolicyPreferences, decrypted: PublishedKeyDecryption.groupPolicyPreferences(value)), nil)
        }
        if value.hasPrefix(ignoringCase: "{xor}") {
            return (.publishedKeyEncryption(.websphereXor, decrypted: PublishedKeyDecryption.websphereXor(value)), nil)
        }
        if value.count > 6, value[0] == ASCII.dollar, value[1] == 0x39, value[2] == ASCII.dollar,
           !value[3...].contains(ASCII.dollar), let plain = PublishedKeyDecryption.junos9(value) {
            return (.publishedKeyEncryption(.junos9, decrypted: plain), nil)
        }
        let isHex = value.count >= 8 && value.allSatisfy(ASCII.isHexDigit)
        if isHex && (lowerName.hasSuffix("passwordaes") || context.contains("teamviewer")) && value.count % 32 == 0 {
            let bytes = PublishedKeyDecryption.hexBytes(String(decoding: value, as: UTF8.self))
            return (.publishedKeyEncryption(.teamViewer, decrypted: PublishedKeyDecryption.teamViewer(bytes)), nil)
        }
        if isHex && (value.count == 16 || value.count == 18) && context.contains("vnc") {
            let bytes = PublishedKeyDecryption.hexBytes(String(decoding: value, as: UTF8.self))
            return (.publishedKeyEncryption(.vnc, decrypted: PublishedKeyDecryption.vnc(bytes)), nil)
        }
        if isHex && value.count % 2 == 0 && context.contains("winscp") {
            return (.publishedKeyEncryption(.winSCP, decrypted: nil), nil)
        }
        return nil
    }

    private func classifyBinary(_ bytes: [UInt8], as credentialClass: CredentialClass, name: String,
                                context: String) -> (verdict: ValueVerdict, plaintext: [UInt8]?) {
        guard !bytes.isEmpty, !bytes.allSatisfy({ $0 == 0 }) else { return (.notCredential(.empty), nil) }
        if bytes.count >= 8 && bytes[0] == 0x01 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0
            && bytes[4] == 0xd0 && bytes[5] == 0x8c && bytes[6] == 0x9d && bytes[7] == 0xdf {
            return (.notCredential(.ownerKeyEncrypted), nil)
        }
        let lowerName = name.lowercased()
        if (lowerName.hasSuffix("passwordaes") || context.contains("teamviewer")) && bytes.count % 16 == 0 {
            return (.publishedKeyEncryption(.teamViewer, decrypted: PublishedKeyDecryption.teamViewer(bytes)), nil)
        }
        if bytes.count == 8 && context.contains("vnc") {
            return (.publishedKeyEncryption(.vnc, decrypted: PublishedKeyDecryption.vnc(bytes)), nil)
        }
        guard bytes.count >= 8 else { return (.notCredential(.tooShort), nil) }
        // Unknown binary under a credential name: some vendor's encryption, key unknown; a
        // block of 16 bytes or more is what such schemes store.
        return (.credential(bytes.count >= 16 ? .medium : .low), nil)
    }

    // MARK: Placeholders, masks, references

    static let placeholderWords: Set<String> = [
        "changeme", "change_me", "change-me", "changeit", "yourpassword", "your-password", "your_password", "mypassword",
        "my_password", "mysecret", "my-secret", "your_secret", "yoursecret", "your-secret", "your_token", "yourtoken",
        "your_api_key", "your-api-key", "yourapikey", "todo", "tbd", "fixme", "none", "null", "nil", "undefined", "n/a",
        "na", "empty", "blank", "required", "optional", "string", "str", "text", "value", "placeholder", "example",
        "sample", "dummy", "test", "testing", "pass", "pwd", "passwd", "password", "passwort", "kennwort", "secret",
        "token", "key", "apikey", "api_key", "hidden", "redacted", "removed", "notset", "not_set", "unset", "xxx",
        "secret_key", "access_key", "replace_me", "replaceme", "fake", "foo", "bar", "foobar", "abc", "qwerty",
        "asdf", "private_key", "privatekey", "credentials", "credential", "tobechanged", "to_be_changed", "none_set",
    ]

    static let placeholderMarkers: [StaticString] = [
        "example", "placeholder", "changeme", "change_me", "change-me", "redacted", "your_", "your-", "<your", "<insert",
        "insert_", "insert-your", "replace_me", "replaceme", "replace-me", "replace_with", "_here", "-here", "enter_your",
        "enter-your", "put_your", "put-your", "dummy", "xxxxx", "<password", "<secret", "<token", "<key",
        "{{", "}}", "${", "#{", "<%", "{%", "$__", "$env:", "process.env", "os.environ", "getenv(",
        "env(", "secretkeyref", "valuefrom",
    ]

    /// Words that make a value with spaces a prompt or a label rather than a passphrase.
    static let promptWords: [StaticString] = ["password", "passwort", "kennwort", "passphrase", "token", "secret", "enter ",
                                              "username", "one-time"]

    /// Password stores a value may point to instead of being the password.
    static let storeMarkers: [StaticString] = ["keepass", "password safe", "passwortsafe", "password manager", "passwortmanager",
                                               "1password", "lastpass", "bitwarden", "cyberark", "thycotic", "secret server",
                                               "passwordstate", "hashicorp vault", "tresor"]
    /// Words that start a pointer rather than a value (`siehe Doku`, `see wiki`).
    static let pointerWords: [StaticString] = ["siehe ", "see ", "voir ", "vedi ", "ver ", "zie ", "refer to", "ask ", "frag ",
                                               "stored in", "gespeichert in", "im tresor", "in vault", "from vault"]

    static let referencePrefixes: [StaticString] = [
        "vault:", "vault://", "secret://", "secrets://", "secret:", "env:", "env://", "keyvault:", "azurekeyvault:",
        "@microsoft.keyvault(", "akv://", "arn:aws:secretsmanager:", "arn:aws:ssm:", "ssm:", "ssm://", "gcp-secret:",
        "gcpsm://", "op://", "bw://", "doppler://", "sm://", "aws-secretsmanager:", "secretsmanager:", "kms:", "file:",
        "/run/secrets/", "/var/run/secrets/", "cred:", "credstash:", "lookup(", "!ref", "!sub", "!getatt",
        "!importvalue", "!vault", "!secret", "keyring:", "pass://", "conjur:", "cyberark:", "onepassword:",
        "classpath:", "env[", "env.fetch(",
    ]

    func placeholderReason(_ value: [UInt8]) -> NotCredentialReason? {
        guard let first = value.first, let last = value.last else { return .empty }
        let lower = String(decoding: value, as: UTF8.self).lowercased()
        if Self.placeholderWords.contains(lower) { return .placeholder }
        // `'pass'` (a keyword quoted in a grammar), `Password:` (a prompt).
        let bare = lower.trimmingASCII("'\"`:.,;() ")
        if bare != lower, Self.placeholderWords.contains(bare) || Self.promptWords.contains(where: { bare.hasSuffix($0.description) }) {
            return .placeholder
        }
        for prefix in Self.referencePrefixes where value.hasPrefix(ignoringCase: prefix) { return .reference }
        if value.contains(ignoringCase: "/secrets/") && value.hasPrefix(ignoringCase: "projects/") { return .reference }
        // $VAR, %VAR%, <name>, {name}, @name@, __NAME__, [% name %].
        if first == ASCII.dollar && value.count > 1 && (ASCII.isLetter(value[1]) || value[1] == ASCII.underscore || value[1] == ASCII.openBrace)
            && value.dropFirst().allSatisfy({ ASCII.isAlphanumeric($0) || $0 == ASCII.underscore || $0 == ASCII.openBrace || $0 == ASCII.closeBrace || $0 == ASCII.dot || $0 == ASCII.colon }) {
            return .placeholder
        }
        if value.count >= 3 && ((first == ASCII.percent && last == ASCII.percent) || (first == ASCII.less && last == ASCII.greater)
            || (first == ASCII.openBrace && last == ASCII.closeBrace) || (first == ASCII.at && last == ASCII.at)) {
            return .placeholder
        }
        if value.count >= 5 && value.starts(with: [ASCII.underscore, ASCII.underscore]) && value.suffix(2).elementsEqual([ASCII.underscore, ASCII.underscore]) {
            return .placeholder
        }
        // `[password]`, `[new_password]`, `[Authenticator data]`: a slot in documentation.
        if value.count >= 4, first == ASCII.openBracket, last == ASCII.closeBracket,
           value.dropFirst().dropLast().allSatisfy({ ASCII.isLetter($0) || $0 == ASCII.underscore || $0 == ASCII.space || $0 == ASCII.dash }) {
            return .placeholder
        }
        // Amazon resource names name a resource (`arn:aws:iam::aws:policy/IAMCreateRootUserPassword`).
        if value.hasPrefix(ignoringCase: "arn:aws") || value.hasPrefix(ignoringCase: "arn:${") { return .reference }
        // A prompt or a label (`New password: `, `Enter your token`) names the credential it asks for.
        if value.contains(ASCII.space), Self.promptWords.contains(where: { value.contains(ignoringCase: $0) }) { return .placeholder }
        // A date (`2017-12-05`) is a setting, not a secret.
        if value.count == 10, value[4] == ASCII.dash, value[7] == ASCII.dash,
           value.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || ASCII.isDigit($0.element) }) {
            return .placeholder
        }
        for marker in Self.placeholderMarkers where value.contains(ignoringCase: marker) { return .placeholder }
        // `$(VAR)`, `%(name)s`; a generated key's `%(^+=` is no template.
        if value.withUnsafeBufferPointer(PlaceholderSyntax.hasNamedCall) { return .placeholder }
        if value.withUnsafeBufferPointer(PlaceholderSyntax.isTypedForDocumentation) { return .placeholder }
        // A CSS selector or an anchor (`#add-password`), an environment lookup (`env.DB_PASSWORD`).
        if value.count >= 3, first == ASCII.hash || first == ASCII.dot,
           value.dropFirst().allSatisfy({ ASCII.isAlphanumeric($0) || $0 == ASCII.dash || $0 == ASCII.underscore }) { return .reference }
        if value.hasPrefix(ignoringCase: "env.") || value.hasPrefix(ignoringCase: "process.env.") { return .reference }
        // `siehe KeePass`, `see vault`, `stored in 1Password`: where the password is kept.
        for marker in Self.storeMarkers where value.contains(ignoringCase: marker) { return .reference }
        for prefix in Self.pointerWords where value.hasPrefix(ignoringCase: prefix) { return .reference }
        // `my-token`, `your_password`, `example-secret`; joined: `somepassword`, `testtoken`.
        let parts = lower.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " || $0 == "." })
        if parts.count >= 2 && parts.count <= 3, let head = parts.first, let tail = parts.last,
           Self.sampleHeads.contains(String(head)), Self.credentialTails.contains(String(tail)) {
            return .placeholder
        }
        if let head = Self.sampleHeads.first(where: { $0.count >= 2 && lower.hasPrefix($0) }),
           Self.credentialTails.contains(String(lower.dropFirst(head.count))) {
            return .placeholder
        }
        // A media type (`xpw=application/vnd.intercon.formnet` in a MIME table).
        if Self.isMediaType(value) { return .reference }
        // A port mapping (`docker run -p 3000:3000`), a version constraint (`^3.3.2|^4.0`).
        if Self.isPortMapping(value) || Self.isVersionConstraint(value) { return .reference }
        // An environment variable's name where its value should be (`DB_PASSWORD`).
        if value.count >= 5, value.contains(ASCII.underscore), value.allSatisfy({ ASCII.isUpper($0) || ASCII.isDigit($0) || $0 == ASCII.underscore }),
           value.filter(ASCII.isUpper).count * 10 >= value.count * 7,
           case .credential = vocabulary.judge(String(decoding: value, as: UTF8.self)) {
            return .reference
        }
        return nil
    }

    static func isMasked(_ value: [UInt8]) -> Bool {
        var maskBytes = 0
        var index = 0
        var total = 0
        var xs = 0
        while index < value.count {
            let byte = value[index]
            total += 1
            if byte == ASCII.star || byte == ASCII.hash || byte == ASCII.question { maskBytes += 1; index += 1; continue }
            if byte == 0x78 || byte == 0x58 { xs += 1; index += 1; continue }
            // •, ●, ·, ■, ○, ◦, ∙ in UTF-8.
            if index + 2 < value.count, byte == 0xe2 {
                let pair = (value[index + 1], value[index + 2])
                if pair == (0x80, 0xa2) || pair == (0x97, 0x8f) || pair == (0x96, 0xa0) || pair == (0x97, 0x8b)
                    || pair == (0x97, 0xa6) || pair == (0x88, 0x99) {
                    maskBytes += 1; index += 3; continue
                }
            }
            if index + 1 < value.count, byte == 0xc2, value[index + 1] == 0xb7 { maskBytes += 1; index += 2; continue }
            index += 1
        }
        if total >= 3 && maskBytes + xs == total && (maskBytes > 0 || xs >= 3) { return true }
        // Partly masked: `****1234`, `ab******`.
        if maskBytes >= 4 && maskBytes * 2 >= total { return true }
        let lower = String(decoding: value, as: UTF8.self).lowercased()
        return ["(hidden)", "<hidden>", "[hidden]", "<masked>", "(masked)", "[masked]", "masked", "[redacted]", "<redacted>",
                "(redacted)", "<removed>", "(not shown)", "[filtered]", "<filtered>", "[hidden by policy]"].contains(lower)
    }

    static func isOwnerKeyEncrypted(_ value: [UInt8]) -> Bool {
        value.hasPrefix(ignoringCase: "01000000d08c9ddf0115d1118c7a00c04fc297eb")
            || value.hasPrefix(ignoringCase: "aqaaancmnd8bfderjhoawe/cl+s")
            || value.hasPrefix(ignoringCase: "$ansible_vault;")
            || value.hasPrefix(ignoringCase: "enc[")
            || value.hasPrefix(ignoringCase: "enc(")
            || value.hasPrefix(ignoringCase: "{cipher}")
            || value.hasPrefix(ignoringCase: "{aes}")
            || value.hasPrefix(ignoringCase: "{aes256}")
            || value.hasPrefix(ignoringCase: "{3des}")
            || value.hasPrefix(ignoringCase: "{rsa}")
            || value.hasPrefix(ignoringCase: "vault:v")
            || value.hasPrefix(ignoringCase: "u2fsdgvkx1")
            || value.hasPrefix(ignoringCase: "-----begin pgp message")
            || value.hasPrefix(ignoringCase: "-----begin encrypted")
            || value.hasPrefix(ignoringCase: "<encrypteddata")
            || value.hasPrefix(ignoringCase: "<ciphervalue")
            || value.hasPrefix(ignoringCase: "sealed:")
            // Kubernetes SealedSecrets: long base64 starting `Ag`, sealed with the cluster's key.
            || (value.hasPrefix(ignoringCase: "ag") && value.count > 300
                && value.allSatisfy { ASCII.isAlphanumeric($0) || $0 == ASCII.plus || $0 == ASCII.slash || $0 == ASCII.equals })
    }

    static func isPublicMaterial(_ value: [UInt8]) -> Bool {
        value.hasPrefix(ignoringCase: "-----begin certificate") || value.hasPrefix(ignoringCase: "-----begin public key")
            || value.hasPrefix(ignoringCase: "-----begin rsa public key") || value.hasPrefix(ignoringCase: "-----begin pgp public key")
            || value.hasPrefix(ignoringCase: "-----begin x509 crl") || value.hasPrefix(ignoringCase: "-----begin certificate request")
            || value.hasPrefix(ignoringCase: "-----begin new certificate request")
            || value.hasPrefix(ignoringCase: "ssh-rsa aaaa") || value.hasPrefix(ignoringCase: "ssh-ed25519 aaaa")
            || value.hasPrefix(ignoringCase: "ssh-dss aaaa") || value.hasPrefix(ignoringCase: "ecdsa-sha2-")
            || value.hasPrefix(ignoringCase: "sk-ssh-ed25519@openssh.com aaaa")
            // Public keys as base64 DER (SubjectPublicKeyInfo): EC P-256 and P-384, RSA, Ed25519, X25519.
            || value.starts(with: Array("MFkwEwYHKoZIzj0CAQ".utf8)) || value.starts(with: Array("MHYwEAYHKoZIzj0CAQ".utf8))
            || value.starts(with: Array("MIIBIjANBgkqhkiG9w0BAQEFAAOC".utf8)) || value.starts(with: Array("MIICIjANBgkqhkiG9w0BAQEFAAOC".utf8))
            || value.starts(with: Array("MCowBQYDK2Vw".utf8)) || value.starts(with: Array("MCowBQYDK2Vu".utf8))
    }

    static func isSettingValue(_ value: [UInt8]) -> Bool {
        let lower = String(decoding: value, as: UTF8.self).lowercased()
        if ["true", "false", "yes", "no", "on", "off", "enabled", "disabled", "enable", "disable", "-", "--", "0", "none",
            "null", "nil", "required", "optional", "auto", "prompt", "ask", "always", "never", "default", "local",
            "md5", "sha", "sha1", "sha256", "plain", "plaintext", "clear", "cleartext", "encrypted", "hashed", "*",
            "read-only", "read-write", "readonly", "readwrite", "ro", "rw", "read", "write", "none", "any", "all",
            "string", "securestring", "password", "secret"].contains(lower) {
            return true
        }
        return value.count <= 3 && value.allSatisfy(ASCII.isDigit)
    }

    static func isURLWithoutCredentials(_ value: [UInt8]) -> Bool {
        guard let colon = value.firstIndex(of: ASCII.colon), colon >= 2, colon + 2 < value.count,
              value[colon + 1] == ASCII.slash, value[colon + 2] == ASCII.slash,
              value[..<colon].allSatisfy({ ASCII.isAlphanumeric($0) || $0 == ASCII.plus || $0 == ASCII.dot || $0 == ASCII.dash }) else {
            return false
        }
        // A URL with user information carries a credential (read as its own named value).
        let authorityEnd = value[(colon + 3)...].firstIndex(of: ASCII.slash) ?? value.endIndex
        return !value[(colon + 3)..<authorityEnd].contains(ASCII.at)
    }

    static func isFilePath(_ value: [UInt8]) -> Bool {
        guard value.count >= 3, !value.contains(ASCII.space) || value.count > 40 else { return false }
        let separators = value.filter { $0 == ASCII.slash || $0 == ASCII.backslash }.count
        if value.first == ASCII.slash || value.starts(with: [ASCII.dot, ASCII.slash]) || value.starts(with: [0x7e, ASCII.slash]) {
            return separators >= 2 || value.contains(ASCII.dot)
        }
        if value.count > 3, ASCII.isLetter(value[0]), value[1] == ASCII.colon, value[2] == ASCII.backslash || value[2] == ASCII.slash {
            return true
        }
        if value.starts(with: [ASCII.backslash, ASCII.backslash]) { return true }
        // A file name with a key, certificate or credential-file extension (`lieferant.auth`).
        let lower = String(decoding: value, as: UTF8.self).lowercased()
        let credentialFiles = [".pem", ".key", ".crt", ".cer", ".p12", ".pfx", ".jks", ".keystore", ".gpg", ".asc", ".kdbx",
                               ".auth", ".pass", ".passwd", ".pwd", ".secret", ".secrets", ".cred", ".creds", ".htpasswd", ".keytab"]
        if !value.contains(ASCII.space), credentialFiles.contains(where: { lower.hasSuffix($0) }),
           value.allSatisfy({ ASCII.isNameByte($0) || $0 == ASCII.dot || $0 == ASCII.dash || $0 == ASCII.slash || $0 == ASCII.backslash }) {
            return true
        }
        for suffix in [".txt", ".conf", ".json", ".ini", ".xml", ".yaml", ".yml"] where lower.hasSuffix(suffix) && separators >= 1 { return true }
        return false
    }

    /// A regular expression (`(?=\\s)`, `[^/]+\\d{4}`), a JSON pointer (`#/definitions/x`) or
    /// a version number (`1.302138`, `v2.0.1`): what code matches, links or pins, not a secret.
    static func isPatternOrPointer(_ value: [UInt8]) -> Bool {
        if value.starts(with: [ASCII.hash, ASCII.slash]) { return true }
        // A host name (`eks-auth.mx-central-1.api.aws`) or a call written as text
        // (`hypothesis.strategies.random_module()`).
        if isHostName(value) { return true }
        if value.count > 2, value.suffix(2).elementsEqual([ASCII.openParen, ASCII.closeParen]),
           value.dropLast(2).allSatisfy({ ASCII.isNameByte($0) || $0 == ASCII.dot }) { return true }
        let version = value.first == 0x76 ? value.dropFirst() : value[...]
        if version.count >= 3, version.first.map(ASCII.isDigit) == true, version.contains(ASCII.dot),
           version.allSatisfy({ ASCII.isDigit($0) || $0 == ASCII.dot }) { return true }
        var constructs = 0
        var index = 0
        while index + 1 < value.count {
            let pair = (value[index], value[index + 1])
            switch pair {
            case (ASCII.openParen, ASCII.question): return true
            case (0x30, ASCII.dash) where index + 2 < value.count && value[index + 2] == 0x39: constructs += 1   // 0-9
            case (0x61, ASCII.dash) where index + 2 < value.count && value[index + 2] == 0x7a: constructs += 1   // a-z
            case (0x41, ASCII.dash) where index + 2 < value.count && value[index + 2] == 0x5a: constructs += 1   // A-Z
            case (ASCII.backslash, let next) where [0x73, 0x53, 0x64, 0x44, 0x77, 0x57, 0x62].contains(next): constructs += 1  // \s \S \d \D \w \W \b
            case (ASCII.openBracket, 0x5e), (ASCII.dot, ASCII.star), (ASCII.dot, ASCII.plus),
                 (ASCII.closeBracket, ASCII.plus), (ASCII.closeBracket, ASCII.star), (ASCII.closeParen, ASCII.star),
                 (ASCII.closeParen, ASCII.plus), (ASCII.closeBracket, ASCII.openBrace): constructs += 1
            default: break
            }
            index += 1
        }
        return constructs >= 2
    }

    /// Three or more dot-separated labels of letters, digits and dashes, the last of letters.
    static func isHostName(_ value: [UInt8]) -> Bool {
        let labels = value.split(separator: ASCII.dot, omittingEmptySubsequences: false)
        guard labels.count >= 3, let last = labels.last, (2...12).contains(last.count), last.allSatisfy(ASCII.isLetter) else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != ASCII.dash && label.allSatisfy { ASCII.isAlphanumeric($0) || $0 == ASCII.dash }
        }
    }

    /// `user:password` (haproxy `stats auth`, curl `-u`), not `host:port`.
    static func isUserColonPassword(_ value: [UInt8]) -> Bool {
        guard let colon = value.firstIndex(of: ASCII.colon), colon > 0, value.count - colon - 1 >= 4,
              !value.contains(ASCII.space), !value[(colon + 1)...].contains(ASCII.colon),
              !value[(colon + 1)...].allSatisfy(ASCII.isDigit), !value.contains(ASCII.slash) else { return false }
        return true
    }

    /// `lower_snake`, `RIPEMD160_CTX`, `urllib2`: words of letters, each ending in at most three
    /// digits, joined by underscores; a generated value mixes digits into its letters.
    static func isSnakeOrDigitIdentifier(_ value: ArraySlice<UInt8>) -> Bool {
        guard let first = value.first, ASCII.isLetter(first) || first == ASCII.underscore else { return false }
        return value.split(separator: ASCII.underscore).allSatisfy { word in
            let letters = word.prefix(while: ASCII.isLetter)
            let digits = word.dropFirst(letters.count)
            return digits.count <= 3 && digits.allSatisfy(ASCII.isDigit) && (!letters.isEmpty || !digits.isEmpty)
        }
    }

    /// Identifiers joined by `-`, `.` or `:`, each of two bytes or more
    /// (`Access-Control-Allow-Credentials`, `fs.s3.enableServerSideEncryption`, `write:pets`),
    /// unless digits switch with letters as in a generated token (`dt0c01.ST2EY72K…`).
    static func isJoinedIdentifiers(_ value: [UInt8]) -> Bool {
        let isSeparator = { (byte: UInt8) in byte == ASCII.dash || byte == ASCII.dot || byte == ASCII.colon }
        guard value.contains(where: isSeparator) else { return false }
        return value.split(whereSeparator: isSeparator).allSatisfy { $0.count >= 2 && isSnakeOrDigitIdentifier($0) }
            && !isMixedToken(value)
    }

    /// A generated token's look: a digit between letters inside one word (`dt0c01`, `s6BhdRkqt3`)
    /// beyond what an identifier ending in digits has.
    static func isMixedToken(_ value: [UInt8]) -> Bool {
        var switches = 0
        for index in 1..<max(1, value.count) where ASCII.isDigit(value[index]) != ASCII.isDigit(value[index - 1])
            && ASCII.isAlphanumeric(value[index]) && ASCII.isAlphanumeric(value[index - 1]) {
            switches += 1
        }
        return switches >= 4
    }

    /// Words that make a credential word a sample (`my-token`, `somepassword`).
    static let sampleHeads: Set<String> = ["my", "your", "some", "example", "sample", "test", "dummy", "fake", "the", "a",
                                           "default", "demo", "new", "super", "top", "secret"]
    static let credentialTails: Set<String> = ["token", "secret", "password", "pass", "key", "apikey", "pwd", "passwd", "pw",
                                               "passphrase", "credential", "psk"]

    /// `application/json`, `image/svg+xml`: a media type of IANA's top-level types.
    static func isMediaType(_ value: [UInt8]) -> Bool {
        guard let slash = value.firstIndex(of: ASCII.slash), slash < value.count - 1 else { return false }
        let type = String(decoding: value[..<slash], as: UTF8.self)
        guard ["application", "text", "image", "audio", "video", "font", "model", "multipart", "message"].contains(type) else { return false }
        return value[(slash + 1)...].allSatisfy { ASCII.isLowerLetter($0) || ASCII.isDigit($0) || $0 == ASCII.dot || $0 == ASCII.dash || $0 == ASCII.plus }
    }

    /// `3000:3000`, `127.0.0.1:8080:80`, `8443:443/tcp`.
    static func isPortMapping(_ value: [UInt8]) -> Bool {
        let parts = value.split(separator: ASCII.colon, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 3 else { return false }
        let last = parts.last!.split(separator: ASCII.slash).first ?? []
        return ([last] + parts.dropLast().suffix(1)).allSatisfy { !$0.isEmpty && $0.count <= 5 && $0.allSatisfy(ASCII.isDigit) }
            && (parts.count == 2 || parts[0].allSatisfy { ASCII.isDigit($0) || $0 == ASCII.dot })
    }

    /// Composer, npm and Cargo version ranges: `^3.3.2|^4.0`, `~1.2`, `>=2.0 <3`, `1.x`.
    static func isVersionConstraint(_ value: [UInt8]) -> Bool {
        guard let first = value.first, first == UInt8(ascii: "^") || first == UInt8(ascii: "~") || first == ASCII.greater
                || first == ASCII.less || first == ASCII.equals,
              value.contains(ASCII.dot) else { return false }
        return value.allSatisfy { ASCII.isDigit($0) || Self.versionBytes.contains($0) }
    }

    private static let versionBytes: [UInt8] = Array("^~<>=|,. *xv-".utf8)

    /// `myUser`, `myDatabaseUser`, `your_username`, `yourUser`: a user a manual invents.
    static func isInventedUser(_ identity: String) -> Bool {
        let bytes = Array(identity.utf8)
        for prefix in ["my", "your"] where bytes.count > prefix.count + 2 && bytes.starts(with: prefix.utf8) {
            let next = bytes[prefix.count]
            guard ASCII.isUpper(next) || next == ASCII.underscore || next == ASCII.dash else { continue }
            let lower = identity.lowercased()
            return lower.hasSuffix("user") || lower.hasSuffix("username") || lower.hasSuffix("login") || lower.hasSuffix("name")
        }
        return false
    }

    /// Words code samples write as a password (in a configuration `Passw0rd!` is what a plant
    /// may really have set).
    static let sampleWordsInCode: [[UInt8]] = ["password", "passwort", "secret", "supersecret", "topsecret"].map { Array($0.utf8) }

    /// Whether a value is one of `words` with letters swapped for the digits and symbols that
    /// look like them, and perhaps digits or symbols after it.
    static func isDisguised(_ value: [UInt8], as words: [[UInt8]]) -> Bool {
        var end = value.count
        while end > 0 && !ASCII.isLetter(value[end - 1]) && !Self.looksLikeLetter(value[end - 1]) { end -= 1 }
        // A trailing run of digits and symbols is the usual suffix (`1!`, `123`).
        var core = end
        while core > 0 && (ASCII.isDigit(value[core - 1]) || !ASCII.isAlphanumeric(value[core - 1])) { core -= 1 }
        for candidate in [end, core] where candidate >= 6 {
            let head = value[0..<candidate]
            for word in words where word.count == head.count {
                var disguised = false
                let matches = zip(head, word).allSatisfy { written, letter in
                    let lower = ASCII.isLetter(written) ? written | 0x20 : written
                    if lower == letter { return true }
                    disguised = true
                    return Self.leet[letter]?.contains(written) ?? false
                }
                if matches && (disguised || candidate < value.count) { return true }
            }
        }
        return false
    }

    /// The digits and symbols written for a letter.
    private static let leet: [UInt8: [UInt8]] = [
        UInt8(ascii: "a"): Array("@4".utf8), UInt8(ascii: "s"): Array("5$".utf8), UInt8(ascii: "o"): Array("0".utf8),
        UInt8(ascii: "e"): Array("3".utf8), UInt8(ascii: "t"): Array("7".utf8), UInt8(ascii: "r"): [],
        UInt8(ascii: "w"): [], UInt8(ascii: "d"): [], UInt8(ascii: "p"): [], UInt8(ascii: "c"): [], UInt8(ascii: "i"): Array("1!".utf8),
    ]

    private static func looksLikeLetter(_ byte: UInt8) -> Bool {
        leet.values.contains { $0.contains(byte) }
    }

    /// Letters only, in two or more words joined by `-`, `_`, `.` or spaces.
    static func isJoinedWords(_ value: [UInt8]) -> Bool {
        var separators = 0
        for byte in value {
            if byte == ASCII.dash || byte == ASCII.underscore || byte == ASCII.dot || byte == ASCII.space {
                separators += 1
            } else if !ASCII.isLetter(byte) {
                return false
            }
        }
        return separators >= 1 && separators < value.count
    }

    static func isWordLike(_ value: [UInt8]) -> Bool {
        value.count < 12 && value.allSatisfy { ASCII.isLetter($0) || $0 == ASCII.underscore }
    }

    static func trimmed(_ value: [UInt8]) -> [UInt8] {
        var start = 0
        var end = value.count
        while start < end && ASCII.isWhitespace(value[start]) { start += 1 }
        while end > start && (ASCII.isWhitespace(value[end - 1]) || value[end - 1] == 0) { end -= 1 }
        return start == 0 && end == value.count ? value : Array(value[start..<end])
    }

    // MARK: Hashes

    /// The hash format of `value`, when it is one.
    static func hashKind(_ value: [UInt8], credentialClass: CredentialClass) -> HashKind? {
        if value.first == ASCII.dollar {
            if value.hasPrefix(ignoringCase: "$1$") { return .md5Crypt }
            if value.hasPrefix(ignoringCase: "$2a$") || value.hasPrefix(ignoringCase: "$2b$") || value.hasPrefix(ignoringCase: "$2y$")
                || value.hasPrefix(ignoringCase: "$2x$") { return .bcrypt }
            if value.hasPrefix(ignoringCase: "$5$") { return .sha256Crypt }
            if value.hasPrefix(ignoringCase: "$6$") { return .sha512Crypt }
            if value.hasPrefix(ignoringCase: "$y$") || value.hasPrefix(ignoringCase: "$gy$") { return .yescrypt }
            if value.hasPrefix(ignoringCase: "$7$") { return .pbkdf2 }
            if value.hasPrefix(ignoringCase: "$argon2") { return .argon2 }
            if value.hasPrefix(ignoringCase: "$pbkdf2") { return .pbkdf2 }
            if value.hasPrefix(ignoringCase: "$scrypt$") { return .scrypt }
            if value.hasPrefix(ignoringCase: "$apr1$") { return .apacheMD5 }
            if value.hasPrefix(ignoringCase: "$p$") || value.hasPrefix(ignoringCase: "$h$") { return .phpass }
            if value.hasPrefix(ignoringCase: "$s$") { return .drupal }
            if value.hasPrefix(ignoringCase: "$sha1$") || value.hasPrefix(ignoringCase: "$md5$") { return .md5Crypt }
            if value.hasPrefix(ignoringCase: "$8$") { return .ciscoType8 }
            // Cisco type 9 is `$9$salt$hash`; Junos `$9$` (no second `$`) is reversible.
            if value.hasPrefix(ignoringCase: "$9$") && value[3...].contains(ASCII.dollar) { return .ciscoType9 }
            if value.hasPrefix(ignoringCase: "$sha512$") || value.hasPrefix(ignoringCase: "$sha256$") { return .pbkdf2 }
        }
        if value.first == ASCII.openBrace, let close = value.firstIndex(of: ASCII.closeBrace), close > 2 {
            let scheme = String(decoding: value[1..<close], as: UTF8.self).lowercased()
            if ["ssha", "sha", "md5", "smd5", "crypt", "ssha256", "ssha512", "sha256", "sha512", "pbkdf2", "pbkdf2-sha256",
                "pbkdf2-sha512", "argon2", "bcrypt", "ssha384", "sha384", "nt", "cleartext"].contains(scheme) {
                return scheme == "cleartext" ? nil : .ldapScheme
            }
            if scheme == "bcrypt" || scheme == "sha256" { return .ldapScheme }
        }
        if value.hasPrefix(ignoringCase: "pbkdf2_sha") || value.hasPrefix(ignoringCase: "pbkdf2:sha") || value.hasPrefix(ignoringCase: "pbkdf2$")
            || value.hasPrefix(ignoringCase: "argon2$") || value.hasPrefix(ignoringCase: "bcrypt$") || value.hasPrefix(ignoringCase: "bcrypt_sha256$") {
            return .django
        }
        if value.hasPrefix(ignoringCase: "scrypt:") { return .werkzeug }
        if value.hasPrefix(ignoringCase: "scram-sha-256$") || value.hasPrefix(ignoringCase: "scram-sha-1$") { return .scram }
        if value.count == 35 && value.hasPrefix(ignoringCase: "md5") && value.dropFirst(3).allSatisfy(ASCII.isHexDigit) { return .postgresMD5 }
        if value.count == 41 && value.first == ASCII.star && value.dropFirst().allSatisfy(ASCII.isHexDigit) { return .mysql }
        if value.count > 40, value.hasPrefix(ignoringCase: "0x0100") || value.hasPrefix(ignoringCase: "0x0200"),
           value.dropFirst(2).allSatisfy(ASCII.isHexDigit) { return .mssql }
        // Hex of a digest's length where the name says password or hash: devices store those.
        if value.allSatisfy(ASCII.isHexDigit), [32, 40, 56, 64, 96, 128].contains(value.count) {
            switch credentialClass {
            case .password, .passphrase, .pin, .passwordHash, .credential: return .hexDigest
            default: return nil
            }
        }
        // wpa_supplicant `hash:` + NtPasswordHash.
        if value.count == 37, value.hasPrefix(ignoringCase: "hash:"), value[5...].allSatisfy(ASCII.isHexDigit) { return .hexDigest }
        // `salt:iterations:hash` in base64 (HiveMQ file RBAC, many PBKDF2 stores).
        if let first = value.firstIndex(of: ASCII.colon), let second = value[(first + 1)...].firstIndex(of: ASCII.colon),
           second > first + 1, value[(first + 1)..<second].allSatisfy(ASCII.isDigit), first >= 8, value.count - second > 20,
           !value.contains(ASCII.space) {
            return .pbkdf2
        }
        // NTLM `LM:NT` pairs.
        if value.count == 65, value[32] == ASCII.colon, value[..<32].allSatisfy(ASCII.isHexDigit), value[33...].allSatisfy(ASCII.isHexDigit) {
            return .hexDigest
        }
        // Classic DES crypt: 13 characters of the crypt alphabet, under a hash name only.
        if credentialClass == .passwordHash, value.count == 13,
           value.allSatisfy({ ASCII.isAlphanumeric($0) || $0 == ASCII.dot || $0 == ASCII.slash }) { return .descrypt }
        return nil
    }
}

/// Measurements of a value the shape checks share, taken in one pass.
struct ValueShape {
    var classes = 0
    var entropy = 0.0
    var hasDigitOrSymbol = false
    var hasSpace = false
    var hasLineBreak = false
    var isProse = false
    var isRepeatedOrSequential = false
    /// A digit, or a symbol other than the punctuation of words and names (`-`, `'`, `(`, `)`,
    /// `.`, `,`, space).
    var hasDigitOrNonWordSymbol = false
    /// No digit, and half the bytes or more outside ASCII: words in another script.
    var isMostlyNonASCIIWords = false
    static let wordPunctuation: [UInt8] = Array("-'().,".utf8)
    var isUUID = false
    var isHex = false
    var isDottedName = false
    /// `db_password`, `mainPassword`: a name of something, built of lowercase words and `_`.
    var isIdentifierOfWords = false

    init(_ value: [UInt8]) {
        var lower = 0, upper = 0, digits = 0, other = 0, spaces = 0, letters = 0, nonASCII = 0, wordPunctuation = 0
        for byte in value {
            if ASCII.isLowerLetter(byte) { lower += 1; letters += 1 }
            else if ASCII.isUpper(byte) { upper += 1; letters += 1 }
            else if ASCII.isDigit(byte) { digits += 1 }
            else if byte == ASCII.space { spaces += 1 }
            else if byte == ASCII.newline || byte == ASCII.carriageReturn { hasLineBreak = true }
            else if byte >= 0x80 { letters += 1; nonASCII += 1 }
            else {
                other += 1
                if Self.wordPunctuation.contains(byte) { wordPunctuation += 1 }
            }
        }
        classes = (lower > 0 ? 1 : 0) + (upper > 0 ? 1 : 0) + (digits > 0 ? 1 : 0) + (other > 0 ? 1 : 0)
        isMostlyNonASCIIWords = digits == 0 && nonASCII * 2 >= value.count
        hasDigitOrNonWordSymbol = digits > 0 || other > wordPunctuation
        hasDigitOrSymbol = digits > 0 || other > 0
        entropy = Entropy.bitsPerByte(value)
        hasSpace = spaces > 0
        // A sentence: several words, or a few words of letters only (`wird separat übermittelt`).
        isProse = (spaces >= 3 && letters * 10 >= value.count * 7) || (spaces >= 2 && digits == 0 && other == 0)
        isHex = !value.isEmpty && value.allSatisfy(ASCII.isHexDigit)
        if let first = value.first, value.count >= 4 {
            if value.allSatisfy({ $0 == first }) { isRepeatedOrSequential = true }
            if value.count >= 6 {
                var ascending = true, descending = true
                for i in 1..<value.count {
                    let step = Int(value[i]) - Int(value[i - 1])
                    if step != 1 { ascending = false }
                    if step != -1 { descending = false }
                }
                isRepeatedOrSequential = isRepeatedOrSequential || ascending || descending
            }
        }
        if value.count == 36, value[8] == ASCII.dash, value[13] == ASCII.dash, value[18] == ASCII.dash, value[23] == ASCII.dash {
            isUUID = value.enumerated().allSatisfy { [8, 13, 18, 23].contains($0.offset) || ASCII.isHexDigit($0.element) }
        }
        // `com.example.setting`, `my.password.key`: lowercase words joined by dots.
        let dots = value.filter { $0 == ASCII.dot }.count
        isDottedName = dots >= 2 && digits == 0 && upper == 0 && value.allSatisfy { ASCII.isLowerLetter($0) || $0 == ASCII.dot || $0 == ASCII.underscore || $0 == ASCII.dash }
        let underscores = value.filter { $0 == ASCII.underscore }.count
        isIdentifierOfWords = underscores >= 1 && digits == 0 && upper == 0
            && value.allSatisfy { ASCII.isLowerLetter($0) || $0 == ASCII.underscore }
            && value.count >= 6
    }
}
