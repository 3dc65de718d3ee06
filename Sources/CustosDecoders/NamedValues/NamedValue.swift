// Named values: what a structured text calls each of its values, and where the value sits.
//
// This folder owns turning structured text (XML, JSON, YAML, INI and its relatives, registry
// exports, device and daemon configs, IEC 61131-3 sources, code, command lines, SQL, tables)
// into `NamedValue`s — a name path a person recognises, the value decoded, and the exact bytes
// the value occupies — and judging each one with one vocabulary of credential names
// (`CredentialVocabulary`, data reviewed in rules/vocabulary/) and one value classifier
// (`ValueClassifier`). It leaves reading files, transcoding UTF-16, opening archives and
// turning verdicts into findings to the scan pipeline, and it never matches regexes: vendor
// token formats stay with the rules.
//
// The trade-off: every extractor is a small tolerant reader, not a validating parser. Broken
// input gives fewer values, never a trap, and each extractor stops at its budget, so a hostile
// file costs at most the budget. Extractors look at names first and build a name path (the only
// allocation) only for values whose name could matter.

/// One value a structured text gives a name to.
public struct NamedValue: Sendable, Hashable {
    /// The nearest name: "Password", "FTP_Pass", "Kennwort", "community".
    public var name: String
    /// What a person recognises: `Controller[Line3]/Tags/Tag[FTP_Pass]/Data`,
    /// `$.servers[0].password`, `[Database] password`, `snmp-server community`.
    public var namePath: String
    /// The exact bytes of the value as written in the input (without its quotes).
    public var valueSpan: Range<Int>
    /// The value decoded: entities, escapes, byte arrays and hex resolved.
    public var value: [UInt8]
    /// How the written bytes became `value`.
    public var encoding: ValueEncoding
    /// A user or login name the structure ties to the value (a sibling `User`, the row's
    /// `Login` column, `username x password y`).
    public var identity: String?
    /// The format the value was read from.
    public var format: StructuredFormat
    /// Whether the value was written as a literal or is code that computes one.
    public var form: ValueForm
    /// What the structure says about the value's protection (`password 7 …`, `ENC …`).
    public var marker: ValueMarker

    public init(name: String, namePath: String, valueSpan: Range<Int>, value: [UInt8],
                encoding: ValueEncoding = .plain, identity: String? = nil, format: StructuredFormat,
                form: ValueForm = .literal, marker: ValueMarker = .none) {
        self.name = name
        self.namePath = namePath
        self.valueSpan = valueSpan
        self.value = value
        self.encoding = encoding
        self.identity = identity
        self.format = format
        self.form = form
        self.marker = marker
    }

    /// The value as text (invalid UTF-8 replaced), for messages and tests.
    public var text: String { String(decoding: value, as: UTF8.self) }
}

/// The structured formats values are read from.
public enum StructuredFormat: String, Sendable, Hashable, CaseIterable {
    case xml, json, yaml, toml, ini, properties, dotenv, windowsRegistry, deviceConfig, iec61131,
         sourceCode, commandLine, sql, table, passwordFile, connectionString, url

    /// Formats where a bare word can be code rather than a value.
    public var isCode: Bool {
        switch self {
        case .sourceCode, .iec61131: true
        default: false
        }
    }
}

/// How the bytes of a value as written became its decoded bytes.
public enum ValueEncoding: String, Sendable, Hashable {
    /// As written.
    case plain
    /// XML character references and entities resolved.
    case xmlEntities
    /// IEC 61131-3 and Logix `$` escapes (`$$`, `$'`, `$0D`) resolved.
    case logixEscapes
    /// Backslash escapes of JSON, C, YAML, TOML or shell strings resolved.
    case stringEscapes
    /// A list of numbers (`[16#dd,16#df]`, `{0x2b, 0x7e}`) read as bytes.
    case byteArray
    /// Hexadecimal digits (registry `hex:` data, `0x…`) read as bytes.
    case hexBytes
    /// UTF-16LE bytes (registry `hex(2):`) transcoded to UTF-8.
    case utf16Bytes
    /// Doubled quotes (`''` in SQL and CSV) undone.
    case doubledQuotes
    /// `%XX` sequences resolved (URL user information).
    case percentEncoding
    /// Base64 decoded (a Kubernetes `Secret`'s `data:`).
    case base64
}

/// Whether a value was written as itself.
public enum ValueForm: String, Sendable, Hashable {
    /// A quoted string or a value a format only writes as data.
    case literal
    /// An unquoted token that a config format reads as text.
    case bare
    /// Code that computes the value (a call, an attribute access, a variable): never a value.
    case expression
}

/// What a structure says about how a value is protected. Only device and registry formats
/// say anything; everything else is `.none`.
public enum ValueMarker: Sendable, Hashable {
    case none
    /// A Cisco-style type number before the value (`password 7 …`, `secret 5 …`, `key 0 …`).
    case typeNumber(Int)
    /// FortiOS `ENC` before the value.
    case fortiOSEncrypted
    /// A keyword that says the value is stored reversibly encrypted by the device itself
    /// (Comware `cipher`): a key every device holds.
    case declaredEncrypted
    /// A keyword that says the value is stored hashed (ASA `… encrypted`, SQL `… HASHED`,
    /// Comware `hash`, ProCurve `sha1`).
    case declaredHashed
    /// Registry binary data (`hex:`), the bytes in `value`.
    case registryBinary
    /// The structure says values are encrypted with a key of this installation (FortiOS with
    /// `private-data-encryption enable`): not readable without the owner's key.
    case ownerKeyEncrypted
}

/// Limits on what one extractor may do with one text: values yielded, bytes looked at, and
/// nesting followed. Extraction stops quietly when one runs out.
public struct ExtractionBudget: Sendable {
    public var valuesLeft: Int
    public var bytesLeft: Int
    public let maxDepth: Int

    public init(values: Int = 20_000, bytes: Int = 256 * 1024 * 1024, maxDepth: Int = 64) {
        valuesLeft = values
        bytesLeft = bytes
        self.maxDepth = maxDepth
    }

    public var isExhausted: Bool { valuesLeft <= 0 || bytesLeft <= 0 }

    /// Records `count` bytes looked at; false once the budget is spent.
    @inline(__always)
    public mutating func spend(bytes count: Int) -> Bool {
        bytesLeft &-= count
        return bytesLeft > 0 && valuesLeft > 0
    }

    /// Takes one value from the budget; false when none is left.
    @inline(__always)
    public mutating func takeValue() -> Bool {
        guard valuesLeft > 0 else { return false }
        valuesLeft -= 1
        return true
    }
}

/// A file's name as the extractors' claims read it, lowered and split once per file rather
/// than once per extractor.
public struct FileNameParts: Sendable {
    /// The whole name (a path, or an archive member's path), lowercase.
    public let lower: String
    /// Its last path component.
    public let base: String
    /// What follows the base name's last dot; empty without a dot.
    public let ext: String
    public let hasExtension: Bool

    public init(_ fileName: Substring) {
        let lower = fileName.lowercased()
        let utf8 = lower.utf8
        let base: String
        if let slash = utf8.lastIndex(of: UInt8(ascii: "/")) {
            base = String(lower[utf8.index(after: slash)...])
        } else {
            base = lower
        }
        self.lower = lower
        self.base = base
        if let dot = base.utf8.lastIndex(of: UInt8(ascii: ".")) {
            ext = String(base[base.utf8.index(after: dot)...])
            hasExtension = true
        } else {
            ext = ""
            hasExtension = false
        }
    }
}

/// Claims a text by file name and content, and yields its named values under a budget.
public protocol NamedValueExtractor: Sendable {
    /// Whether this extractor reads the file, from its name and first bytes only.
    static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool
    /// Yields the named values of `text`.
    func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                 emit: (NamedValue) -> Void)
}

extension NamedValueExtractor {
    /// `claims` for a name not yet split.
    public static func claims(fileName: Substring, prefix: UnsafeRawBufferPointer) -> Bool {
        claims(FileNameParts(fileName), prefix: prefix)
    }
}
