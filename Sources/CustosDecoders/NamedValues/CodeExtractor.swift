// Source code: string values given a name by the code around them, in the languages plant and
// IT engineers write (Python, JavaScript/TypeScript, Java, C#, C/C++, Go, PHP, Ruby, Perl, Lua,
// PowerShell, VB/VBScript and eWON BASIC, Kotlin, Swift, Rust, Groovy):
//   - assignments and keys: `password = "…"`, `self.pw = '…'`, `"password": "…"`,
//     `'password' => '…'`, `Password = "…"` in initialisers, `cfg["password"] = "…"`,
//     keyword arguments `connect(password="…")`, typed declarations `String pw = "…"`;
//   - a name written as a string before its value: `define('DB_PASSWORD', '…')`,
//     `setProperty("mail.smtp.password", "…")`, `SETSYS COM, "VPNPassword", "…"`;
//   - setters and builders: `setPassword("…")`, `.password("…")`;
//   - calls whose positions hold a login (`NetworkCredential("u", "p")`, `login('u', 'p')`,
//     `auth=("u", "p")`, the vocabulary's `calls:`);
//   - byte arrays: `uint8_t key[] = {0x2b, …}`, `new byte[] { … }`, `b'\x01…'`.
// A value that is code (a variable, a call, an attribute, a subscript, a `::` path, a
// concatenation) is reported as an expression, never as a value. Strings that carry headers,
// URLs or connection strings are handed back to the scanner. The trade-off: a token window,
// not a parser; it reads what the common shapes say and nothing else.

import CustosCore
import Foundation

public struct CodeExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    static let extensions: Set<String> = [
        "py", "pyw", "js", "mjs", "cjs", "ts", "tsx", "jsx", "java", "kt", "kts", "scala", "groovy", "gradle", "cs", "vb",
        "vbs", "vba", "bas", "cls", "frm", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "ino", "go", "rs", "rb", "php", "pl",
        "pm", "lua", "swift", "m", "mm", "ps1", "psm1", "psd1", "dart", "r", "jl", "ex", "exs", "erl", "clj", "tf", "hcl",
        "jenkinsfile", "ipynb", "vue", "svelte", "astro", "cfm", "asp", "aspx", "jsp", "nse", "ahk", "au3", "pas", "d",
        "nim", "zig", "fs", "fsx", "tcl", "coffee", "sbt", "cmake", "bicep", "bmo", "bac", "pdl", "krl", "src", "sub",
        // Type stubs, template implementations and module interfaces are code too.
        "pyi", "tcc", "hxx", "ipp", "inl", "tpp", "txx", "ixx", "cppm", "t", "rake", "gemspec", "podspec", "mts", "cts",
    ]

    /// Interpreters named by a script's `#!` line whose scripts read as code.
    static let interpreters = ["python", "perl", "node", "ruby", "php", "lua", "groovy", "deno", "bun", "pwsh", "tclsh", "wish"]

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        let base = name.base
        if base == "jenkinsfile" || base == "rakefile" || base == "gemfile" || base.hasSuffix("settings.js") { return true }
        guard name.hasExtension else { return isCodeByContent(prefix) }
        let ext = name.ext
        // KUKA KRL data lists (`.dat`) share their extension with everything else.
        if ext == "dat" { return prefix.contains("defdat", in: 0..<prefix.count) || prefix.contains("&access", in: 0..<prefix.count) }
        return extensions.contains(ext)
    }

    /// A file without an extension that says it is code: a `#!` line naming an interpreter of
    /// the languages above, or an editor mode line (`-*- C++ -*-`, as the C++ standard headers
    /// `<barrier>` and `<stop_token>` carry).
    static func isCodeByContent(_ prefix: UnsafeRawBufferPointer) -> Bool {
        let firstLine = 0..<min(prefix.lineEnd(from: 0), 256, prefix.count)
        guard !firstLine.isEmpty else { return false }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: prefix[firstLine]), as: UTF8.self).lowercased()
        if line.hasPrefix("#!") { return interpreters.contains { line.contains($0) } }
        return line.contains("-*- c++ -*-") || line.contains("-*- c -*-") || line.contains("-*- mode: c++")
            || line.contains("-*- python -*-") || line.contains("-*- perl -*-")
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        let language = CodeLanguage(fileName: fileName)
        var tokens: [CodeToken] = []
        var lexer = CodeLexer(text: text, language: language)
        while let token = lexer.next() {
            guard budget.spend(bytes: token.range.count + 1) else { break }
            tokens.append(token)
            // Half a million tokens (a few MB of code) bound the memory a file can take.
            if tokens.count >= 500_000 { break }
        }
        var reader = CodeReader(text: text, lens: lens, tokens: tokens, language: language)
        reader.run(budget: &budget, emit: emit)
        // Commented-out code still leaks what it assigns: read it as code, inside the scanner.
        for comment in lexer.comments where lens.mayCarry(text, comment) {
            guard budget.takeValue() else { break }
            emit(NamedValue(name: "comment", namePath: "comment", valueSpan: comment, value: text.bytes(comment), format: .sourceCode))
        }
    }
}

/// What the lexer must know about a language.
struct CodeLanguage {
    var hashComments = false
    var slashComments = true
    var dashComments = false
    var basicComments = false
    var semicolonComments = false
    var tripleQuotes = false
    var backtickStrings = true
    var singleQuoteStrings = true
    /// Perl's documentation blocks (`=head1` … `=cut`) are comments.
    var podBlocks = false

    init(fileName: Substring) {
        let lower = fileName.lowercased()
        let ext = lower.split(separator: ".").last.map(String.init) ?? ""
        switch ext {
        case "py", "pyw", "ipynb", "r", "jl", "ex", "exs", "nim", "coffee", "cmake", "tcl":
            hashComments = true; slashComments = false; tripleQuotes = true
        case "rb", "pl", "pm", "t", "ps1", "psm1", "psd1", "tf", "hcl", "php":
            hashComments = true
            podBlocks = ext == "pl" || ext == "pm" || ext == "t"
        case "lua", "sql":
            dashComments = true; slashComments = ext == "sql"
        case "vb", "vbs", "vba", "bas", "cls", "frm", "asp", "bmo", "bac", "pdl":
            basicComments = true; slashComments = false; singleQuoteStrings = false; backtickStrings = false
        case "dat", "src", "sub", "krl":
            semicolonComments = true; slashComments = false; singleQuoteStrings = false
        default:
            break
        }
    }
}

struct CodeToken {
    enum Kind: Equatable { case identifier, string, number, punct }
    var kind: Kind
    var range: Range<Int>
    var content: Range<Int> = 0..<0
    var quote: UInt8 = 0
    /// Byte strings (`b'…'`) and C strings decode `\x` escapes; raw strings decode nothing.
    var escapes: ValueDecoding.BackslashStyle? = .cLike
    var line: Int = 0
}

struct CodeLexer {
    let text: UnsafeRawBufferPointer
    let language: CodeLanguage
    var index = 0
    var line = 1
    /// Line comments that look like commented-out code with a credential (`// secret: "…"`).
    var comments: [Range<Int>] = []

    /// The line of the last line comment, and whether the run of comment lines it ends holds
    /// a sentence: such a run is documentation (RDoc, YARD, Doxygen `///`), and its indented
    /// lines are examples, not commented-out code.
    private var lastCommentLine = -1
    private var runHasProse = false

    mutating func noteComment(_ range: Range<Int>) {
        if line != lastCommentLine + 1 { runHasProse = false }
        lastCommentLine = line
        let hasAssignment = text.firstIndex(of: ASCII.equals, in: range) != nil || text.firstIndex(of: ASCII.colon, in: range) != nil
        if !hasAssignment {
            if !runHasProse && Self.isProse(text, range) { runHasProse = true }
            return
        }
        guard comments.count < 10_000, range.count >= 8, range.count <= 4096 else { return }
        // `#   user = User.new(name: 'david', password: 'mUc3m00RsqyRe')` under a sentence.
        if runHasProse, Self.isIndentedExample(text, range) { return }
        comments.append(range)
    }

    /// Four words of letters or more, and nothing code-like (`(`, `"`, `;`).
    static func isProse(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var words = 0, letters = 0
        for index in range {
            let byte = text[index]
            if ASCII.isLetter(byte) { letters += 1; continue }
            if letters >= 2 { words += 1 }
            letters = 0
            if byte == ASCII.openParen || byte == ASCII.quote || byte == ASCII.semicolon || byte == ASCII.openBrace { return false }
        }
        if letters >= 2 { words += 1 }
        return words >= 4
    }

    /// A comment's text indented by two spaces or a tab after the marker (and after a `/` or
    /// `!` that makes `///` and `//!` doc comments).
    static func isIndentedExample(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        while index < range.upperBound && (text[index] == ASCII.slash || text[index] == ASCII.exclamation) { index += 1 }
        if index < range.upperBound && text[index] == ASCII.tab { return true }
        return index + 1 < range.upperBound && text[index] == ASCII.space && text[index + 1] == ASCII.space
    }

    init(text: UnsafeRawBufferPointer, language: CodeLanguage) {
        self.text = text
        self.language = language
    }

    mutating func next() -> CodeToken? {
        skipTrivia()
        guard index < text.count else { return nil }
        let start = index
        let byte = text[index]
        // String prefixes: r"", b'', f"", u"", br"", @"" (C#), $"" (C#), N'' (SQL).
        var prefixEnd = index
        while prefixEnd < text.count && prefixEnd - index < 3 && (ASCII.isLetter(text[prefixEnd]) || text[prefixEnd] == ASCII.at
                                                                   || text[prefixEnd] == ASCII.dollar) {
            prefixEnd += 1
        }
        if prefixEnd > index, prefixEnd < text.count, text[prefixEnd] == ASCII.quote || (text[prefixEnd] == ASCII.apostrophe && language.singleQuoteStrings) {
            let prefix = text.string(index..<prefixEnd).lowercased()
            if prefix.allSatisfy({ "rbfu@$n".contains($0) }) {
                index = prefixEnd
                var token = string(from: prefixEnd)
                token.range = start..<token.range.upperBound
                if prefix.contains("r") || prefix.contains("@") { token.escapes = nil }
                return token
            }
        }
        if byte == ASCII.quote || (byte == ASCII.apostrophe && language.singleQuoteStrings) || (byte == ASCII.backtick && language.backtickStrings) {
            return string(from: index)
        }
        if ASCII.isLetter(byte) || byte == ASCII.underscore || byte == ASCII.dollar || byte >= 0x80 || (byte == ASCII.at && language.hashComments) {
            index += 1
            while index < text.count && (ASCII.isNameByte(text[index])) { index += 1 }
            // PowerShell `$env:NAME`.
            if byte == ASCII.dollar, text.byte(at: index) == ASCII.colon, text.matches("$env", at: start) {
                index += 1
                while index < text.count && ASCII.isNameByte(text[index]) { index += 1 }
            }
            return CodeToken(kind: .identifier, range: start..<index, line: line)
        }
        if ASCII.isDigit(byte) {
            while index < text.count && (ASCII.isAlphanumeric(text[index]) || text[index] == ASCII.dot || text[index] == ASCII.underscore) { index += 1 }
            return CodeToken(kind: .number, range: start..<index, line: line)
        }
        // Operators of two bytes the reader tells apart.
        for op: StaticString in ["::", ":=", "=>", "==", "!=", "->", "+=", "<-", "..", "?.", "<=", ">="] where text.matchesExactly(op, at: index) {
            index += 2
            return CodeToken(kind: .punct, range: start..<index, line: line)
        }
        index += 1
        return CodeToken(kind: .punct, range: start..<index, line: line)
    }

    mutating func skipTrivia() {
        while index < text.count {
            let byte = text[index]
            if byte == ASCII.newline { line += 1; index += 1; continue }
            if ASCII.isWhitespace(byte) { index += 1; continue }
            if language.slashComments && byte == ASCII.slash && text.byte(at: index + 1) == ASCII.slash {
                let end = text.lineEnd(from: index)
                noteComment((index + 2)..<end)
                index = end; continue
            }
            if language.slashComments && byte == ASCII.slash && text.byte(at: index + 1) == ASCII.star {
                var cursor = index + 2
                while cursor + 1 < text.count && !(text[cursor] == ASCII.star && text[cursor + 1] == ASCII.slash) {
                    if text[cursor] == ASCII.newline { line += 1 }
                    cursor += 1
                }
                index = min(cursor + 2, text.count); continue
            }
            if language.podBlocks && byte == ASCII.equals && (index == 0 || text[index - 1] == ASCII.newline)
                && index + 1 < text.count && ASCII.isLetter(text[index + 1]) {
                // To the end of the `=cut` line, or of the file.
                var cursor = text.lineEnd(from: index)
                while cursor < text.count {
                    line += 1
                    let next = cursor + 1
                    if text.matchesExactly("=cut", at: next) {
                        cursor = text.lineEnd(from: next)
                        break
                    }
                    cursor = text.lineEnd(from: next)
                }
                index = min(cursor, text.count); continue
            }
            if language.hashComments && byte == ASCII.hash {
                // PowerShell block comments `<# … #>` open with `<`; a `#` alone runs to the end of the line.
                let end = text.lineEnd(from: index)
                noteComment((index + 1)..<end)
                index = end; continue
            }
            if language.dashComments && byte == ASCII.dash && text.byte(at: index + 1) == ASCII.dash {
                index = text.lineEnd(from: index); continue
            }
            if language.basicComments && (byte == ASCII.apostrophe || text.matches("rem ", at: index)) {
                index = text.lineEnd(from: index); continue
            }
            if language.semicolonComments && byte == ASCII.semicolon {
                index = text.lineEnd(from: index); continue
            }
            break
        }
    }

    mutating func string(from quoteIndex: Int) -> CodeToken {
        let start = index
        let quote = text[quoteIndex]
        // Python triple quotes.
        if language.tripleQuotes, text.byte(at: quoteIndex + 1) == quote, text.byte(at: quoteIndex + 2) == quote {
            var cursor = quoteIndex + 3
            while cursor + 2 < text.count && !(text[cursor] == quote && text[cursor + 1] == quote && text[cursor + 2] == quote) {
                if text[cursor] == ASCII.newline { line += 1 }
                if text[cursor] == ASCII.backslash { cursor += 1 }
                cursor += 1
            }
            let end = min(cursor, text.count)
            index = min(end + 3, text.count)
            return CodeToken(kind: .string, range: start..<index, content: (quoteIndex + 3)..<end, quote: quote, line: line)
        }
        var cursor = quoteIndex + 1
        let startLine = line
        while cursor < text.count && text[cursor] != quote {
            if text[cursor] == ASCII.newline {
                line += 1
                // Only template literals and BASIC-free languages span lines; others end here.
                if quote != ASCII.backtick { break }
            }
            if text[cursor] == ASCII.backslash && !language.basicComments { cursor += 1 }
            else if language.basicComments && text[cursor] == quote && text.byte(at: cursor + 1) == quote { cursor += 1 }
            cursor += 1
        }
        let end = min(cursor, text.count)
        index = min(end + 1, text.count)
        var token = CodeToken(kind: .string, range: start..<index, content: (quoteIndex + 1)..<end, quote: quote, line: startLine)
        if language.basicComments { token.escapes = nil }
        return token
    }
}

private struct CodeReader {
    let text: UnsafeRawBufferPointer
    let lens: NameLens
    let tokens: [CodeToken]
    let language: CodeLanguage
    /// Where credential and identity words occur in the text.
    var nameHits: WordHitCursor

    /// Identities of open groups (call arguments, object literals), innermost last. A group's
    /// values wait for the group to close (a user may follow the password), then go to `output`
    /// once: values are never copied from group to group.
    var groups: [IdentityPairing] = [IdentityPairing()]
    var output: [NamedValue] = []
    var lastIdentity: (value: String, line: Int)?
    var emitted = Set<Range<Int>>()

    init(text: UnsafeRawBufferPointer, lens: NameLens, tokens: [CodeToken], language: CodeLanguage) {
        self.text = text
        self.lens = lens
        self.tokens = tokens
        self.language = language
        nameHits = WordHitCursor(lens.nameWords, text: text)
    }

    static let typeWords: Set<String> = ["string", "str", "char", "wchar_t", "tchar", "var", "let", "const", "final", "static",
                                         "private", "public", "protected", "readonly", "val", "auto", "nsstring", "std", "object",
                                         "dim", "as", "byte", "uint8_t", "u8", "unsigned", "signed", "int", "bytes", "cstring",
                                         "secure_string", "securestring", "local", "my", "our", "def", "export", "internal"]
    static let assignmentOperators: Set<String> = ["=", ":=", ":", "=>", "<-"]

    func string(_ token: CodeToken) -> String { text.string(token.kind == .string ? token.content : token.range) }
    /// Whether token `index` is the operator `literal` (compared as bytes, no string made).
    func isPunct(_ index: Int, _ literal: StaticString) -> Bool {
        guard index >= 0 && index < tokens.count && tokens[index].kind == .punct else { return false }
        let range = tokens[index].range
        let count = literal.utf8CodeUnitCount
        guard range.count == count, range.upperBound <= text.count else { return false }
        let bytes = literal.utf8Start
        for offset in 0..<count where text[range.lowerBound + offset] != bytes[offset] { return false }
        return true
    }

    mutating func run(budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        var index = 0
        while index < tokens.count {
            guard !budget.isExhausted else { break }
            let token = tokens[index]
            if token.kind == .punct {
                // Operators are compared as bytes: no string per token.
                let first = text[token.range.lowerBound]
                let single = token.range.count == 1
                if single && (first == ASCII.openParen || first == ASCII.openBrace || first == ASCII.openBracket) {
                    if groups.count < 256 { groups.append(IdentityPairing()) }
                } else if single && (first == ASCII.closeParen || first == ASCII.closeBrace || first == ASCII.closeBracket) {
                    if groups.count > 1 {
                        var group = groups.removeLast()
                        if !group.pending.isEmpty { group.flush { output.append($0) } }
                    }
                } else if (single && (first == ASCII.equals || first == ASCII.colon))
                            || isPunct(index, ":=") || isPunct(index, "=>") || isPunct(index, "<-") {
                    assignment(at: index, budget: &budget)
                } else if single && first == ASCII.comma {
                    nameBeforeValue(at: index, budget: &budget)
                }
            } else if token.kind == .identifier {
                call(at: index, budget: &budget)
            } else if token.kind == .string {
                carrier(at: index, budget: &budget)
            }
            index += 1
        }
        while groups.count > 1 {
            var group = groups.removeLast()
            group.flush { output.append($0) }
        }
        // Top-level values took their identity by distance when added; none is filled in here.
        groups[0].flush({ output.append($0) }, fillIdentity: false)
        for value in output { emit(value) }
    }

    // MARK: Shapes

    /// `NAME = value`, `"name": value`, `'name' => value`, `NAME := value`.
    mutating func assignment(at op: Int, budget: inout ExtractionBudget) {
        guard nameMayMatter(before: op), let (name, nameToken, path) = nameBefore(op) else { return }
        let valueIndex = op + 1
        guard valueIndex < tokens.count else { return }
        let wanted = lens.mayMatter(name)
        if !wanted {
            if lens.isIdentity(name), tokens[valueIndex].kind == .string, isWholeValue(valueIndex) {
                noteIdentity(string(tokens[valueIndex]), line: tokens[valueIndex].line)
            } else if lens.isIdentity(name) || name.contains(asciiIgnoringCase: "login"), isPunct(valueIndex, "{") || isPunct(valueIndex, "[") {
                loginPairs(from: valueIndex, path: path, budget: &budget)
            }
            return
        }
        _ = nameToken
        readValue(name: name, path: path, at: valueIndex, budget: &budget)
    }

    /// Whether the bytes of the tokens an assignment's name can come from (the few before `op`,
    /// more after a subscript) hold a credential word, a user word or `login`: most assignments
    /// in code name neither, and are passed over without a string built for their name.
    mutating func nameMayMatter(before op: Int) -> Bool {
        guard op >= 1, op <= tokens.count else { return false }
        let reach = isPunct(op - 1, "]") ? 48 : 12
        let range = tokens[max(0, op - reach)].range.lowerBound..<tokens[op - 1].range.upperBound
        guard !range.isEmpty, range.upperBound <= text.count else { return false }
        return nameHits.any(in: range)
    }

    /// The name an operator assigns to: a string key, or the last identifier of a chain,
    /// stepping back over a type (`String pw =`, `pw: str =`, `var pw string =`).
    func nameBefore(_ op: Int) -> (String, CodeToken, String)? {
        var index = op - 1
        guard index >= 0 else { return nil }
        var token = tokens[index]
        // `cfg["password"] = …`, `$_ENV['X'] = …`.
        if token.kind == .punct && text.string(token.range) == "]" && index >= 2 && tokens[index - 1].kind == .string {
            let key = tokens[index - 1]
            return (string(key), key, string(key))
        }
        if token.kind == .string {
            // A string key only when it starts an entry: `{"a": …`, `, 'b' => …`.
            let before = index - 1
            guard before < 0 || isPunct(before, "{") || isPunct(before, ",") || isPunct(before, "(") || isPunct(before, "[")
                    || tokens[before].line < token.line else { return nil }
            return (string(token), token, string(token))
        }
        // `uint8_t key[] =`, `key[16] =`: step back over the subscript.
        var skippedSubscript = false
        if isPunct(index, "]") {
            var depth = 0
            while index >= 0 {
                if isPunct(index, "]") { depth += 1 } else if isPunct(index, "[") { depth -= 1; if depth == 0 { break } }
                index -= 1
            }
            index -= 1
            skippedSubscript = true
        }
        if skippedSubscript, index >= 0, tokens[index].kind == .identifier {
            token = tokens[index]
            return (text.string(token.range), token, text.string(token.range))
        }
        // Step back over a type (`pw: str =`, `var pw string =`, `pwd: Option<String> =`).
        var steps = 0
        while index >= 0 && steps < 8 {
            let candidate = tokens[index]
            if candidate.kind == .identifier && !Self.typeWords.contains(text.string(candidate.range).lowercased()) {
                let follows = index + 1 < op ? tokens[index + 1] : tokens[op]
                // `String password`: an identifier followed directly by the operator or by a type.
                if index + 1 == op || follows.kind == .identifier || isPunct(index + 1, ":") {
                    token = candidate
                    break
                }
            }
            guard candidate.kind == .identifier || isPunct(index, ":") || isPunct(index, "*") || isPunct(index, "&")
                    || isPunct(index, "?") || isPunct(index, ">") || isPunct(index, "<") else { return nil }
            index -= 1
            steps += 1
        }
        guard index >= 0, token.kind == .identifier else { return nil }
        // A comparison or a default in a signature is not an assignment: `if x == …` is its own op.
        var path = text.string(token.range)
        var back = index - 1
        while back >= 1, isPunct(back, ".") || isPunct(back, "->") || isPunct(back, "::") || isPunct(back, "?."), tokens[back - 1].kind == .identifier {
            path = text.string(tokens[back - 1].range) + text.string(tokens[back].range) + path
            back -= 2
        }
        var name = text.string(token.range)
        if name.hasPrefix("$env:") { name = String(name.dropFirst(5)) }
        return (name, token, path)
    }

    /// Whether the string at `index` is the whole value: not concatenated, formatted, indexed
    /// or one branch of a condition (`"pw".encode()` and `"pw".toCharArray()` still are).
    func isWholeValue(_ index: Int) -> Bool {
        if index >= 1, isPunct(index - 1, "+") || isPunct(index - 1, ".") { return false }
        let next = index + 1
        guard next < tokens.count, tokens[next].line == tokens[index].line else { return true }
        let token = tokens[next]
        if token.kind == .punct {
            let op = text.string(token.range)
            if op == "." || op == "->" {
                let method = next + 1 < tokens.count ? text.string(tokens[next + 1].range).lowercased() : ""
                return ["encode", "tochararray", "getbytes", "strip", "trim", "tostring", "bytes", "asbytes", "touppercase"].contains(method)
            }
            return !["+", "..", "%", "[", "(", "?", "*", "|", "&", "<<"].contains(op)
        }
        if token.kind == .identifier {
            return !["if", "else", "and", "or", "unless", "when", "for", "in"].contains(text.string(token.range).lowercased())
                && tokens[next].line != tokens[index].line
        }
        return token.kind != .string
    }

    mutating func readValue(name: String, path: String, at index: Int, budget: inout ExtractionBudget) {
        let token = tokens[index]
        switch token.kind {
        case .string:
            let form: ValueForm = isWholeValue(index) ? .literal : .expression
            add(name: name, path: path, token: token, form: form, budget: &budget)
        case .number:
            add(name: name, path: path, span: token.range, bytes: text.bytes(token.range), encoding: .plain, form: .bare, budget: &budget)
        case .punct:
            let op = text.string(token.range)
            if op == "(" || op == "[" {
                // `auth=("user", "pw")`.
                // Only under a name the vocabulary calls a credential (`auth=`, `credentials=`):
                // `__author__ = ("…", "…")` and `'KEY': ('topic', 'TITLE')` hold no login.
                if index + 4 < tokens.count, tokens[index + 1].kind == .string, isPunct(index + 2, ","), tokens[index + 3].kind == .string,
                   isPunct(index + 4, op == "(" ? ")" : "]"), lens.isCredential(name) {
                    noteIdentity(string(tokens[index + 1]), line: tokens[index + 1].line)
                    // A pair under a credential name is (user, password).
                    add(name: "password", path: "\(path)[1]", token: tokens[index + 3], form: .literal,
                        identity: string(tokens[index + 1]), budget: &budget)
                    return
                }
            }
            if op == "{" || op == "[" {
                if let (span, bytes) = byteList(from: index) {
                    add(name: name, path: path, span: span, bytes: bytes, encoding: .byteArray, form: .literal, budget: &budget)
                } else {
                    loginPairs(from: index, path: path, budget: &budget)
                }
                return
            }
            if op == "@" || op == "-" { return }
        case .identifier:
            let word = text.string(token.range)
            if ["true", "false", "null", "nil", "none", "undefined", "True", "False", "None"].contains(word) { return }
            // `new byte[] { … }`, `bytes([0x…])`, `bytearray.fromhex("…")`.
            var probe = index
            while probe < min(tokens.count, index + 6), !isPunct(probe, "{"), !isPunct(probe, "[") { probe += 1 }
            if probe < tokens.count, ["new", "bytes", "bytearray", "byte"].contains(word.lowercased()), let (span, bytes) = byteList(from: probe) {
                add(name: name, path: path, span: span, bytes: bytes, encoding: .byteArray, form: .literal, budget: &budget)
                return
            }
            // Code: the whole expression to the end of the statement.
            var end = token.range.upperBound
            var cursor = index + 1
            while cursor < tokens.count && cursor - index < 16 && tokens[cursor].line == token.line
                    && !isPunct(cursor, ";") && !isPunct(cursor, ",") && !isPunct(cursor, ")") && !isPunct(cursor, "}") {
                end = tokens[cursor].range.upperBound
                cursor += 1
            }
            add(name: name, path: path, span: token.range.lowerBound..<end, bytes: text.bytes(token.range.lowerBound..<end),
                encoding: .plain, form: .expression, budget: &budget)
        }
    }

    /// `logins[] = { {"user", "pw"}, {UA_STRING_STATIC("u"), UA_STRING_STATIC("p")} }` under a
    /// login or credential name: each inner pair of two strings is a user and a password.
    mutating func loginPairs(from open: Int, path: String, budget: inout ExtractionBudget) {
        var index = open + 1
        var depth = 1
        var strings: [Int] = []
        var groupDepth = 0
        while index < tokens.count && depth > 0 && index - open < 20_000 {
            if isPunct(index, "{") || isPunct(index, "[") || isPunct(index, "(") {
                depth += 1
                if isPunct(index, "{") && groupDepth == 0 { groupDepth = depth; strings = [] }
            } else if isPunct(index, "}") || isPunct(index, "]") || isPunct(index, ")") {
                if isPunct(index, "}") && depth == groupDepth {
                    if strings.count == 2 {
                        let user = string(tokens[strings[0]])
                        noteIdentity(user, line: tokens[strings[0]].line)
                        add(name: "password", path: "\(path)[…]", token: tokens[strings[1]], form: .literal, identity: user, budget: &budget)
                    }
                    groupDepth = 0
                }
                depth -= 1
            } else if tokens[index].kind == .string && groupDepth > 0 {
                strings.append(index)
            }
            index += 1
        }
    }

    /// `{0x2b, 0x7e, …}`, `[16, 32, …]`: four numbers or more, each a byte.
    func byteList(from open: Int) -> (Range<Int>, [UInt8])? {
        let close: StaticString = isPunct(open, "{") ? "}" : "]"
        var bytes: [UInt8] = []
        var index = open + 1
        while index < tokens.count && !isPunct(index, close) && bytes.count <= 4096 {
            let token = tokens[index]
            if token.kind == .number {
                guard let value = PLCLiteral.parseNumber(ArraySlice(text.bytes(token.range))), value >= 0, value <= 255 else { return nil }
                bytes.append(UInt8(value))
            } else if !(isPunct(index, ",") || isPunct(index, "(") || isPunct(index, ")")
                        || (token.kind == .identifier && ["byte", "uint8_t", "char", "u8", "sbyte"].contains(text.string(token.range).lowercased()))) {
                return nil
            }
            index += 1
        }
        guard index < tokens.count, bytes.count >= 4 else { return nil }
        return (tokens[open].range.upperBound..<tokens[index].range.lowerBound, bytes)
    }

    /// `define('DB_PASSWORD', '…')`, `SETSYS COM, "VPNPassword", "…"`, `put("password", "…")`.
    mutating func nameBeforeValue(at comma: Int, budget: inout ExtractionBudget) {
        guard comma >= 1, comma + 1 < tokens.count, tokens[comma - 1].kind == .string, tokens[comma + 1].kind == .string else { return }
        let nameToken = tokens[comma - 1]
        // A name is a key: letters, digits, `_`, `.`, `-` (`mail.smtp.password`), not a template.
        guard nameToken.content.count <= 80,
              nameToken.content.allSatisfy({ ASCII.isNameByte(text[$0]) || text[$0] == ASCII.dot || text[$0] == ASCII.dash }) else { return }
        // A string that is itself a value (`"name": "Secrets", "tagType": …`) names nothing,
        // and a string followed by `:` is a key, not a value.
        if comma >= 2, isPunct(comma - 2, ":") || isPunct(comma - 2, "=") || isPunct(comma - 2, "=>") { return }
        if comma + 2 < tokens.count, isPunct(comma + 2, ":") || isPunct(comma + 2, "=>") { return }
        // The name opens a call's arguments (`define('DB_PASSWORD', …)`) or follows a BASIC
        // command's first operand (`SETSYS COM, "VPNPassword", …`): two neighbours in a list of
        // words (`"alterations-in-key", "ambitus"`) name nothing.
        let opensCall = comma >= 3 && isPunct(comma - 2, "(") && tokens[comma - 3].kind == .identifier
        let basicOperand = comma >= 4 && isPunct(comma - 2, ",") && tokens[comma - 3].kind == .identifier
            && tokens[comma - 4].kind == .identifier && tokens[comma - 4].line == nameToken.line
        guard opensCall || basicOperand else { return }
        let name = string(nameToken)
        if lens.isCredential(name) {
            let form: ValueForm = isWholeValue(comma + 1) ? .literal : .expression
            add(name: name, path: name, token: tokens[comma + 1], form: form, budget: &budget)
        } else if lens.isIdentity(name), isWholeValue(comma + 1) {
            noteIdentity(string(tokens[comma + 1]), line: tokens[comma + 1].line)
        }
    }

    /// Setters (`setPassword("…")`, `.password("…")`) and the vocabulary's login calls.
    mutating func call(at index: Int, budget: inout ExtractionBudget) {
        guard index + 1 < tokens.count, isPunct(index + 1, "(") else { return }
        // Only callees that may name a credential, or that the vocabulary lists, are looked at.
        guard lens.mayMatter(text, tokens[index].range) || lens.callNames.mayList(text, tokens[index].range) else { return }
        let callee = text.string(tokens[index].range)
        let receiver = index >= 2 && isPunct(index - 1, ".") && tokens[index - 2].kind == .identifier ? text.string(tokens[index - 2].range) : nil
        if let signature = receiver.flatMap({ lens.vocabulary.credentialCall(named: "\($0).\(callee)") })
            ?? lens.vocabulary.credentialCall(named: callee) {
            let arguments = self.arguments(from: index + 1)
            if let user = signature.userArgument, user <= arguments.count, arguments[user - 1].count == 1,
               tokens[arguments[user - 1][0]].kind == .string {
                noteIdentity(string(tokens[arguments[user - 1][0]]), line: tokens[index].line)
            }
            let position = signature.passwordArgument
            if position <= arguments.count, let first = arguments[position - 1].first, tokens[first].kind == .string {
                let identity = signature.userArgument.flatMap { user -> String? in
                    guard user <= arguments.count, arguments[user - 1].count == 1, tokens[arguments[user - 1][0]].kind == .string else { return nil }
                    return string(tokens[arguments[user - 1][0]])
                }
                add(name: "password", path: "\(callee)(…)", token: tokens[first],
                    form: arguments[position - 1].count == 1 ? .literal : .expression, identity: identity, budget: &budget)
            }
            return
        }
        // `setPassword("…")`: the callee without its verb names the argument.
        guard lens.mayMatter(text, tokens[index].range), index + 2 < tokens.count, tokens[index + 2].kind == .string,
              isPunct(index + 3, ")") || isPunct(index + 3, ",") else { return }
        var name = callee
        var setter = false
        for verb in ["set_", "set", "with_", "with", "use_", "Set", "With"] where name.hasPrefix(verb) && name.count > verb.count {
            name = String(name.dropFirst(verb.count))
            setter = true
            break
        }
        // Without a setter's verb only a callee that is a credential word itself
        // (`.password("…")`, `Token("…")`) names its argument: `should_pass(…)`,
        // `splitpasswd(…)`, `SimpleCookie(…)` do something with a value, they do not name it.
        guard lens.isCredential(name), setter || Self.bareCredentialCallees.contains(Self.squashed(name)) else { return }
        add(name: name, path: "\(callee)(…)", token: tokens[index + 2], form: isWholeValue(index + 2) ? .literal : .expression, budget: &budget)
    }

    /// Callees that name their argument without a verb, lowercased without separators.
    static let bareCredentialCallees: Set<String> = [
        "password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "accesstoken", "authtoken", "clientsecret",
        "secretkey", "privatekey", "credentials", "credential", "psk", "presharedkey", "bearertoken", "basicauth", "auth",
        "kennwort", "passwort", "motdepasse", "contrasena",
    ]

    static func squashed(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" })
    }

    /// The token indexes of each argument of the call whose `(` is at `open`.
    func arguments(from open: Int) -> [[Int]] {
        var arguments: [[Int]] = [[]]
        var depth = 0
        var index = open + 1
        while index < tokens.count && index - open < 512 {
            let token = tokens[index]
            if token.kind == .punct {
                let op = text.string(token.range)
                if op == "(" || op == "[" || op == "{" { depth += 1 }
                else if op == ")" || op == "]" || op == "}" {
                    if depth == 0 { break }
                    depth -= 1
                } else if op == "," && depth == 0 {
                    arguments.append([])
                    index += 1
                    continue
                }
            }
            arguments[arguments.count - 1].append(index)
            index += 1
        }
        // Keyword arguments (`route_name=…`) are not positional.
        return arguments.filter { !$0.isEmpty && !($0.count >= 2 && isPunct($0[1], "=")) }
    }

    /// A string that may hold a header, a URL with credentials or a connection string.
    mutating func carrier(at index: Int, budget: inout ExtractionBudget) {
        guard tokens[index].content.count >= 10 else { return }
        let token = tokens[index]
        guard token.content.count >= 10, lens.mayCarry(text, token.content) else { return }
        add(name: "string", path: "string", token: token, form: .literal, budget: &budget)
    }

    // MARK: Emitting

    mutating func noteIdentity(_ value: String, line: Int) {
        lastIdentity = (value, line)
        groups[groups.count - 1].noteIdentity(value)
    }

    /// Whether a string is a template the program fills in: a Python f-string or C# `$"…"`
    /// with a `{`, a template literal with `${`, or a Perl, PHP, Ruby, shell or PowerShell
    /// double-quoted string naming a variable (`"$user:$pass"`, `"#{token}"`).
    func isInterpolated(_ token: CodeToken) -> Bool {
        let content = token.content
        guard !content.isEmpty else { return false }
        let prefix = token.range.lowerBound..<max(token.range.lowerBound, content.lowerBound - 1)
        let formatted = prefix.contains { text[$0] == 0x66 || text[$0] == 0x46 || text[$0] == ASCII.dollar }
        if formatted, text.firstIndex(of: ASCII.openBrace, in: content) != nil { return true }
        guard token.quote == ASCII.quote || token.quote == ASCII.backtick else { return false }
        var index = content.lowerBound
        while index + 1 < content.upperBound {
            let byte = text[index], next = text[index + 1]
            if (byte == ASCII.dollar || byte == ASCII.hash) && next == ASCII.openBrace { return true }
            if byte == ASCII.dollar, language.hashComments, !language.tripleQuotes, ASCII.isLetter(next) || next == ASCII.underscore {
                return true
            }
            index += 1
        }
        return false
    }

    mutating func add(name: String, path: String, token: CodeToken, form: ValueForm, identity: String? = nil,
                      budget: inout ExtractionBudget) {
        let form = form == .literal && isInterpolated(token) ? .expression : form
        let decoder: ValueDecoder = token.escapes.map { .backslashes($0) } ?? (language.basicComments ? .doubled(ASCII.quote) : .plain)
        let decoded = decoder.decode(text, token.content)
        add(name: name, path: path, span: token.content, bytes: decoded.bytes, encoding: decoded.encoding, form: form,
            identity: identity, line: token.line, budget: &budget)
    }

    mutating func add(name: String, path: String, span: Range<Int>, bytes: [UInt8], encoding: ValueEncoding, form: ValueForm,
                      identity: String? = nil, line: Int = 0, budget: inout ExtractionBudget) {
        guard emitted.insert(span).inserted, budget.takeValue() else { return }
        var identity = identity
        // At the top level, a user named a few lines above.
        if identity == nil, groups.count == 1, let last = lastIdentity, line - last.line <= 5, line >= last.line { identity = last.value }
        groups[groups.count - 1].add(NamedValue(name: name, namePath: path, valueSpan: span, value: bytes, encoding: encoding,
                                                identity: identity, format: .sourceCode, form: form))
    }
}

/// The callees of the vocabulary's login calls, by their last name's length and first letter,
/// so an identifier is compared with the few that could be it and no string is made.
struct CallNames: Sendable {
    private var byKey: [Int: [[UInt8]]] = [:]

    init(_ calls: [CredentialCall]) {
        for call in calls {
            let last = call.callee.split(separator: ".").last.map(String.init) ?? call.callee
            let bytes = Array(last.utf8)
            guard let first = bytes.first else { continue }
            byKey[Int(first) << 16 | bytes.count, default: []].append(bytes)
        }
    }

    func mayList(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard let first = text.byte(at: range.lowerBound), let candidates = byKey[Int(ASCII.lower(first)) << 16 | range.count] else {
            return false
        }
        return candidates.contains { candidate in
            var position = range.lowerBound
            for byte in candidate {
                guard ASCII.lower(text[position]) == byte else { return false }
                position += 1
            }
            return true
        }
    }
}
