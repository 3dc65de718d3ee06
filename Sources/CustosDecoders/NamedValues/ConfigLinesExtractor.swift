// Line-oriented configuration: INI (with `[sections]`), `.properties`, `.env`, TOML, eWON
// `Key:Value` files (`:Sections`), systemd units, and the `keyword value` family of device and
// daemon configs — Cisco IOS/ASA/NX-OS, Junos (`set …` and braces), FortiOS
// (`config`/`edit`/`set`), RouterOS (`/path` + `add k=v …`), OpenWrt UCI (`option key 'v'`),
// strongSwan `ipsec.secrets`, wpa_supplicant, WireGuard, Mosquitto, Redis, keepalived,
// haproxy, `.netrc` — one reader, because vendors mix them freely.
//
// Each line is a pair (`key = value`, `key: value`) when its left side is one key, otherwise a
// run of words where a credential keyword takes the word after it as its value, skipping the
// type markers devices write between them (`password 7 …`, `secret 5 …`, `key 0 …`,
// `pre-shared-key ascii-text …`, `ENC …`, `auth sha …`). Values of one section, block or
// FortiOS `edit` are held until it ends, so a `user` written after the password still becomes
// its identity. The trade-off: no dialect is parsed exactly; a line that fits neither shape
// yields nothing.

import CustosCore
import Foundation

public struct ConfigLinesExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    enum Dialect { case ini, properties, dotenv, toml, generic }

    static let configExtensions: Set<String> = [
        "ini", "cfg", "conf", "cnf", "config", "properties", "prefs", "env", "toml", "rsc", "uci", "secrets", "ovpn",
        "service", "timer", "socket", "mount", "desktop", "inf", "reg0", "wg", "netdev", "network", "rc", "settings",
        "cf", "bak", "backup", "cisco", "junos", "fgt", "txt", "dat", "ora", "cred", "credentials", "npmrc", "pypirc",
        "netrc", "gitconfig", "editorconfig", "def", "set", "aug", "ios", "asa", "vyos", "boot", "startup", "running",
        "cli", "cfg1", "hocon", "rc", "conf.d", "env.local", "env.production", "fhx",
    ]

    static let configNames: Set<String> = [
        ".env", ".npmrc", ".pypirc", ".netrc", "_netrc", ".my.cnf", "my.cnf", "my.ini", ".gitconfig", "running-config",
        "startup-config", "config", "settings", ".htaccess", "wpa_supplicant", "hostapd", "ipsec.secrets", "mosquitto",
        "redis", "haproxy", "keepalived", "smb", "freetds", "odbc", ".s3cfg", ".boto", "credentials", ".dockercfg",
        "comcfg", "wvdial", "chap-secrets", "pap-secrets", "radiusd", "clients", "users", "msmtprc", ".msmtprc", "muttrc",
        ".muttrc", "fetchmailrc", ".fetchmailrc", ".lftprc", "lftp.conf", ".wgetrc", "wgetrc", ".curlrc", ".ncftprc",
        "ssmtp.conf", "snmpd.conf", "ntp.keys", "config",
    ]

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        let base = name.base
        let firstByte = prefix.firstIndex { !ASCII.isWhitespace($0) && $0 != 0xef && $0 != 0xbb && $0 != 0xbf }.map { prefix[$0] }
        // XML, JSON, IEC 61131-3 sources and code have their own extractors.
        // Files that open with a `//` or `/*` comment are C-like sources (TableGen, RPC, IDL).
        if firstByte == ASCII.less || firstByte == ASCII.openBrace { return false }
        if IECExtractor.claims(name, prefix: prefix) || CodeExtractor.claims(name, prefix: prefix) { return false }
        // Package metadata (headers, then a README) and manual pages in troff are documentation.
        if ["metadata", "pkg-info"].contains(base) || prefix.starts(with: Array(".TH ".utf8)) || prefix.starts(with: Array(".\\\"".utf8)) {
            return false
        }
        if base.hasPrefix(".env") || base.hasSuffix(".env") || configNames.contains(base) { return true }
        if name.hasExtension, configExtensions.contains(name.ext) {
            let ext = name.ext
            if ext == "txt" || ext == "dat" || ext == "bak" || ext == "backup" { return looksLikeConfig(prefix) }
            return true
        }
        // Anything else (no extension, unknown extensions): decided by the first lines.
        if name.hasExtension, codeExtensions.contains(name.ext) { return false }
        // A file of no known kind that opens with a `//` or `/*` comment is a C-like source
        // (TableGen, RPC, IDL); RouterOS exports open with a single slash (`/interface …`).
        if let start = prefix.firstIndex(where: { !ASCII.isWhitespace($0) }), start + 1 < prefix.count, prefix[start] == ASCII.slash,
           prefix[start + 1] == ASCII.slash || prefix[start + 1] == ASCII.star { return false }
        return looksLikeConfig(prefix)
    }

    static let codeExtensions: Set<String> = [
        "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "java", "kt", "scala", "groovy", "cs", "vb", "c", "h", "cc", "cpp",
        "hpp", "go", "rs", "rb", "php", "pl", "lua", "swift", "m", "sh", "bash", "ps1", "bat", "cmd", "sql", "json",
        "yaml", "yml", "xml", "csv", "tsv", "md", "html", "htm", "css", "st", "scl", "awl", "l5k", "reg", "bas",
        // Documentation: prose about settings (`the session token part of your credentials`), not settings.
        "rst", "markdown", "pod", "adoc", "asciidoc", "tex", "rtf", "rdoc", "texi", "texinfo", "man",
    ]

    /// Whether the first lines read as configuration: most non-comment lines are pairs, section
    /// headers or device keywords.
    static func looksLikeConfig(_ prefix: UnsafeRawBufferPointer) -> Bool {
        var lines = 0
        var configLike = 0
        var index = 0
        let end = min(prefix.count, 4096)
        while index < end && lines < 40 {
            let lineEnd = min(prefix.lineEnd(from: index), end)
            let line = prefix.trimmed(index..<lineEnd)
            index = lineEnd + 1
            guard !line.isEmpty else { continue }
            let first = prefix[line.lowerBound]
            if first == ASCII.hash || first == ASCII.semicolon || first == ASCII.exclamation { continue }
            lines += 1
            if first == ASCII.openBracket || first == ASCII.colon || first == ASCII.slash { configLike += 1; continue }
            if Reader.deviceKeywords.contains(where: { prefix.matches($0, at: line.lowerBound) }) {
                configLike += 1; continue
            }
            // `key = value`, `key=value`, `Key:Value` with a key of one word.
            var cursor = line.lowerBound
            while cursor < line.upperBound && (ASCII.isNameByte(prefix[cursor]) || prefix[cursor] == ASCII.dot || prefix[cursor] == ASCII.dash) { cursor += 1 }
            cursor = prefix.skipSpaces(from: cursor, limit: line.upperBound)
            if cursor > line.lowerBound, cursor < line.upperBound, prefix[cursor] == ASCII.equals || prefix[cursor] == ASCII.colon {
                configLike += 1
            }
        }
        return (lines > 0 && configLike * 2 >= lines && configLike >= 1) || Reader.sniffDevice(prefix)
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        withoutActuallyEscaping(emit) { emit in
            var reader = Reader(text: text, lens: lens, dialect: Self.dialect(of: fileName), emit: emit)
            reader.run(budget: &budget)
        }
    }

    static func dialect(of fileName: Substring) -> Dialect {
        let base = FileNameParts(fileName).base
        if base.hasSuffix(".properties") || base.hasSuffix(".prefs") { return .properties }
        if base.hasPrefix(".env") || base.hasSuffix(".env") { return .dotenv }
        if base.hasSuffix(".toml") { return .toml }
        if base.hasSuffix(".ini") || base.hasSuffix(".cnf") || base.hasSuffix(".inf") { return .ini }
        return .generic
    }
}

/// One pass over a config text.
private struct Reader {
    let text: UnsafeRawBufferPointer
    let lens: NameLens
    let dialect: ConfigLinesExtractor.Dialect
    let emit: (NamedValue) -> Void

    /// `[Database]`, `:System`, `/ppp secret`, UCI `config wifi-iface`.
    var section = ""
    /// Open braces and FortiOS `config` blocks, outermost first.
    var blocks: [String] = []
    /// The `NAME="…"` of each open block (DeltaV FHX `ATTRIBUTE_INSTANCE NAME="LIMS_PWD" {`),
    /// which names the generic values inside it (`VALUE { CV="…" }`).
    var blockLabels: [String?] = []
    var pendingLabel: String?
    /// FortiOS `edit "name"`.
    var edit: String?
    /// The last line that started at column 0 (Cisco sub-mode context).
    var topLevel = 0..<0
    var pairing = IdentityPairing()
    /// Whether the text reads as a device config (`!` comments, `set`, `config`, `/path`,
    /// `hostname` lines): then a keyword anywhere in a line takes a value.
    var deviceLike = false
    /// OpenWrt UCI (`config type 'name'` sections of `option` lines).
    let isUCI: Bool
    /// FortiOS `set private-data-encryption enable`: `ENC` values use this unit's own key.
    var privateDataEncryption = false
    /// Where credential and identity words occur in the text: most lines name neither.
    var nameHits: WordHitCursor

    init(text: UnsafeRawBufferPointer, lens: NameLens, dialect: ConfigLinesExtractor.Dialect, emit: @escaping (NamedValue) -> Void) {
        self.text = text
        self.lens = lens
        self.dialect = dialect
        self.emit = emit
        let head = UnsafeRawBufferPointer(rebasing: text[0..<min(text.count, 4096)])
        isUCI = head.contains("\toption ", in: 0..<head.count) || head.contains("\n  option ", in: 0..<head.count)
            || head.contains("\n    option ", in: 0..<head.count)
        deviceLike = Self.sniffDevice(head)
        nameHits = WordHitCursor(lens.nameWords, text: text)
    }

    /// Lines that start device configurations (Cisco, Junos, FortiOS, RouterOS, HiOS,
    /// SCALANCE, UCI, Moxa, Aruba), lowercase.
    static let deviceKeywords: [StaticString] = [
        "hostname ", "version ", "interface ", "set ", "config ", "edit ", "snmp-server ", "aaa ", "crypto ", "username ",
        "enable ", "ip route", "/ip ", "/interface", "/system", "/user", "/ppp", "/snmp", "#config-version", "## last commit",
        "option ", "vlan ", "users ", "snmp ", "radius ", "tacacs", "ntp ", "logging ", "spanning-tree", "system ", "network ",
        "sntp ", "ip ssh", "line vty", "line con", "router ", "service ", "banner ", "account ", "snmpv3 ", "wlan ", "ipsec ",
        "security ", "dot1x ", "clock ", "ip http",
    ]

    static func sniffDevice(_ head: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < head.count {
            let lineEnd = head.lineEnd(from: index)
            let start = head.skipSpaces(from: index, limit: lineEnd)
            defer { index = lineEnd + 1 }
            guard start < lineEnd else { continue }
            if head[start] == ASCII.exclamation { return true }
            if deviceKeywords.contains(where: { head.matches($0, at: start) }) { return true }
        }
        return false
    }

    var pairFormat: StructuredFormat {
        switch dialect {
        case .properties: .properties
        case .dotenv: .dotenv
        case .toml: .toml
        case .ini, .generic: deviceLike ? .deviceConfig : .ini
        }
    }

    var context: String {
        var parts: [String] = []
        if !section.isEmpty { parts.append(section) }
        parts += blocks
        if let edit { parts.append("edit \(edit)") }
        return parts.joined(separator: "/")
    }

    mutating func run(budget: inout ExtractionBudget) {
        var index = 0
        while index < text.count {
            let lineEnd = text.lineEnd(from: index)
            guard budget.spend(bytes: lineEnd - index + 1) else { break }
            var next = lineEnd + 1
            let line = text.trimmed(index..<lineEnd)
            if !line.isEmpty && line.count <= 64 * 1024 {
                let indented = index < text.count && ASCII.isSpace(text[index])
                next = max(next, readLine(line, indented: indented, budget: &budget))
            }
            index = next
            if budget.isExhausted { break }
        }
        pairing.flush(emit)
    }

    /// Reads one line; returns where the next line starts when the value ran past this one
    /// (TOML multi-line strings, `.properties` continuations), else 0.
    mutating func readLine(_ line: Range<Int>, indented: Bool, budget: inout ExtractionBudget) -> Int {
        let first = text[line.lowerBound]
        // Comments.
        if first == ASCII.hash || first == ASCII.semicolon || (first == ASCII.exclamation && dialect != .dotenv)
            || text.matchesExactly("//", at: line.lowerBound) || text.matches("rem ", at: line.lowerBound) {
            if first == ASCII.exclamation { deviceLike = true }
            return 0
        }
        if !indented { topLevel = line.lowerBound..<min(line.upperBound, line.lowerBound + 80) }
        // Section headers.
        if first == ASCII.openBracket, text[line.upperBound - 1] == ASCII.closeBracket, line.count >= 3,
           !text.contains("=", in: line) || text[line.lowerBound + 1] == ASCII.openBracket {
            changeSection(to: text.string(line).trimmingASCII("[] "))
            return 0
        }
        if first == ASCII.colon && line.count > 1 && ASCII.isLetter(text[line.lowerBound + 1]) && !text.contains(" ", in: line) {
            changeSection(to: text.string(line))
            return 0
        }
        if first == ASCII.slash && dialect == .generic && line.count > 1 && ASCII.isLetter(text[line.lowerBound + 1]) {
            // RouterOS `/ip ipsec peer`.
            deviceLike = true
            changeSection(to: text.string(line))
            return 0
        }
        // OpenVPN inline files: `<key>` … `</key>`, `<tls-auth>`, `<tls-crypt>`, `<secret>`.
        if first == ASCII.less, text[line.upperBound - 1] == ASCII.greater, line.count <= 32,
           text.byte(at: line.lowerBound + 1).map(ASCII.isLetter) == true {
            let tag = text.string((line.lowerBound + 1)..<(line.upperBound - 1))
            if let end = inlineBlockEnd(tag, from: line.upperBound), lens.mayMatter(tag), budget.takeValue() {
                let content = text.trimmed(text.skipWhitespace(from: line.upperBound)..<end.start)
                pairing.add(NamedValue(name: "openvpn \(tag)", namePath: "<\(tag)>", valueSpan: content, value: text.bytes(content),
                                       format: pairFormat))
                return end.next
            }
        }
        // Block ends.
        if first == ASCII.closeBrace {
            pairing.flush(emit)
            if !blocks.isEmpty { blocks.removeLast() }
            if !blockLabels.isEmpty { blockLabels.removeLast() }
            return 0
        }
        let buffer = text
        let isWord = { (word: StaticString) in line.count == word.utf8CodeUnitCount && buffer.matches(word, at: line.lowerBound) }
        if isWord("end") || isWord("exit") || isWord("next") || isWord("quit") {
            pairing.flush(emit)
            if isWord("next") { edit = nil }
            else if isWord("end") { edit = nil; if !blocks.isEmpty { blocks.removeLast() } }
            return 0
        }
        if text.matches("config ", at: line.lowerBound) && dialect == .generic {
            pairing.flush(emit)
            deviceLike = true
            let tokens = LineTokenizer.tokens(text, line)
            // UCI `config wifi-iface 'x'` names a section; FortiOS `config system admin` opens a block.
            if tokens.count >= 2 && tokens.count <= 3 && text.contains("'", in: line) || isUCI {
                changeSection(to: tokens.dropFirst().map { text.string($0.content) }.joined(separator: " "))
            } else {
                blocks.append(tokens.dropFirst().map { text.string($0.content) }.joined(separator: " "))
            }
            return 0
        }
        if text.matches("edit ", at: line.lowerBound) && dialect == .generic {
            pairing.flush(emit)
            let tokens = LineTokenizer.tokens(text, line)
            if tokens.count >= 2 {
                let name = text.string(tokens[1].content)
                edit = name
                if blocks.last.map({ $0.contains("admin") || $0.contains("user") || $0.contains("local") }) == true {
                    pairing.noteIdentity(name)
                }
            }
            return 0
        }
        // A block opening: `network={`, `client x {`, Junos `community NAME {`.
        if text[line.upperBound - 1] == ASCII.openBrace {
            let head = text.trimmed(line.lowerBound..<(line.upperBound - 1))
            var headEnd = head.upperBound
            if headEnd > head.lowerBound && text[headEnd - 1] == ASCII.equals { headEnd -= 1 }
            let name = text.trimmed(head.lowerBound..<headEnd)
            if !name.isEmpty { readWords(name, budget: &budget) }
            pairing.flush(emit)
            blocks.append(text.string(name))
            blockLabels.append(pendingLabel)
            pendingLabel = nil
            return 0
        }
        if let pair = splitPair(line) {
            return readPair(key: pair.key, valueStart: pair.valueStart, line: line, budget: &budget)
        }
        readWords(line, budget: &budget)
        return 0
    }

    /// Where `</tag>` starts, and the line after it.
    func inlineBlockEnd(_ tag: String, from start: Int) -> (start: Int, next: Int)? {
        let closing = Array("</\(tag)>".utf8)
        var index = start
        while index < text.count && index - start < 64 * 1024 {
            guard let hit = text.firstIndex(of: ASCII.less, in: index..<text.count) else { return nil }
            if hit + closing.count <= text.count && text[hit..<(hit + closing.count)].elementsEqual(closing) {
                return (hit, text.lineEnd(from: hit) + 1)
            }
            index = hit + 1
        }
        return nil
    }

    mutating func changeSection(to name: String) {
        pairing.flush(emit)
        section = name
        edit = nil
    }

    // MARK: Pairs

    /// The key and where the value starts, when the line is `key = value` or `key: value` with
    /// a single key on the left.
    func splitPair(_ line: Range<Int>) -> (key: Range<Int>, valueStart: Int)? {
        var index = line.lowerBound
        var quote: UInt8 = 0
        var colon: Int?
        var equals: Int?
        while index < line.upperBound {
            let byte = text[index]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == ASCII.quote && index == line.lowerBound {
                quote = byte
            } else if byte == ASCII.equals {
                equals = index
                break
            } else if byte == ASCII.colon && colon == nil {
                colon = index
            }
            index += 1
        }
        var keyStart = line.lowerBound
        // `export KEY=`, cmd `set KEY=`, PowerShell `$env:KEY =`.
        for prefix: StaticString in ["export ", "set ", "setx ", "declare ", "readonly "] where text.matches(prefix, at: keyStart) {
            if let equals, !text[(keyStart + prefix.utf8CodeUnitCount)..<equals].contains(ASCII.space) {
                keyStart += prefix.utf8CodeUnitCount
            }
        }
        if let colon, colon < (equals ?? Int.max), acceptsColon(key: keyStart..<colon, line: line),
           !text.contains(":=", in: line) {
            return (text.trimmed(keyStart..<colon), colon + 1)
        }
        if let equals {
            var keyEnd = equals
            // `key := value`, `key += value`: the operator's first byte belongs to it.
            if keyEnd > keyStart, text[keyEnd - 1] == ASCII.colon || text[keyEnd - 1] == ASCII.plus || text[keyEnd - 1] == ASCII.question {
                keyEnd -= 1
            }
            let key = text.trimmed(keyStart..<keyEnd)
            guard isKey(key) else { return nil }
            var valueStart = equals + 1
            if valueStart < line.upperBound, text[valueStart] == ASCII.equals { valueStart += 1 }
            // `set enabled=yes ipsec-secret=…`: several `k=v` words are a device line, not one pair.
            if keyStart != line.lowerBound || deviceLike, hasFurtherPairs(after: valueStart, line: line) { return nil }
            return (key, valueStart)
        }
        return nil
    }

    /// Whether an unquoted ` word=` follows in the rest of the line.
    func hasFurtherPairs(after start: Int, line: Range<Int>) -> Bool {
        guard let first = text.byte(at: start), first != ASCII.quote && first != ASCII.apostrophe else { return false }
        var index = start
        while index < line.upperBound {
            if ASCII.isSpace(text[index]) {
                var cursor = index + 1
                while cursor < line.upperBound && (ASCII.isNameByte(text[cursor]) || text[cursor] == ASCII.dash || text[cursor] == ASCII.dot) {
                    cursor += 1
                }
                if cursor > index + 1 && cursor < line.upperBound && text[cursor] == ASCII.equals { return true }
            }
            index += 1
        }
        return false
    }

    func acceptsColon(key: Range<Int>, line: Range<Int>) -> Bool {
        let key = text.trimmed(key)
        guard key.count >= 2, let first = text.byte(at: key.lowerBound), ASCII.isLetter(first) || first == ASCII.underscore,
              isKey(key) else { return false }
        let after = key.upperBound < line.upperBound ? text.skipSpaces(from: key.upperBound + 1, limit: line.upperBound) : line.upperBound
        if let next = text.byte(at: key.upperBound + 1), next == ASCII.slash || next == ASCII.backslash || next == ASCII.colon || next == ASCII.equals {
            return false
        }
        _ = after
        return true
    }

    func isKey(_ key: Range<Int>) -> Bool {
        guard !key.isEmpty, key.count <= 200 else { return false }
        let (inner, quote) = LineTokenizer.unquote(text, key)
        if quote != 0 { return !inner.isEmpty }
        for index in key {
            let byte = text[index]
            if ASCII.isWhitespace(byte) { return false }
            if !(ASCII.isNameByte(byte) || byte == ASCII.dot || byte == ASCII.dash || byte == ASCII.slash || byte == ASCII.colon
                 || byte == ASCII.openBracket || byte == ASCII.closeBracket || byte == ASCII.at || byte == ASCII.dollar
                 || byte == ASCII.quote || byte == ASCII.apostrophe || byte == ASCII.percent || byte == ASCII.plus) {
                return false
            }
        }
        return true
    }

    mutating func readPair(key: Range<Int>, valueStart: Int, line: Range<Int>, budget: inout ExtractionBudget) -> Int {
        let (keyInner, _) = LineTokenizer.unquote(text, key)
        var nameRange = keyInner
        // PowerShell `$env:NAME`, shell `$NAME`.
        if text.matches("$env:", at: nameRange.lowerBound) { nameRange = (nameRange.lowerBound + 5)..<nameRange.upperBound }
        let start = text.skipSpaces(from: valueStart, limit: line.upperBound)
        let wanted = lens.mayMatter(text, nameRange)
        let identity = !wanted && lens.isIdentity(text, nameRange)
        let (value, next, decoder) = readValue(from: start, line: line)
        // `InstrumentationKey=…;IngestionEndpoint=https://…`: the line is one connection string,
        // whose first pair is this key's; its pairs are read one by one.
        if !decoder.isQuoted, next == 0, startsConnectionString(value) {
            inlineStructures(in: key.lowerBound..<value.upperBound, budget: &budget)
            return next
        }
        // TOML and JSON-like inline tables: `db = { user = "u", password = "p" }`.
        if !wanted, let open = text.byte(at: start), open == ASCII.openBrace, dialect == .toml || dialect == .generic {
            readInlineTable(start..<line.upperBound, prefix: text.string(nameRange), budget: &budget)
            return next
        }
        if identity {
            pairing.noteIdentity(String(decoding: decoder.decode(text, value).bytes, as: UTF8.self))
            return next
        }
        guard wanted || lens.mayCarry(text, value) else { return next }
        guard budget.takeValue() else { return next }
        let name = text.string(nameRange)
        let decoded = decoder.decode(text, value)
        let path = context.isEmpty ? name : "[\(context)] \(name)"
        pairing.add(NamedValue(name: name, namePath: path, valueSpan: value, value: decoded.bytes, encoding: decoded.encoding,
                               format: pairFormat, form: decoder.isQuoted ? .literal : .bare))
        return next
    }

    /// The value after a separator: quoted (to its closing quote, across lines for TOML `"""`),
    /// or bare (to the end of the line, less an inline comment). Returns the value's range, where
    /// the next line starts if the value ran past this one (else 0), and its decoder.
    func readValue(from start: Int, line: Range<Int>) -> (Range<Int>, Int, QuotedDecoder) {
        guard start < line.upperBound else { return (start..<start, 0, QuotedDecoder(decoder: .plain, isQuoted: false)) }
        let first = text[start]
        if (first == ASCII.quote || first == ASCII.apostrophe) && dialect != .properties {
            // TOML multi-line strings, Grafana's `"""…"""` for values with `#` or `;`.
            if text.byte(at: start + 1) == first, text.byte(at: start + 2) == first {
                let contentStart = start + 3
                var index = contentStart
                while index + 2 < text.count {
                    if text[index] == first && text[index + 1] == first && text[index + 2] == first { break }
                    if first == ASCII.quote && text[index] == ASCII.backslash { index += 1 }
                    index += 1
                }
                let end = min(index, text.count)
                let decoder: ValueDecoder = first == ASCII.quote ? .backslashes(.json) : .plain
                return (contentStart..<end, text.lineEnd(from: min(end + 3, text.count)) + 1, QuotedDecoder(decoder: decoder, isQuoted: true))
            }
            var index = start + 1
            while index < line.upperBound && text[index] != first {
                if first == ASCII.quote && text[index] == ASCII.backslash && dialect != .ini { index += 1 }
                index += 1
            }
            let end = min(index, line.upperBound)
            let escapes = first == ASCII.quote && dialect != .ini && text.contains("\\", in: (start + 1)..<end)
            let decoder: ValueDecoder = escapes ? .backslashes(.json) : .plain
            return ((start + 1)..<end, 0, QuotedDecoder(decoder: decoder, isQuoted: true))
        }
        var end = line.upperBound
        var next = 0
        if dialect == .properties {
            // A line ending in an odd number of backslashes continues on the next.
            var lineEnd = line.upperBound
            while lineEnd > start, trailingBackslashes(before: lineEnd) % 2 == 1 {
                let nextLine = text.lineEnd(from: lineEnd + 1)
                guard nextLine > lineEnd + 1 || nextLine < text.count else { break }
                lineEnd = text.trimmed(text.lineEnd(from: lineEnd)..<nextLine).upperBound
                next = nextLine + 1
                if lineEnd >= text.count { break }
            }
            end = lineEnd
            let decoder: ValueDecoder = text.contains("\\", in: start..<end) ? .backslashes(.properties) : .plain
            return (text.trimmed(start..<end), next, QuotedDecoder(decoder: decoder, isQuoted: false))
        }
        // Inline comments: ` #` or ` ;` after the value (never in `.properties`).
        var index = start
        while index < end {
            let byte = text[index]
            if (byte == ASCII.hash || byte == ASCII.semicolon) && index > start && ASCII.isSpace(text[index - 1]) {
                end = index
                break
            }
            index += 1
        }
        return (text.trimmed(start..<end), 0, QuotedDecoder(decoder: .plain, isQuoted: false))
    }

    /// Whether a bare value is `value;Name=…`: no `=` before its first `;`, and a name with
    /// `=` after it (`User Id=`, `IngestionEndpoint=`).
    func startsConnectionString(_ value: Range<Int>) -> Bool {
        guard let semicolon = text.firstIndex(of: ASCII.semicolon, in: value), semicolon > value.lowerBound,
              text.firstIndex(of: ASCII.equals, in: value.lowerBound..<semicolon) == nil else { return false }
        var cursor = text.skipSpaces(from: semicolon + 1, limit: value.upperBound)
        let nameStart = cursor
        while cursor < value.upperBound && (ASCII.isNameByte(text[cursor]) || text[cursor] == ASCII.space || text[cursor] == ASCII.dot) {
            cursor += 1
        }
        return cursor > nameStart && cursor < value.upperBound && text[cursor] == ASCII.equals
    }

    func trailingBackslashes(before end: Int) -> Int {
        var count = 0
        var index = end - 1
        while index >= 0 && text[index] == ASCII.backslash { count += 1; index -= 1 }
        return count
    }

    mutating func readInlineTable(_ range: Range<Int>, prefix: String, budget: inout ExtractionBudget) {
        // Split at commas outside quotes, then read each `key = value`.
        var index = range.lowerBound + 1
        var itemStart = index
        var quote: UInt8 = 0
        var depth = 0
        var items: [Range<Int>] = []
        while index < range.upperBound {
            let byte = text[index]
            if quote != 0 { if byte == quote { quote = 0 } else if byte == ASCII.backslash { index += 1 } }
            else if byte == ASCII.quote || byte == ASCII.apostrophe { quote = byte }
            else if byte == ASCII.openBrace || byte == ASCII.openBracket { depth += 1 }
            else if (byte == ASCII.closeBrace || byte == ASCII.closeBracket) && depth > 0 { depth -= 1 }
            else if (byte == ASCII.comma || byte == ASCII.closeBrace) && depth == 0 {
                items.append(itemStart..<index)
                itemStart = index + 1
                if byte == ASCII.closeBrace { break }
            }
            index += 1
        }
        let saved = section
        section = saved.isEmpty ? prefix : "\(saved).\(prefix)"
        for item in items {
            let trimmed = text.trimmed(item)
            if let pair = splitPair(trimmed) { _ = readPair(key: pair.key, valueStart: pair.valueStart, line: trimmed, budget: &budget) }
        }
        section = saved
    }

    // MARK: Words (device and daemon configs)

    static let plainMarkers: Set<String> = ["ascii-text", "ascii", "plaintext", "plain-text", "simple", "cleartext", "clear",
                                            "unencrypted", "text", "insecure", "0x"]
    static let algorithms: Set<String> = ["md5", "sha", "sha1", "sha-1", "sha224", "sha256", "sha384", "sha512", "sha-256",
                                          "hmac-md5", "hmac-sha1", "hmac-sha256", "des", "3des", "aes", "aes128", "aes192", "aes256",
                                          "aes-128", "aes-256", "128", "192", "256", "aes-cfb-128", "key-chain"]
    static let hashMarkers: Set<String> = ["hash", "hashed", "pbkdf2", "nt-encrypted"]
    static let separatorTokens: Set<String> = [":=", "=", ":", "==", "+=", "is"]
    static let identityKeywords: Set<String> = ["username", "user", "user-name", "login", "name", "mgmt-user", "local-user", "account"]
    /// Words between a keyword and its value that say where the value applies, when a value follows.
    static let qualifierWords: Set<String> = ["local", "remote", "ro", "rw", "read-only", "read-write", "authentication", "encryption",
                                              "auth", "priv", "level", "mode"]
    /// strongSwan `ipsec.secrets` and pppd `chap-secrets` types.
    static let secretTypes: Set<String> = ["psk", "eap", "xauth", "ntlm", "pin", "p12", "key"]

    mutating func readWords(_ line: Range<Int>, budget: inout ExtractionBudget) {
        if text.matches("set private-data-encryption ", at: line.lowerBound) {
            privateDataEncryption = text.contains("enable", in: line)
            return
        }
        // Most lines of a config name nothing: a look at the words found in one pass.
        guard nameHits.any(in: line)
                || text.contains("name", in: line) || text.contains("cv=", in: line) || text.contains(" : ", in: line) else { return }
        let tokens = LineTokenizer.tokens(text, line)
        guard !tokens.isEmpty else { return }
        var lineIdentity: String?
        let lower = tokens.map { text.string($0.content).lowercased() }
        let isSNMPv3 = lower.prefix(12).contains("v3") || lower.prefix(12).contains("usm")
        // net-snmp `createUser name SHA "authpass" AES "privpass"`.
        if lower[0] == "createuser" && tokens.count >= 4 {
            pairing.noteIdentity(text.string(tokens[1].content))
            if tokens.count >= 4 {
                emitWord(keyword: tokens[2], valueToken: tokens[3], marker: .none, tokens: tokens, valueIndex: 3, identity: text.string(tokens[1].content),
                         snmpName: "authPassword", budget: &budget)
            }
            if tokens.count >= 6 {
                emitWord(keyword: tokens[4], valueToken: tokens[5], marker: .none, tokens: tokens, valueIndex: 5, identity: text.string(tokens[1].content),
                         snmpName: "privPassword", budget: &budget)
            }
            return
        }
        // UCI `option key 'value'`, `list key 'value'`.
        if (lower[0] == "option" || lower[0] == "list") && tokens.count >= 3 {
            deviceLike = true
            emitWord(keyword: tokens[1], valueToken: tokens[2], marker: .none, tokens: tokens, valueIndex: 2, identity: nil, budget: &budget)
            return
        }
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            let word = index < lower.count ? lower[index] : text.string(token.content).lowercased()
            // A URL with user information or credential query parameters (`…&t2mpassword=…`).
            if !token.isQuoted, text.contains("://", in: token.content) {
                inlineStructures(in: token.content, budget: &budget)
                index += 1
                continue
            }
            // `k=v` words (RouterOS, strongSwan, mount options).
            if !token.isQuoted, let equals = text.firstIndex(of: ASCII.equals, in: token.content), equals > token.content.lowerBound {
                let key = token.content.lowerBound..<equals
                let valueRange = (equals + 1)..<token.content.upperBound
                if text.string(key).lowercased() == "name" && context.lowercased().contains("community") {
                    // RouterOS `/snmp community add name=…`: the name is the community.
                    let (inner, quote) = LineTokenizer.unquote(text, valueRange)
                    emitWord(keyword: LineToken(span: key, content: key, quote: 0), valueToken: LineToken(span: valueRange, content: inner, quote: quote),
                             marker: .none, tokens: tokens, valueIndex: index, identity: nil, snmpName: "community", budget: &budget)
                } else if text.string(key).lowercased() == "name", let value = Optional(text.string(LineTokenizer.unquote(text, valueRange).0)),
                          lens.mayMatter(value) {
                    // `ATTRIBUTE_INSTANCE NAME="LIMS_PWD"`: names the block that follows.
                    pendingLabel = value
                } else if GenericKeys.values.contains(text.string(key).lowercased()), let label = blockLabels.last ?? nil {
                    let (inner, quote) = LineTokenizer.unquote(text, valueRange)
                    emitWord(keyword: LineToken(span: key, content: key, quote: 0), valueToken: LineToken(span: valueRange, content: inner, quote: quote),
                             marker: .none, tokens: tokens, valueIndex: index, identity: nil, snmpName: label, budget: &budget)
                } else if lens.isIdentity(text, key) || text.string(key).lowercased() == "name" {
                    lineIdentity = text.string(LineTokenizer.unquote(text, valueRange).0)
                } else if lens.mayMatter(text, key) {
                    let (inner, quote) = LineTokenizer.unquote(text, valueRange)
                    let valueToken = LineToken(span: valueRange, content: inner, quote: quote)
                    emitWord(keyword: LineToken(span: key, content: key, quote: 0), valueToken: valueToken, marker: .none,
                             tokens: tokens, valueIndex: index, identity: nil, budget: &budget)
                }
                index += 1
                continue
            }
            // FortiOS `config system snmp community` … `set name "…"`: the name is the community.
            if word == "name" && index == 1 && lower[0] == "set" && index + 1 < tokens.count && context.lowercased().contains("community") {
                emitWord(keyword: token, valueToken: tokens[index + 1], marker: .none, tokens: tokens, valueIndex: index + 1,
                         identity: nil, snmpName: "community", budget: &budget)
                index += 2
                continue
            }
            // `remote_username line3` (Mosquitto), `user svc` (a daemon's login).
            if index == 0, tokens.count == 2, !token.isQuoted, lens.isIdentity(text, token.content) {
                lineIdentity = text.string(tokens[1].content)
                break
            }
            if Self.identityKeywords.contains(word) && index + 1 < tokens.count && !token.isQuoted
                && !lens.mayMatter(text, tokens[index + 1].content) {
                lineIdentity = text.string(tokens[index + 1].content)
                index += 2
                continue
            }
            // Outside device configs a keyword starts its line (`remote_password …`,
            // `requirepass …`), so prose that mentions a password is not a config line.
            let position = index - (["set", "add", "option"].contains(lower[0]) ? 1 : 0)
            // A flag (`-Password "…"`, ABB `-Password`) takes the word after it wherever it stands.
            let isFlag = text.byte(at: token.content.lowerBound) == ASCII.dash && token.content.count > 3
            // `.netrc`: `machine h login u password p` pairs anywhere on the line.
            let pairLine = lower[0] == "machine" || lower[0] == "default"
            var isKeyword = (deviceLike || position == 0 || isFlag || pairLine) && !token.isQuoted && lens.mayMatter(text, token.content)
                && lens.isCredential(composedName(text.string(token.content), tokens: tokens, at: index))
            if !isKeyword && !token.isQuoted && Self.secretTypes.contains(word) && index > 0 && lower[index - 1] == ":" { isKeyword = true }
            if !isKeyword && isSNMPv3 && (word == "auth" || word == "priv") { isKeyword = true }
            guard isKeyword else { index += 1; continue }
            // Skip what devices write between a keyword and its value.
            var cursor = index + 1
            var marker = ValueMarker.none
            while cursor < tokens.count {
                let next = tokens[cursor]
                let nextWord = text.string(next.content)
                let nextLower = nextWord.lowercased()
                if next.isQuoted { break }
                if nextWord.utf8.count == 1, let digit = nextWord.utf8.first, ASCII.isDigit(digit), cursor + 1 < tokens.count {
                    if [0, 4, 5, 6, 7, 8, 9].contains(Int(digit - 0x30)) { marker = .typeNumber(Int(digit - 0x30)) }
                    cursor += 1
                    continue
                }
                if nextWord == "ENC" && cursor + 1 < tokens.count { marker = .fortiOSEncrypted; cursor += 1; continue }
                if nextLower == "cipher" && cursor + 1 < tokens.count { marker = .declaredEncrypted; cursor += 1; continue }
                if Self.hashMarkers.contains(nextLower) && cursor + 1 < tokens.count { marker = .declaredHashed; cursor += 1; continue }
                if Self.plainMarkers.contains(nextLower) && cursor + 1 < tokens.count { cursor += 1; continue }
                if Self.separatorTokens.contains(nextLower) { cursor += 1; continue }
                if nextLower == "level" && cursor + 2 < tokens.count { cursor += 2; continue }
                if Self.qualifierWords.contains(nextLower) && cursor + 1 < tokens.count { cursor += 1; continue }
                // HiOS `passwords min-length 10`: a sub-keyword, then its setting.
                if cursor + 1 < tokens.count, nextWord.contains("-"),
                   nextWord.utf8.allSatisfy({ ASCII.isLowerLetter($0) || $0 == ASCII.dash }) { cursor += 1; continue }
                if Self.algorithms.contains(nextLower) && cursor + 1 < tokens.count {
                    if word == "password" && nextLower.hasPrefix("sha") { marker = .declaredHashed }
                    cursor += 1
                    continue
                }
                // ProCurve `password manager user-name admin plaintext …`.
                if (nextLower == "manager" || nextLower == "operator") && cursor + 1 < tokens.count { cursor += 1; continue }
                if Self.identityKeywords.contains(nextLower) && cursor + 2 < tokens.count {
                    lineIdentity = text.string(tokens[cursor + 1].content)
                    cursor += 2
                    continue
                }
                break
            }
            guard cursor < tokens.count else { break }
            // The word after the keyword is a keyword itself (`auth psk …`): that one takes the value.
            if cursor + 1 < tokens.count, !tokens[cursor].isQuoted, lens.isCredential(text.string(tokens[cursor].content)) {
                index = cursor
                continue
            }
            // HiOS `users password <user> <password>`: the user stands first.
            if cursor + 2 == tokens.count, ["users", "user", "local-user"].contains(lower[0]) || Self.identityKeywords.contains(lower[0]) {
                lineIdentity = text.string(tokens[cursor].content)
                cursor += 1
            }
            if marker == .fortiOSEncrypted && privateDataEncryption { marker = .ownerKeyEncrypted }
            // ASA `password … encrypted`, NTP `… 7`.
            if cursor + 1 < tokens.count {
                let after = text.string(tokens[cursor + 1].content).lowercased()
                if after == "encrypted" || after == "pbkdf2" || after == "nt-encrypted" { marker = .declaredHashed }
                else if after == "7" && marker == .none && word.contains("key") { marker = .typeNumber(7) }
            }
            let identityBefore = lineIdentity ?? (index > 0 && lower[index - 1] == ":" && Self.secretTypes.contains(word) && index >= 2
                                                  ? text.string(tokens[0].content) : nil)
            var fixedName: String?
            if isSNMPv3 && (word == "auth" || word == "priv") { fixedName = word + "Password" }
            // strongSwan `user : EAP "…"`: the type names a secret.
            if index > 0 && lower[index - 1] == ":" && Self.secretTypes.contains(word) && word != "psk" { fixedName = "\(word) secret" }
            emitWord(keyword: token, valueToken: tokens[cursor], marker: marker, tokens: tokens, valueIndex: cursor,
                     identity: identityBefore, snmpName: fixedName, budget: &budget)
            index = cursor + 1
        }
        if let lineIdentity { pairing.noteIdentity(lineIdentity) }
    }

    /// The credentials of a URL inside a line, at their places in the text.
    mutating func inlineStructures(in range: Range<Int>, budget: inout ExtractionBudget) {
        let slice = UnsafeRawBufferPointer(rebasing: text[range.clamped(to: 0..<text.count)])
        var found: [NamedValue] = []
        let inline = InlineStructuresExtractor(lens: lens)
        inline.urls(slice, budget: &budget) { found.append($0) }
        inline.connectionPairs(slice, budget: &budget) { found.append($0) }
        for var value in found {
            value.valueSpan = (value.valueSpan.lowerBound + range.lowerBound)..<(value.valueSpan.upperBound + range.lowerBound)
            value.namePath = context.isEmpty ? value.namePath : "\(context)/\(value.namePath)"
            pairing.add(value, takesIdentity: false)
        }
    }

    /// A bare `key` says little; with the command it stands in (`tacacs-server key`,
    /// `crypto isakmp key`) it says what kind of key.
    func composedName(_ keyword: String, tokens: [LineToken], at index: Int) -> String {
        guard lens.vocabulary.judge(keyword).credentialClass != nil,
              case .credential(_, .weak, _) = lens.vocabulary.judge(keyword) else { return keyword }
        // The command the keyword stands in, without its arguments (`tacacs-server host 10.0.0.1
        // key` is a `tacacs-server key`, not a host key).
        var words: [String] = []
        if index > 0 {
            words = [text.string(tokens[0].content)]
            if index > 1, ["set", "add", "option", "crypto", "ip", "ipv6", "snmp", "ntp"].contains(words[0].lowercased()) {
                words.append(text.string(tokens[1].content))
            }
        }
        if words.isEmpty || (words.count == 1 && ["set", "add", "option"].contains(words[0].lowercased())) {
            let sectionWords = (section.isEmpty ? (blocks.last ?? text.string(topLevel)) : section)
            words.append(contentsOf: sectionWords.split(separator: " ").prefix(3).map(String.init))
        }
        words = words.filter { !["set", "add", "option", "list", "edit"].contains($0.lowercased()) }
        return (words + [keyword]).joined(separator: " ")
    }

    mutating func emitWord(keyword: LineToken, valueToken: LineToken, marker: ValueMarker, tokens: [LineToken], valueIndex: Int,
                           identity: String?, snmpName: String? = nil, budget: inout ExtractionBudget) {
        guard budget.takeValue() else { return }
        var content = valueToken.content
        // Junos `"…";`, a trailing `;` or `,` on a bare word.
        if !valueToken.isQuoted, content.count > 1, let last = text.byte(at: content.upperBound - 1), last == ASCII.semicolon || last == ASCII.comma {
            content = content.lowerBound..<(content.upperBound - 1)
        }
        var quote = valueToken.quote
        if quote == 0 {
            let (inner, innerQuote) = LineTokenizer.unquote(text, content)
            content = inner
            quote = innerQuote
        }
        let keywordText = text.string(keyword.content)
        let position = tokens.firstIndex { $0.span.lowerBound <= keyword.span.lowerBound && keyword.span.upperBound <= $0.span.upperBound } ?? 0
        let name = snmpName ?? composedName(keywordText, tokens: tokens, at: position)
        let decoder: ValueDecoder = quote == ASCII.quote && text.contains("\\", in: content) ? .backslashes(.cLike) : .plain
        let decoded = decoder.decode(text, content)
        let words = tokens[..<min(valueIndex, tokens.count)].prefix(8).map { text.string($0.content) }.joined(separator: " ")
        let path = context.isEmpty ? words : "\(context)/\(words)"
        // A top-level device line names its own user (`username x … secret …`) or none.
        let inContainer = !(blocks.isEmpty && section.isEmpty && edit == nil) || !deviceLike
        pairing.add(NamedValue(name: name, namePath: path, valueSpan: content, value: decoded.bytes, encoding: decoded.encoding,
                               identity: identity, format: .deviceConfig, form: quote != 0 ? .literal : .bare, marker: marker),
                    takesIdentity: inContainer)
    }
}

/// A decoder and whether the value was quoted.
struct QuotedDecoder {
    var decoder: ValueDecoder
    var isQuoted: Bool

    func decode(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> DecodedValue { decoder.decode(text, range) }
}
