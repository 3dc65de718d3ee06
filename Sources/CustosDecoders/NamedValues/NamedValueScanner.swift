// The entry point of named-value scanning for one text: picks the extractors that claim the
// file (by name and first bytes), runs each under its budget, looks inside values that carry
// further structure (code in a JSON string, a command in an XML element, a connection string in
// an attribute) with exact positions kept, and classifies every value whose name is a
// credential name.
//
// What it leaves to the pipeline: reading and transcoding the file, archives, mapping spans to
// lines, and turning verdicts into findings. The trade-off: extractors that claim a file all
// run (an eWON `config.txt` is key/value lines and tables at once) and their values are merged
// by span, the first extractor's reading winning; that costs a second pass over a few formats
// and saves deciding on one reading up front.

import CustosCore

public struct NamedValueScanner: Sendable {
    public struct Options: Sendable {
        /// Report password hashes as findings (off by default: offline cracking is a lesser
        /// exposure than a clear password).
        public var includeHashes = false
        /// Per-extractor limits for one text.
        public var valuesPerText = 20_000
        public var bytesPerText = 256 * 1024 * 1024
        /// How deep values inside values are followed (a command in a JSON string in XML).
        public var maxNesting = 2

        public init() {}
    }

    public let lens: NameLens
    public let classifier: ValueClassifier
    public let options: Options

    public init(vocabulary: CredentialVocabulary, options: Options = Options()) {
        lens = NameLens(vocabulary: vocabulary)
        classifier = ValueClassifier(vocabulary: vocabulary)
        self.options = options
    }

    /// The extractors, most specific first: when two read a value at the same span, the first
    /// one's reading is kept.
    enum Kind: CaseIterable {
        case registry, word, xml, json, yaml, iec, sql, commandLine, code, table, passwordFile, config, inline, prose

        func claims(_ name: FileNameParts, _ prefix: UnsafeRawBufferPointer) -> Bool {
            switch self {
            case .registry: RegistryExtractor.claims(name, prefix: prefix)
            case .word: WordDocumentExtractor.claims(name, prefix: prefix)
            case .xml: XMLExtractor.claims(name, prefix: prefix)
            case .json: JSONExtractor.claims(name, prefix: prefix)
            case .yaml: YAMLExtractor.claims(name, prefix: prefix)
            case .iec: IECExtractor.claims(name, prefix: prefix)
            case .sql: SQLExtractor.claims(name, prefix: prefix)
            case .commandLine: CommandLineExtractor.claims(name, prefix: prefix)
            case .code: CodeExtractor.claims(name, prefix: prefix)
            case .table: TableExtractor.claims(name, prefix: prefix)
            case .passwordFile: PasswordFileExtractor.claims(name, prefix: prefix)
            case .config: ConfigLinesExtractor.claims(name, prefix: prefix)
            case .inline: InlineStructuresExtractor.claims(name, prefix: prefix)
            case .prose: ProseExtractor.claims(name, prefix: prefix)
            }
        }

        func extractor(_ lens: NameLens) -> any NamedValueExtractor {
            switch self {
            case .registry: RegistryExtractor(lens: lens)
            case .word: WordDocumentExtractor(lens: lens)
            case .xml: XMLExtractor(lens: lens)
            case .json: JSONExtractor(lens: lens)
            case .yaml: YAMLExtractor(lens: lens)
            case .iec: IECExtractor(lens: lens)
            case .sql: SQLExtractor(lens: lens)
            case .commandLine: CommandLineExtractor(lens: lens)
            case .code: CodeExtractor(lens: lens)
            case .table: TableExtractor(lens: lens)
            case .passwordFile: PasswordFileExtractor(lens: lens)
            case .config: ConfigLinesExtractor(lens: lens)
            case .inline: InlineStructuresExtractor(lens: lens)
            case .prose: ProseExtractor(lens: lens)
            }
        }
    }

    /// Which extractors read a file, from its name and first bytes.
    func kinds(for fileName: Substring, prefix: UnsafeRawBufferPointer) -> [Kind] {
        let name = FileNameParts(fileName)
        return Kind.allCases.filter { $0.claims(name, prefix) }
    }

    /// Every named value in `text` whose name is a credential name, with its verdict.
    /// `text` is UTF-8; spans are offsets in it.
    public func classify(in text: UnsafeRawBufferPointer, fileName: Substring) -> [ClassifiedValue] {
        let name = FileNameParts(fileName)
        // Translations (XLIFF, gettext) say "password" in every language and hold none.
        if Self.translationExtensions.contains(name.ext) { return [] }
        let prefix = UnsafeRawBufferPointer(rebasing: text[0..<min(text.count, 4096)])
        // Password files hold nothing but credentials, named by their file alone.
        guard mayHoldCredential(text) || PasswordFileExtractor.claims(name, prefix: prefix) else { return [] }
        let kinds = Kind.allCases.filter { $0.claims(name, prefix) }
        guard !kinds.isEmpty else { return [] }
        var collector = Collector()
        for kind in kinds {
            var budget = ExtractionBudget(values: options.valuesPerText, bytes: options.bytesPerText)
            kind.extractor(lens).extract(text, fileName: fileName, budget: &budget) { collector.add($0) }
        }
        var results: [ClassifiedValue] = []
        let context = name.lower
        var judgements = JudgementCache()
        for named in collector.values {
            judge(named, text: text, context: context, depth: 0, cache: &judgements, into: &results)
        }
        return results
    }

    /// Whether any extractor could find a credential in `text`: every credential is named by a
    /// credential or user word, passed to a program that takes one (`mysql -p…`) or to a login
    /// call of the vocabulary (`add_route_to_plc(…)`), written in a
    /// SQL shape that names none (`IDENTIFIED BY`, `sp_addlinkedsrvlogin`), or a URL with user
    /// information. One pass of the sieves over a text that has none of them, and nothing else.
    func mayHoldCredential(_ text: UnsafeRawBufferPointer) -> Bool {
        lens.textSieve.occurs(in: text)
            || (text.contains("://", in: 0..<text.count) && text.contains(where: { $0 == ASCII.at }))
    }

    static let translationExtensions: Set<String> = ["xlf", "xliff", "po", "pot"]

    static let markerWords = ["identified", "sp_addlinkedsrvlogin", "sp_addlogin", "basic", "eap", "xauth", "ntlm"]

    /// The values a scan reports: credentials and values under a published key, and hashes
    /// when `includeHashes` is set.
    public func credentials(in text: UnsafeRawBufferPointer, fileName: Substring) -> [ClassifiedValue] {
        classify(in: text, fileName: fileName).filter { reportable($0.verdict) }
    }

    public func reportable(_ verdict: ValueVerdict) -> Bool {
        if verdict.isFinding { return true }
        if case .hash = verdict { return options.includeHashes }
        return false
    }

    /// Classifies one value, and looks inside it when it is not a credential itself.
    func judge(_ named: NamedValue, text: UnsafeRawBufferPointer, context: String, depth: Int,
               cache: inout JudgementCache, into results: inout [ClassifiedValue]) {
        var verdict: ValueVerdict?
        if case let .credential(credentialClass, strength, _) = cache.judge(named.name, lens: lens) {
            let (found, plaintext) = classifier.classify(named, as: credentialClass, strength: strength,
                                                         context: context + " " + named.namePath.lowercased())
            verdict = found
            results.append(ClassifiedValue(named: named, verdict: found, nameClass: credentialClass, nameStrength: strength,
                                           plaintext: plaintext))
        }
        // `Basic <base64 of user:password>` is a credential whatever holds it.
        if verdict == nil, named.value.count > 12, named.value.hasPrefix(ignoringCase: "basic "),
           let decoded = ValueClassifier.basicCredentials(Array(named.value.dropFirst(6).drop { $0 == ASCII.space })) {
            verdict = .credential(.high)
            results.append(ClassifiedValue(named: named, verdict: .credential(.high), nameClass: .authorization, nameStrength: .medium,
                                           plaintext: decoded))
        }
        if let verdict, verdict.isFinding || verdict.isHash { return }
        guard depth < options.maxNesting, named.value.count >= 10, named.form != .expression else { return }
        switch named.encoding {
        case .byteArray, .hexBytes, .utf16Bytes: return
        default: break
        }
        let inner = named.value
        // A command (`@command = N'sqlcmd … -P …'`, `<Arguments>`) is read as a command line
        // whatever words it holds; anything else only when it may name a credential.
        let carries = XMLNames.commandNames.contains(named.name.lowercased())
            || inner.withUnsafeBytes { lens.mayCarry($0, 0..<$0.count) }
        guard carries else { return }
        for nested in nestedValues(in: named, text: text) {
            judge(nested, text: text, context: context, depth: depth + 1, cache: &cache, into: &results)
        }
    }

    /// The named values inside a value, with spans mapped back to the outer text.
    func nestedValues(in outer: NamedValue, text: UnsafeRawBufferPointer) -> [NamedValue] {
        let decoded = reDecode(outer, text: text)
        var collector = Collector()
        decoded.bytes.withUnsafeBytes { bytes in
            var budget = ExtractionBudget(values: 2_000, bytes: 16 * 1024 * 1024)
            // A string in source code is a docstring, a message or a template far more often
            // than a sentence holding a password: inside code, prose is not read, and a string
            // of several lines (a docstring, a usage text) is read only for the structures that
            // carry a credential whole (connection strings, URLs, headers, SQL, commands).
            let multiline = outer.format == .sourceCode && bytes.contains(where: { $0 == ASCII.newline })
            // A docstring or help text (sentences over several lines) documents calls, headers
            // and command lines with example values: it is not read at all.
            if multiline && Self.isSentences(bytes) { return }
            // API documentation in JSON (`"documentation": "<p>…<code>{\"Password\": …}</code>"`).
            if outer.format == .json, bytes.contains("<p>", in: 0..<bytes.count) || bytes.contains("<code>", in: 0..<bytes.count) { return }
            for kind in nestedKinds(bytes) where !(outer.format == .sourceCode && kind == .prose)
                && !(multiline && (kind == .code || kind == .iec || kind == .commandLine)) {
                kind.extractor(lens).extract(bytes, fileName: "", budget: &budget) { collector.add($0) }
            }
        }
        return collector.values.compactMap { inner in
            var value = inner
            value.valueSpan = decoded.sourceRange(of: inner.valueSpan, within: outer.valueSpan)
            guard value.valueSpan != outer.valueSpan || value.value != outer.value else { return nil }
            value.namePath = outer.namePath + " › " + inner.namePath
            if value.identity == nil { value.identity = outer.identity }
            if value.encoding == .plain { value.encoding = outer.encoding }
            return value
        }
    }

    /// Whether text is written in sentences: two or more `. ` (or `.` at a line's end) after a
    /// word, with at least twelve words of letters.
    static func isSentences(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var stops = 0, words = 0, inWord = false, letters = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if ASCII.isLetter(byte) {
                letters += 1
                inWord = true
                continue
            }
            if inWord && letters >= 2 && (byte == ASCII.space || byte == ASCII.newline || byte == ASCII.dot || byte == ASCII.comma) { words += 1 }
            if inWord, byte == ASCII.dot, index + 1 < bytes.count, bytes[index + 1] == ASCII.space || bytes[index + 1] == ASCII.newline {
                stops += 1
            }
            inWord = false
            letters = 0
        }
        return stops >= 2 && words >= 12
    }

    /// The outer value's bytes with the source offset of each: its decoding replayed over its
    /// span. When the replay does not give the same bytes (a value assembled from several
    /// places), offsets are left out and every value inside reports the outer span.
    private func reDecode(_ outer: NamedValue, text: UnsafeRawBufferPointer) -> DecodedValue {
        let span = outer.valueSpan.clamped(to: 0..<text.count)
        var decoders: [ValueDecoder] = []
        switch outer.encoding {
        case .plain: decoders = [.plain]
        case .xmlEntities: decoders = [.xmlEntities]
        case .stringEscapes: decoders = [.backslashes(.json), .backslashes(.cLike), .backslashes(.properties)]
        case .logixEscapes: decoders = [.logix]
        case .doubledQuotes: decoders = [.doubled(ASCII.apostrophe), .doubled(ASCII.quote)]
        default: break
        }
        for decoder in decoders {
            let replay = decoder.decode(text, span, recordingOffsets: true)
            if replay.bytes == outer.value { return replay }
        }
        var whole = DecodedValue(recordingOffsets: false)
        whole.bytes = outer.value
        whole.wholeSpan = true
        return whole
    }

    /// Which readers look inside a value, from what it holds.
    private func nestedKinds(_ bytes: UnsafeRawBufferPointer) -> [Kind] {
        var kinds: [Kind] = [.inline]
        let all = 0..<bytes.count
        if bytes.contains(":=", in: all) { kinds.append(.iec) }
        if bytes.contains("identified by", in: all) || bytes.contains("sp_add", in: all) || bytes.contains("with password", in: all) {
            kinds.append(.sql)
        }
        if bytes.contains(" -", in: all) || bytes.contains(" /", in: all) { kinds.append(.commandLine) }
        if bytes.contains("=", in: all) || bytes.contains("(", in: all) || bytes.contains(": ", in: all) { kinds.append(.code) }
        // Prose last: a value read by a structure above keeps that reading.
        if bytes.contains(" ", in: all) { kinds.append(.prose) }
        return kinds
    }
}

/// Names judged once per text: a file repeats its names (`password` on every account).
struct JudgementCache {
    /// Whether a string can be a name at all: markup (`<Password>…</Password>`), masks and
    /// sentences read as keys by a positional reading are not.
    static func isName(_ name: String) -> Bool {
        // `AWS::Location::APIKey`, `Foo->bar`: type and member paths in code name no value.
        guard name.utf8.count <= 96, !name.contains(asciiIgnoringCase: "::"), !name.contains(asciiIgnoringCase: "->") else { return false }
        var spaces = 0
        for byte in name.utf8 {
            if byte == ASCII.less || byte == ASCII.greater || byte == ASCII.star { return false }
            if byte == ASCII.space { spaces += 1 }
        }
        return spaces <= 4
    }

    private var judgements: [String: NameJudgement] = [:]

    mutating func judge(_ name: String, lens: NameLens) -> NameJudgement {
        if let known = judgements[name] { return known }
        let judgement = Self.isName(name) && lens.mayMatter(name) ? lens.vocabulary.judge(name) : .unrelated
        if judgements.count < 4096 { judgements[name] = judgement }
        return judgement
    }
}

/// Values of one text, merged by span: the first reading of a span wins.
struct Collector {
    private(set) var values: [NamedValue] = []
    private var seen = Set<Range<Int>>()

    mutating func add(_ value: NamedValue) {
        guard seen.insert(value.valueSpan).inserted else { return }
        values.append(value)
    }
}

extension NamedValueScanner {
    /// One database row (a SQLite table row, a CSV record read elsewhere): each cell named by
    /// its column, the row's user column its identity. Spans are offsets in each cell's text.
    public func classify(row cells: [(column: String, text: UnsafeRawBufferPointer)], table: String, number: Int,
                         context: String = "") -> [ClassifiedValue] {
        let identity = cells.first { lens.isIdentity($0.column) }.map { String(decoding: $0.text, as: UTF8.self) }
        var results: [ClassifiedValue] = []
        for cell in cells where lens.mayMatter(cell.column) || lens.mayCarry(cell.text, 0..<cell.text.count) {
            let named = NamedValue(name: cell.column, namePath: "\(table).\(cell.column)[\(number)]", valueSpan: 0..<cell.text.count,
                                   value: Array(cell.text), identity: identity, format: .table, form: .literal)
            var cache = JudgementCache()
            judge(named, text: cell.text, context: context.lowercased(), depth: 0, cache: &cache, into: &results)
        }
        return results
    }

    /// The credential columns of one XLSX sheet, given the sheet's XML and the workbook's
    /// shared strings (the pipeline opens the zip). Each value says which part its span is in.
    public func classify(sheet: UnsafeRawBufferPointer, sharedStrings: UnsafeRawBufferPointer?, sheetName: String,
                         context: String = "") -> [(value: ClassifiedValue, part: WorkbookPart)] {
        WorkbookTable(lens: lens).values(sheet: sheet, sharedStrings: sharedStrings, sheetName: sheetName).compactMap { cell in
            guard case let .credential(credentialClass, strength, _) = lens.vocabulary.judge(cell.named.name) else { return nil }
            let (verdict, plaintext) = classifier.classify(cell.named, as: credentialClass, strength: strength,
                                                           context: context.lowercased() + " " + cell.named.namePath.lowercased())
            return (ClassifiedValue(named: cell.named, verdict: verdict, nameClass: credentialClass, nameStrength: strength,
                                    plaintext: plaintext), cell.part)
        }
    }
}
