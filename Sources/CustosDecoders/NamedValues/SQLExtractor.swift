// SQL scripts, dumps and job steps: `CREATE USER … IDENTIFIED BY 'pw'` (and Oracle's unquoted
// `IDENTIFIED BY pw`), `IDENTIFIED BY PASSWORD '*…'` (a hash), `WITH PASSWORD = N'pw'
// [HASHED]`, `PASSWORD 'pw'`, `SET PASSWORD FOR u = PASSWORD('pw')`, `CONNECT TO u
// IDENTIFIED BY pw`, `SECRET = '…'` with `IDENTITY = '…'`, replication `MASTER_PASSWORD='…'`,
// T-SQL variables and procedure arguments (`@rmtpassword = N'…'`, `DECLARE @pwd … = '…'`),
// positional system procedures (`sp_addlinkedsrvlogin 'srv', 'false', NULL, 'user', 'pw'`,
// `sp_addlogin`), `col = 'value'` assignments, `INSERT INTO t (…, password) VALUES (…)` rows
// and `COPY t (…) FROM stdin` data. Job-step commands (`@command = N'sqlcmd …'`) are handed
// back to the scanner as values that carry command lines. The trade-off: statements are read
// as tokens, not parsed; a dialect's rarer forms are missed rather than guessed.

import CustosCore
import Foundation

public struct SQLExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    static let extensions: Set<String> = ["sql", "ddl", "dml", "pgsql", "psql", "tsql", "mysql", "plsql", "pks", "pkb", "prc", "trg"]
    static let openings: [StaticString] = ["create ", "insert ", "use ", "alter ", "grant ", "exec ", "begin", "declare ", "copy ",
                                           "-- mysql dump", "-- postgresql database dump", "set names", "/*!"]

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        if name.hasExtension, extensions.contains(name.ext) { return true }
        let start = prefix.skipWhitespace(from: 0)
        return openings.contains { prefix.matches($0, at: start) }
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        var tokens: [SQLToken] = []
        var lexer = SQLLexer(text: text)
        var reader = SQLReader(text: text, lens: lens)
        while let token = lexer.next() {
            guard budget.spend(bytes: token.range.count + 1), !budget.isExhausted else { break }
            if token.kind == .punct && text[token.range.lowerBound] == ASCII.semicolon {
                reader.statement(tokens, budget: &budget, emit: emit)
                tokens.removeAll(keepingCapacity: true)
                if let copy = reader.pendingCopy {
                    lexer.index = reader.copyRows(copy, from: lexer.index, budget: &budget, emit: emit)
                    reader.pendingCopy = nil
                }
                continue
            }
            if tokens.count < 100_000 { tokens.append(token) }
        }
        reader.statement(tokens, budget: &budget, emit: emit)
    }
}

struct SQLToken {
    enum Kind: Equatable { case word, string, number, variable, punct }
    var kind: Kind
    var range: Range<Int>
    var content: Range<Int> = 0..<0
}

struct SQLLexer {
    let text: UnsafeRawBufferPointer
    var index = 0

    mutating func next() -> SQLToken? {
        while index < text.count {
            let byte = text[index]
            if ASCII.isWhitespace(byte) { index += 1; continue }
            if byte == ASCII.dash && text.byte(at: index + 1) == ASCII.dash { index = text.lineEnd(from: index); continue }
            if byte == ASCII.hash { index = text.lineEnd(from: index); continue }
            if byte == ASCII.slash && text.byte(at: index + 1) == ASCII.star && text.byte(at: index + 2) != ASCII.exclamation {
                var cursor = index + 2
                while cursor + 1 < text.count && !(text[cursor] == ASCII.star && text[cursor + 1] == ASCII.slash) { cursor += 1 }
                index = min(cursor + 2, text.count)
                continue
            }
            break
        }
        guard index < text.count else { return nil }
        let start = index
        var byte = text[index]
        // N'…', E'…', X'…' prefixes.
        if (byte == 0x4e || byte == 0x6e || byte == 0x45 || byte == 0x65) && text.byte(at: index + 1) == ASCII.apostrophe {
            index += 1
            byte = ASCII.apostrophe
        }
        if byte == ASCII.apostrophe || byte == ASCII.quote || byte == ASCII.backtick || byte == ASCII.openBracket {
            let close = byte == ASCII.openBracket ? ASCII.closeBracket : byte
            let contentStart = index + 1
            var cursor = contentStart
            while cursor < text.count {
                if text[cursor] == close {
                    if close == ASCII.apostrophe && text.byte(at: cursor + 1) == ASCII.apostrophe { cursor += 2; continue }
                    break
                }
                if text[cursor] == ASCII.backslash && close == ASCII.apostrophe { cursor += 1 }
                cursor += 1
            }
            let end = min(cursor, text.count)
            index = min(end + 1, text.count)
            // Double quotes, backticks and brackets quote identifiers.
            let kind: SQLToken.Kind = byte == ASCII.apostrophe ? .string : .word
            return SQLToken(kind: kind, range: start..<index, content: contentStart..<end)
        }
        if byte == ASCII.at {
            index += 1
            while index < text.count && (ASCII.isNameByte(text[index]) || text[index] == ASCII.at) { index += 1 }
            return SQLToken(kind: .variable, range: start..<index, content: start..<index)
        }
        if ASCII.isLetter(byte) || byte == ASCII.underscore || byte >= 0x80 {
            while index < text.count && (ASCII.isNameByte(text[index]) || text[index] == ASCII.dollar) { index += 1 }
            return SQLToken(kind: .word, range: start..<index, content: start..<index)
        }
        if ASCII.isDigit(byte) {
            while index < text.count && (ASCII.isAlphanumeric(text[index]) || text[index] == ASCII.dot) { index += 1 }
            return SQLToken(kind: .number, range: start..<index, content: start..<index)
        }
        index += 1
        return SQLToken(kind: .punct, range: start..<index, content: start..<index)
    }
}

private struct SQLReader {
    let text: UnsafeRawBufferPointer
    let lens: NameLens
    var pendingCopy: (columns: [String], table: String)?
    /// Columns of the tables created so far, for `INSERT INTO t VALUES (…)` without a list.
    var tables: [String: [String]] = [:]

    init(text: UnsafeRawBufferPointer, lens: NameLens) {
        self.text = text
        self.lens = lens
    }

    func word(_ token: SQLToken) -> String { text.string(token.content).lowercased() }
    func isWord(_ tokens: [SQLToken], _ index: Int, _ value: String) -> Bool {
        index >= 0 && index < tokens.count && tokens[index].kind == .word && word(tokens[index]) == value
    }
    func isPunct(_ tokens: [SQLToken], _ index: Int, _ byte: UInt8) -> Bool {
        index >= 0 && index < tokens.count && tokens[index].kind == .punct && text[tokens[index].range.lowerBound] == byte
    }

    static let positional: [String: (user: Int?, password: Int)] = [
        "sp_addlinkedsrvlogin": (4, 5), "sp_addlogin": (1, 2), "sp_password": (3, 2), "sp_addremotelogin": (nil, 3),
        "sp_add_proxy": (nil, 3), "sp_addapprole": (nil, 2), "sp_setapprole": (nil, 2),
    ]

    mutating func statement(_ tokens: [SQLToken], budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        guard !tokens.isEmpty else { return }
        var pairing = IdentityPairing()
        let head = tokens.prefix(3).map { $0.kind == .word ? word($0) : "" }
        // Who the statement is about: `USER 'u'@'h'`, `LOGIN [u]`, `ROLE u`, `CONNECT TO u`.
        for (index, token) in tokens.enumerated().prefix(64) where token.kind == .word {
            let keyword = word(token)
            if ["user", "login", "role", "for"].contains(keyword) || (keyword == "to" && isWord(tokens, index - 1, "connect")),
               index + 1 < tokens.count, tokens[index + 1].kind != .punct {
                let identity = text.string(tokens[index + 1].content)
                if !["if", "exists", "not", "with", "identified", "password"].contains(identity.lowercased()) { pairing.noteIdentity(identity) }
            }
        }
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            defer { index += 1 }
            if token.kind == .word {
                let keyword = word(token)
                // Only a statement that makes or changes an account says `IDENTIFIED BY` of a
                // password (`CREATE USER`, `ALTER USER`, `GRANT`, `CONNECT`, `CREATE DATABASE
                // LINK … CONNECT TO`): prose says "identified by its name".
                if keyword == "identified", isWord(tokens, index + 1, "by") || isWord(tokens, index + 1, "with"),
                   ["create", "alter", "grant", "connect"].contains(head.first ?? "") {
                    var cursor = index + 2
                    var marker = ValueMarker.none
                    if isWord(tokens, index + 1, "with") {
                        // `IDENTIFIED WITH plugin BY 'pw'` / `AS 'hash'`.
                        cursor = index + 3
                        if isWord(tokens, cursor, "as") { marker = .declaredHashed }
                        cursor += 1
                    }
                    if isWord(tokens, cursor, "password") { marker = .declaredHashed; cursor += 1 }
                    if isWord(tokens, cursor, "values") { marker = .declaredHashed; cursor += 1 }
                    guard cursor < tokens.count else { continue }
                    let value = tokens[cursor]
                    if value.kind == .string || value.kind == .word || value.kind == .number {
                        add("password", tokens[cursor], path: "IDENTIFIED BY", marker: marker, into: &pairing, budget: &budget)
                    }
                    continue
                }
                if keyword == "password" || keyword == "secret" || keyword == "master_password" || keyword == "source_password"
                    || keyword == "master_ssl_key" {
                    var cursor = index + 1
                    if isPunct(tokens, cursor, ASCII.equals) { cursor += 1 }
                    // `PASSWORD('pw')`.
                    if isWord(tokens, cursor, "password") && isPunct(tokens, cursor + 1, ASCII.openParen) { cursor += 2 }
                    if isPunct(tokens, cursor, ASCII.openParen) { cursor += 1 }
                    guard cursor < tokens.count, tokens[cursor].kind == .string || (tokens[cursor].kind == .number && text.matches("0x", at: tokens[cursor].range.lowerBound)) else {
                        continue
                    }
                    var marker = ValueMarker.none
                    if isWord(tokens, cursor + 1, "hashed") || isWord(tokens, index - 1, "encrypted") { marker = .declaredHashed }
                    add(keyword, tokens[cursor], path: "\(text.string(token.content))", marker: marker, into: &pairing, budget: &budget)
                    index = cursor
                    continue
                }
                if keyword == "identity" || keyword == "master_user" || keyword == "source_user", isPunct(tokens, index + 1, ASCII.equals),
                   index + 2 < tokens.count, tokens[index + 2].kind == .string {
                    pairing.noteIdentity(text.string(tokens[index + 2].content))
                    continue
                }
                if let positions = Self.positional[keyword] {
                    positionalCall(tokens, from: index + 1, positions: positions, name: keyword, into: &pairing, budget: &budget)
                    continue
                }
                if keyword == "insert" { insert(tokens, from: index, into: &pairing, budget: &budget); continue }
                if keyword == "create", isWord(tokens, index + 1, "table") { createTable(tokens, from: index + 2); continue }
                if keyword == "copy", head.first == "copy" { copyStatement(tokens); continue }
            }
            // `@rmtpassword = N'…'`, `SET col = '…'`, `DECLARE @pw NVARCHAR(50) = '…'`.
            if token.kind == .punct && text[token.range.lowerBound] == ASCII.equals, index + 1 < tokens.count, tokens[index + 1].kind == .string {
                var back = index - 1
                var steps = 0
                while back >= 0 && steps < 6 && tokens[back].kind != .variable && !(tokens[back].kind == .word && steps == 0) {
                    back -= 1
                    steps += 1
                }
                guard back >= 0, tokens[back].kind == .variable || tokens[back].kind == .word else { continue }
                var name = text.string(tokens[back].content)
                if name.hasPrefix("@") { name.removeFirst() }
                if lens.isIdentity(name) {
                    pairing.noteIdentity(String(decoding: ValueDecoder.doubled(ASCII.apostrophe).decode(text, tokens[index + 1].content).bytes, as: UTF8.self))
                } else if lens.mayMatter(name) || XMLNames.commandNames.contains(name.lowercased()) || lens.mayCarry(text, tokens[index + 1].content) {
                    add(name, tokens[index + 1], path: text.string(tokens[back].content), marker: .none, into: &pairing, budget: &budget)
                }
            }
        }
        pairing.flush(emit)
    }

    func add(_ name: String, _ token: SQLToken, path: String, marker: ValueMarker, identity: String? = nil,
             into pairing: inout IdentityPairing, budget: inout ExtractionBudget) {
        guard budget.takeValue() else { return }
        let decoded = token.kind == .string ? ValueDecoder.doubled(ASCII.apostrophe).decode(text, token.content)
            : ValueDecoder.plain.decode(text, token.content)
        pairing.add(NamedValue(name: name, namePath: path, valueSpan: token.content, value: decoded.bytes, encoding: decoded.encoding,
                               identity: identity, format: .sql, form: token.kind == .string ? .literal : .bare, marker: marker))
    }

    func positionalCall(_ tokens: [SQLToken], from start: Int, positions: (user: Int?, password: Int), name: String,
                        into pairing: inout IdentityPairing, budget: inout ExtractionBudget) {
        // Arguments up to the end of the statement; named ones (`@x = …`) are read elsewhere.
        var arguments: [SQLToken] = []
        var index = start
        var depth = 0
        var current: SQLToken?
        while index < tokens.count && arguments.count < 16 {
            let token = tokens[index]
            if token.kind == .variable && isPunct(tokens, index + 1, ASCII.equals) { return }
            if token.kind == .punct {
                let byte = text[token.range.lowerBound]
                if byte == ASCII.openParen { depth += 1 } else if byte == ASCII.closeParen { depth -= 1 }
                else if byte == ASCII.comma && depth <= 0 {
                    arguments.append(current ?? token)
                    current = nil
                }
            } else if current == nil {
                current = token
            }
            index += 1
        }
        if let current { arguments.append(current) }
        var identity: String?
        if let user = positions.user, user <= arguments.count, arguments[user - 1].kind == .string {
            identity = text.string(arguments[user - 1].content)
        }
        guard positions.password <= arguments.count, arguments[positions.password - 1].kind == .string else { return }
        add("password", arguments[positions.password - 1], path: name, marker: .none, identity: identity, into: &pairing, budget: &budget)
    }

    /// `CREATE TABLE [IF NOT EXISTS] t (col type …, …)`: the column names, in order.
    mutating func createTable(_ tokens: [SQLToken], from start: Int) {
        var index = start
        while isWord(tokens, index, "if") || isWord(tokens, index, "not") || isWord(tokens, index, "exists") { index += 1 }
        guard index < tokens.count, tokens[index].kind == .word else { return }
        var name = text.string(tokens[index].content).lowercased()
        // `schema.table`.
        while isPunct(tokens, index + 1, ASCII.dot), index + 2 < tokens.count { index += 2; name = text.string(tokens[index].content).lowercased() }
        guard isPunct(tokens, index + 1, ASCII.openParen) else { return }
        var columns: [String] = []
        var depth = 0
        var expectColumn = true
        for token in tokens[(index + 1)...] {
            if token.kind == .punct {
                let byte = text[token.range.lowerBound]
                if byte == ASCII.openParen { depth += 1; continue }
                if byte == ASCII.closeParen { depth -= 1; if depth == 0 { break }; continue }
                if byte == ASCII.comma && depth == 1 { expectColumn = true; continue }
            }
            if expectColumn && depth == 1 && token.kind == .word {
                let word = self.word(token)
                if !["primary", "key", "unique", "constraint", "index", "foreign", "check", "fulltext", "spatial"].contains(word) {
                    columns.append(text.string(token.content))
                }
                expectColumn = false
            }
        }
        if !columns.isEmpty && tables.count < 10_000 { tables[name] = columns }
    }

    /// `INSERT INTO t (a, password) VALUES ('x', 'y'), (…)`, or without the column list when
    /// the table was created above.
    func insert(_ tokens: [SQLToken], from start: Int, into pairing: inout IdentityPairing, budget: inout ExtractionBudget) {
        var nameIndex = start + 1
        if isWord(tokens, nameIndex, "into") || isWord(tokens, nameIndex, "ignore") { nameIndex += 1 }
        if isWord(tokens, nameIndex, "into") { nameIndex += 1 }
        while isPunct(tokens, nameIndex + 1, ASCII.dot), nameIndex + 2 < tokens.count { nameIndex += 2 }
        guard nameIndex < tokens.count else { return }
        var columns: [String] = []
        var index = nameIndex + 1
        if isPunct(tokens, index, ASCII.openParen) {
            index += 1
            while index < tokens.count && !isPunct(tokens, index, ASCII.closeParen) {
                if tokens[index].kind == .word { columns.append(text.string(tokens[index].content)) }
                index += 1
            }
        } else {
            columns = tables[text.string(tokens[nameIndex].content).lowercased()] ?? []
        }
        let credential = columns.indices.filter { lens.isCredential(columns[$0]) }
        guard !credential.isEmpty else { return }
        let identityColumn = columns.indices.first { lens.isIdentity(columns[$0]) }
        let table = text.string(tokens[nameIndex].content)
        var row = 0
        while index < tokens.count {
            guard isPunct(tokens, index, ASCII.openParen) else { index += 1; continue }
            // One row of values.
            var values: [SQLToken] = []
            var cursor = index + 1
            var depth = 0
            var current: SQLToken?
            while cursor < tokens.count {
                if isPunct(tokens, cursor, ASCII.openParen) { depth += 1 }
                else if isPunct(tokens, cursor, ASCII.closeParen) {
                    if depth == 0 { break }
                    depth -= 1
                } else if isPunct(tokens, cursor, ASCII.comma) && depth == 0 {
                    values.append(current ?? tokens[cursor])
                    current = nil
                } else if current == nil { current = tokens[cursor] }
                cursor += 1
            }
            if let current { values.append(current) }
            index = cursor + 1
            row += 1
            guard values.count == columns.count else { continue }
            let identity = identityColumn.flatMap { values[$0].kind == .string ? text.string(values[$0].content) : nil }
            for column in credential where values[column].kind == .string {
                add(columns[column], values[column], path: "\(table)[\(row)].\(columns[column])", marker: .none, identity: identity,
                    into: &pairing, budget: &budget)
            }
        }
    }

    mutating func copyStatement(_ tokens: [SQLToken]) {
        guard let open = tokens.firstIndex(where: { $0.kind == .punct && text[$0.range.lowerBound] == ASCII.openParen }),
              tokens.contains(where: { $0.kind == .word && word($0) == "stdin" }) else { return }
        var columns: [String] = []
        var index = open + 1
        while index < tokens.count && !isPunct(tokens, index, ASCII.closeParen) {
            if tokens[index].kind == .word { columns.append(text.string(tokens[index].content)) }
            index += 1
        }
        guard columns.contains(where: { lens.isCredential($0) }) else { return }
        pendingCopy = (columns, tokens.count > 1 ? text.string(tokens[1].content) : "table")
    }

    /// The tab-separated rows after `COPY … FROM stdin;`, to `\.`; returns where SQL resumes.
    func copyRows(_ copy: (columns: [String], table: String), from start: Int, budget: inout ExtractionBudget,
                  emit: (NamedValue) -> Void) -> Int {
        var index = text.lineEnd(from: start) + 1
        let credential = copy.columns.indices.filter { lens.isCredential(copy.columns[$0]) }
        let identityColumn = copy.columns.indices.first { lens.isIdentity(copy.columns[$0]) }
        var row = 0
        while index < text.count {
            let lineEnd = text.lineEnd(from: index)
            defer { index = lineEnd + 1 }
            guard budget.spend(bytes: lineEnd - index + 1) else { break }
            if text.matchesExactly("\\.", at: index) { return lineEnd + 1 }
            var fields: [Range<Int>] = []
            var fieldStart = index
            for position in index...lineEnd where position == lineEnd || text[position] == ASCII.tab {
                fields.append(fieldStart..<position)
                fieldStart = position + 1
            }
            row += 1
            guard fields.count == copy.columns.count else { continue }
            let identity = identityColumn.map { text.string(fields[$0]) }
            for column in credential where text.string(fields[column]) != "\\N" {
                guard budget.takeValue() else { break }
                emit(NamedValue(name: copy.columns[column], namePath: "\(copy.table)[\(row)].\(copy.columns[column])",
                                valueSpan: fields[column], value: text.bytes(fields[column]), identity: identity, format: .sql))
            }
        }
        return index
    }
}
