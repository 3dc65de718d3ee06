// IEC 61131-3 text: declarations with initial values (`sPass : STRING := 'x';`,
// `webPassword { S7_SetPoint := 'True'} : String[24] := '…';`, `modem_pw : STRING [16] := '…';`),
// assignments (`#loginData.password := '…';`), named call arguments (`fb(sPass := '…')`),
// structure initialisers, `ARRAY[0..15] OF BYTE := [16#..]` initial values and Logix L5K tag
// values (`[14,'…$00$00']`), in ST, SCL, AWL, TwinCAT, CODESYS and L5K sources — and the same
// code inside XML exports, which the scanner hands over as the text of an element.
//
// Strings keep their `$` escapes resolved with exact spans. Values that are code (a variable,
// a call, an expression) are reported as expressions, never as values. The trade-off: a token
// reader that knows statements and declarations, not a grammar; nested comments and pragmas
// are skipped, anything unexpected ends the statement.

import CustosCore
import Foundation

public struct IECExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    /// ST, SCL, AWL, L5K, TwinCAT and CODESYS sources; B&R Automation Studio `.var`/`.typ`/`.fun`;
    /// ABB RAPID `.mod`/`.sys` (the same `name := value;` shape).
    static let extensions: Set<String> = ["st", "scl", "db", "awl", "udt", "l5k", "exp", "iecst", "gvl", "pou", "dut", "typ",
                                          "stl", "iec", "prg", "fun", "fb", "il", "ext", "var", "mod", "modx", "sys", "sysx"]
    static let openingKeywords: [StaticString] = ["function_block", "data_block", "organization_block", "program ", "var_global",
                                                  "var\n", "var\r", "type ", "controller ", "ie_ver", "function ", "configuration ",
                                                  "(*", "interface_type", "var_input", "var ", "{ s7_"]

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        if name.hasExtension, extensions.contains(name.ext) {
            // `.db` is also SQLite: text only.
            return !prefix.starts(with: Array("SQLite format".utf8))
        }
        let start = prefix.skipWhitespace(from: 0)
        return openingKeywords.contains { prefix.matches($0, at: start) }
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        var reader = IECReader(text: text, lens: lens)
        reader.run(budget: &budget, emit: emit)
    }
}

struct IECToken {
    enum Kind: Equatable { case identifier, number, string, punct }
    var kind: Kind
    var range: Range<Int>
    /// For strings: the content between the quotes.
    var content: Range<Int> = 0..<0
    var quote: UInt8 = 0
}

struct IECLexer {
    let text: UnsafeRawBufferPointer
    var index: Int

    init(text: UnsafeRawBufferPointer, start: Int = 0) {
        self.text = text
        index = start
    }

    /// The next token, comments and pragmas skipped; nil at the end.
    mutating func next() -> IECToken? {
        while index < text.count {
            let byte = text[index]
            if ASCII.isWhitespace(byte) { index += 1; continue }
            if byte == ASCII.openParen && text.byte(at: index + 1) == ASCII.star {
                index = closing("*)", from: index + 2)
                continue
            }
            if byte == ASCII.slash && text.byte(at: index + 1) == ASCII.star {
                index = closing("*/", from: index + 2)
                continue
            }
            if byte == ASCII.slash && text.byte(at: index + 1) == ASCII.slash {
                index = text.lineEnd(from: index)
                continue
            }
            if byte == ASCII.openBrace {
                // Pragmas and attributes: `{ S7_Optimized_Access := 'TRUE' }`, `{attribute 'x'}`.
                index = (text.firstIndex(of: ASCII.closeBrace, in: index..<min(text.count, index + 4096)) ?? index) + 1
                continue
            }
            break
        }
        guard index < text.count else { return nil }
        let start = index
        let byte = text[index]
        if byte == ASCII.apostrophe || byte == ASCII.quote {
            var cursor = index + 1
            while cursor < text.count && text[cursor] != byte && text[cursor] != ASCII.newline {
                if text[cursor] == ASCII.dollar { cursor += 1 }
                cursor += 1
            }
            let end = min(cursor, text.count)
            index = min(end + 1, text.count)
            return IECToken(kind: .string, range: start..<index, content: (start + 1)..<end, quote: byte)
        }
        if ASCII.isLetter(byte) || byte == ASCII.underscore || byte >= 0x80 {
            while index < text.count && ASCII.isNameByte(text[index]) { index += 1 }
            return IECToken(kind: .identifier, range: start..<index)
        }
        if ASCII.isDigit(byte) {
            while index < text.count && (ASCII.isAlphanumeric(text[index]) || text[index] == ASCII.underscore || text[index] == ASCII.dot
                                         || (text[index] == ASCII.hash && index + 1 < text.count && ASCII.isAlphanumeric(text[index + 1]))) {
                // `1..15` is a range, not a number.
                if text[index] == ASCII.dot && text.byte(at: index + 1) == ASCII.dot { break }
                index += 1
            }
            return IECToken(kind: .number, range: start..<index)
        }
        if byte == ASCII.colon && text.byte(at: index + 1) == ASCII.equals {
            index += 2
            return IECToken(kind: .punct, range: start..<index)
        }
        if byte == ASCII.equals && text.byte(at: index + 1) == ASCII.greater {
            index += 2
            return IECToken(kind: .punct, range: start..<index)
        }
        if byte == ASCII.dot && text.byte(at: index + 1) == ASCII.dot {
            index += 2
            return IECToken(kind: .punct, range: start..<index)
        }
        index += 1
        return IECToken(kind: .punct, range: start..<index)
    }

    func closing(_ literal: StaticString, from start: Int) -> Int {
        var cursor = start
        let first = literal.utf8Start[0]
        while cursor < text.count, let hit = text.firstIndex(of: first, in: cursor..<text.count) {
            if text.matchesExactly(literal, at: hit) { return hit + literal.utf8CodeUnitCount }
            cursor = hit + 1
        }
        return text.count
    }
}

private struct IECReader {
    let text: UnsafeRawBufferPointer
    let lens: NameLens
    var unit = ""
    var pairing = IdentityPairing()

    init(text: UnsafeRawBufferPointer, lens: NameLens) {
        self.text = text
        self.lens = lens
    }

    static let blockWords: Set<String> = [
        "var", "var_global", "var_input", "var_output", "var_in_out", "var_temp", "var_stat", "var_external", "var_config",
        "end_var", "struct", "end_struct", "type", "end_type", "begin", "end_data_block", "end_function_block", "end_function",
        "end_program", "end_organization_block", "tag", "end_tag", "datatype", "end_datatype", "routine", "end_routine",
        "end_if", "end_case", "end_for", "end_while", "end_repeat", "then", "else", "elsif", "do",
    ]
    static let unitWords: Set<String> = ["function_block", "function", "program", "data_block", "organization_block", "type",
                                         "controller", "datatype", "interface", "configuration", "resource"]

    /// L5K `DATATYPE` members in data order (hidden `BIT` members take no place), by type name.
    var datatypes: [String: [String]] = [:]

    mutating func readDatatypes() {
        guard text.contains("datatype ", in: 0..<text.count) else { return }
        var lexer = IECLexer(text: text)
        var current: String?
        var statement: [String] = []
        var expectName = false
        while let token = lexer.next(), datatypes.count < 4096 {
            let word = text.string(token.range)
            if token.kind == .identifier && word.uppercased() == "DATATYPE" { expectName = true; continue }
            if expectName { current = word.lowercased(); datatypes[word.lowercased()] = []; expectName = false; statement = []; continue }
            guard let type = current else { continue }
            if token.kind == .identifier && word.uppercased() == "END_DATATYPE" { current = nil; continue }
            if token.kind == .punct && text[token.range.lowerBound] == ASCII.semicolon {
                if statement.count >= 2 && statement[0].uppercased() != "BIT" { datatypes[type, default: []].append(statement[1]) }
                statement = []
                continue
            }
            if token.kind == .identifier && statement.count < 2 { statement.append(word) }
            if token.kind == .punct && text[token.range.lowerBound] == ASCII.openParen {
                // Member attributes `(Description := …)`: skip to the `)`.
                var depth = 1
                while depth > 0, let inner = lexer.next() {
                    if inner.kind == .punct && text[inner.range.lowerBound] == ASCII.openParen { depth += 1 }
                    if inner.kind == .punct && text[inner.range.lowerBound] == ASCII.closeParen { depth -= 1 }
                }
            }
        }
    }

    mutating func run(budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        readDatatypes()
        var lexer = IECLexer(text: text)
        /// Tokens of the current segment at each bracket depth (since `;`, `,` or the bracket).
        var segments: [[IECToken]] = [[]]
        var previousWasUnit = false
        while let token = lexer.next() {
            guard budget.spend(bytes: token.range.count + 1), !budget.isExhausted else { break }
            if token.kind == .identifier {
                let word = text.string(token.range).lowercased()
                if previousWasUnit { unit = text.string(token.range); previousWasUnit = false }
                if Self.unitWords.contains(word) { previousWasUnit = true; pairing.flush(emit) }
                if Self.blockWords.contains(word) {
                    pairing.flush(emit)
                    segments = [[]]
                    continue
                }
            } else if token.kind == .string && previousWasUnit {
                unit = text.string(token.content)
                previousWasUnit = false
            } else if token.kind == .string && token.content.count >= 10 && lens.mayCarry(text, token.content), budget.takeValue() {
                // A string handed to a call (`ADR('/USER=… /PASSWORD=…')`) may carry a login.
                let decoded = ValueDecoder.logix.decode(text, token.content)
                pairing.add(NamedValue(name: "string", namePath: unit.isEmpty ? "string" : "\(unit)/string", valueSpan: token.content,
                                       value: decoded.bytes, encoding: decoded.encoding, format: .iec61131))
            }
            if token.kind == .punct {
                let byte = text[token.range.lowerBound]
                if token.range.count == 2 && byte == ASCII.colon {
                    // `:=`: read the value that follows, then go on after it.
                    let lhs = segments[segments.count - 1]
                    var valueLexer = lexer
                    readAssignment(lhs: lhs, lexer: &valueLexer, budget: &budget)
                    if let end = skipSimpleValue(&valueLexer) { lexer = end }
                    segments[segments.count - 1] = []
                    continue
                }
                if byte == ASCII.openParen || byte == ASCII.openBracket {
                    if segments.count < 32 { segments.append([]) }
                    continue
                }
                if byte == ASCII.closeParen || byte == ASCII.closeBracket {
                    if segments.count > 1 { segments.removeLast() }
                    continue
                }
                if byte == ASCII.semicolon || byte == ASCII.comma {
                    segments[segments.count - 1] = []
                    continue
                }
            }
            if segments[segments.count - 1].count < 64 { segments[segments.count - 1].append(token) }
        }
        pairing.flush(emit)
    }

    /// After `:=` has been read: if the value is a single literal, the lexer positioned after
    /// it, so the `;` or `,` that follows is seen; nil to continue token by token.
    func skipSimpleValue(_ lexer: inout IECLexer) -> IECLexer? {
        var probe = lexer
        guard let first = probe.next() else { return nil }
        if first.kind == .string { return probe }
        return nil
    }

    mutating func readAssignment(lhs: [IECToken], lexer: inout IECLexer, budget: inout ExtractionBudget) {
        guard !lhs.isEmpty else { return }
        // A declaration has a `:` before its type; the name is the identifier before it.
        var nameToken: IECToken?
        var path = ""
        if let colon = lhs.lastIndex(where: { $0.kind == .punct && $0.range.count == 1 && text[$0.range.lowerBound] == ASCII.colon }) {
            nameToken = lhs[..<colon].last { $0.kind == .identifier && text.string($0.range).uppercased() != "AT" }
            if let nameToken { path = text.string(nameToken.range) }
        } else {
            nameToken = lhs.last { $0.kind == .identifier }
            path = lhs.filter { $0.kind == .identifier || ($0.kind == .punct && text[$0.range.lowerBound] == ASCII.dot) }
                .map { text.string($0.range) }.joined()
        }
        guard let nameToken else { return }
        // `Wartung : UDT_Zugang := [[7,'wartung$00…'],[11,'…']]`: members named by the data type.
        if let colon = lhs.lastIndex(where: { $0.kind == .punct && $0.range.count == 1 && text[$0.range.lowerBound] == ASCII.colon }),
           let typeToken = lhs[(colon + 1)...].first(where: { $0.kind == .identifier }),
           let members = datatypes[text.string(typeToken.range).lowercased()], !members.isEmpty {
            var probe = lexer
            if let open = probe.next(), open.kind == .punct, text[open.range.lowerBound] == ASCII.openBracket,
               text.byte(at: text.skipWhitespace(from: open.range.upperBound)) == ASCII.openBracket {
                readStructure(from: open.range.lowerBound, members: members, owner: text.string(nameToken.range), budget: &budget)
                return
            }
        }
        let wanted = lens.mayMatter(text, nameToken.range)
        let identity = !wanted && lens.isIdentity(text, nameToken.range)
        guard wanted || identity else { return }
        guard let value = readValue(&lexer) else { return }
        if identity {
            if value.form == .literal { pairing.noteIdentity(String(decoding: value.bytes, as: UTF8.self)) }
            return
        }
        guard budget.takeValue() else { return }
        let name = text.string(nameToken.range)
        pairing.add(NamedValue(name: name, namePath: unit.isEmpty ? path : "\(unit)/\(path)", valueSpan: value.span,
                               value: value.bytes, encoding: value.encoding, format: .iec61131, form: value.form))
    }

    /// The elements of an L5K structure initialiser, each named by its member.
    mutating func readStructure(from open: Int, members: [String], owner: String, budget: inout ExtractionBudget) {
        var depth = 0
        var quote = false
        var elementStart = open + 1
        var element = 0
        var index = open
        var elements: [Range<Int>] = []
        while index < text.count && index - open < 1 << 20 {
            let byte = text[index]
            if quote {
                if byte == ASCII.dollar { index += 1 } else if byte == ASCII.apostrophe { quote = false }
            } else if byte == ASCII.apostrophe {
                quote = true
            } else if byte == ASCII.openBracket {
                depth += 1
            } else if byte == ASCII.closeBracket {
                depth -= 1
                if depth == 0 { elements.append(elementStart..<index); break }
            } else if byte == ASCII.comma && depth == 1 {
                elements.append(elementStart..<index)
                elementStart = index + 1
            }
            index += 1
        }
        var identity: String?
        var found: [(String, Range<Int>, PLCLiteral.Unwrapped)] = []
        for range in elements {
            defer { element += 1 }
            guard element < members.count else { break }
            let trimmed = text.trimmed(range)
            let decoded = ValueDecoder.plain.decode(text, trimmed, recordingOffsets: true)
            guard let literal = PLCLiteral.unwrap(decoded.bytes, escapes: true), literal.encoding != .byteArray else { continue }
            let member = members[element]
            if lens.isIdentity(member) { identity = String(decoding: literal.bytes, as: UTF8.self) }
            if lens.mayMatter(member) { found.append((member, decoded.sourceRange(of: literal.range, within: trimmed), literal)) }
        }
        for (member, span, literal) in found where budget.takeValue() {
            pairing.add(NamedValue(name: member, namePath: "\(unit.isEmpty ? "" : unit + "/")\(owner).\(member)", valueSpan: span,
                                   value: literal.bytes, encoding: literal.encoding, identity: identity, format: .iec61131))
        }
    }

    struct Value {
        var span: Range<Int>
        var bytes: [UInt8]
        var encoding: ValueEncoding
        var form: ValueForm
    }

    /// The value after `:=`: a string (with an optional `STRING#`/`WSTRING#` type), an L5K
    /// string `[n,'…']`, a byte array `[16#dd, …]`, or an expression.
    func readValue(_ lexer: inout IECLexer) -> Value? {
        guard var token = lexer.next() else { return nil }
        // `STRING#'…'`, `WSTRING#"…"`.
        if token.kind == .identifier, ["string", "wstring"].contains(text.string(token.range).lowercased()) {
            var probe = lexer
            if let hash = probe.next(), hash.kind == .punct, text[hash.range.lowerBound] == ASCII.hash, let string = probe.next(),
               string.kind == .string {
                lexer = probe
                token = string
            }
        }
        if token.kind == .string {
            let decoded = ValueDecoder.logix.decode(text, token.content)
            return Value(span: token.content, bytes: decoded.bytes, encoding: decoded.encoding, form: .literal)
        }
        if token.kind == .punct && text[token.range.lowerBound] == ASCII.openBracket {
            let end = text.firstIndex(of: ASCII.closeBracket, in: token.range.lowerBound..<min(text.count, token.range.lowerBound + 64 * 1024))
            guard let end else { return nil }
            let decoded = ValueDecoder.plain.decode(text, token.range.lowerBound..<(end + 1), recordingOffsets: true)
            guard let literal = PLCLiteral.unwrap(decoded.bytes, escapes: true) else { return nil }
            let span = decoded.sourceRange(of: literal.range, within: token.range.lowerBound..<(end + 1))
            return Value(span: literal.range.isEmpty ? span.lowerBound..<span.lowerBound : span, bytes: literal.bytes,
                         encoding: literal.encoding, form: .literal)
        }
        if token.kind == .number { return nil }
        // Code: a variable, a call, an expression.
        var end = token.range.upperBound
        var probe = lexer
        while let next = probe.next() {
            if next.kind == .punct, [ASCII.semicolon, ASCII.comma, ASCII.closeParen].contains(text[next.range.lowerBound]) { break }
            end = next.range.upperBound
            if end - token.range.lowerBound > 256 { break }
        }
        let span = token.range.lowerBound..<end
        return Value(span: span, bytes: text.bytes(span), encoding: .plain, form: .expression)
    }
}

/// PLC string and byte-array literals as they appear in values of PLC exports.
enum PLCLiteral {
    struct Unwrapped {
        var bytes: [UInt8]
        /// The literal's content within the decoded value.
        var range: Range<Int>
        var encoding: ValueEncoding

        func emptySource(in decoded: DecodedValue, span: Range<Int>) -> Range<Int> {
            guard let offsets = decoded.offsets, range.lowerBound < offsets.count else { return span.lowerBound..<span.lowerBound }
            let position = offsets[range.lowerBound]
            return position..<position
        }
    }

    /// `'…'`, `STRING#'…'`, `WSTRING#"…"`, L5K `[14,'…$00']`, `[16#dd,16#df,…]`; nil for
    /// anything else (a plain value stays as it is).
    static func unwrap(_ value: [UInt8], escapes: Bool) -> Unwrapped? {
        var start = 0
        var end = value.count
        while start < end && ASCII.isWhitespace(value[start]) { start += 1 }
        while end > start && ASCII.isWhitespace(value[end - 1]) { end -= 1 }
        guard end - start >= 2 else { return nil }
        // Typed literals.
        for prefix: StaticString in ["wstring#", "string#"] {
            let length = prefix.utf8CodeUnitCount
            if end - start > length && Array(value[start..<(start + length)]).hasPrefix(ignoringCase: prefix) {
                start += length
                break
            }
        }
        let first = value[start]
        if (first == ASCII.apostrophe || (first == ASCII.quote && escapes)) && value[end - 1] == first && end - start >= 2 {
            return quoted(value, (start + 1)..<(end - 1), escapes: escapes, limit: nil)
        }
        guard first == ASCII.openBracket, value[end - 1] == ASCII.closeBracket else { return nil }
        let inner = (start + 1)..<(end - 1)
        // L5K string: `[14,'…']`.
        if let comma = value[inner].firstIndex(of: ASCII.comma), value[inner.lowerBound..<comma].allSatisfy(ASCII.isDigit),
           comma > inner.lowerBound, comma + 1 < inner.upperBound, value[comma + 1] == ASCII.apostrophe,
           value[inner.upperBound - 1] == ASCII.apostrophe {
            let length = Int(String(decoding: value[inner.lowerBound..<comma], as: UTF8.self)) ?? 0
            return quoted(value, (comma + 2)..<(inner.upperBound - 1), escapes: true, limit: length)
        }
        return byteArray(value, inner)
    }

    private static func quoted(_ value: [UInt8], _ content: Range<Int>, escapes: Bool, limit: Int?) -> Unwrapped {
        guard escapes else {
            return Unwrapped(bytes: Array(value[content]), range: content, encoding: .plain)
        }
        let decoded = value.withUnsafeBytes { bytes in ValueDecoder.logix.decode(bytes, content, recordingOffsets: true) }
        var bytes = decoded.bytes
        var range = content
        if let limit, limit < bytes.count, limit >= 0 {
            bytes = Array(bytes.prefix(limit))
            let end = limit < (decoded.offsets?.count ?? 0) ? decoded.offsets![limit] : content.upperBound
            range = content.lowerBound..<end
        } else if limit != nil {
            // Padding NULs past the length.
            while bytes.last == 0 { bytes.removeLast() }
        }
        return Unwrapped(bytes: bytes, range: range, encoding: decoded.encoding == .plain ? .plain : .logixEscapes)
    }

    /// `16#dd, 16#df` or `221, 223` (IEC `n(v)` repetitions too): four bytes or more.
    private static func byteArray(_ value: [UInt8], _ inner: Range<Int>) -> Unwrapped? {
        var bytes: [UInt8] = []
        var index = inner.lowerBound
        while index < inner.upperBound && bytes.count <= 4096 {
            while index < inner.upperBound && (ASCII.isWhitespace(value[index]) || value[index] == ASCII.comma) { index += 1 }
            guard index < inner.upperBound else { break }
            let start = index
            while index < inner.upperBound && value[index] != ASCII.comma && value[index] != ASCII.openParen && !ASCII.isWhitespace(value[index]) {
                index += 1
            }
            guard var number = parseNumber(value[start..<index]) else { return nil }
            var repeatCount = 1
            if index < inner.upperBound && value[index] == ASCII.openParen {
                // `16(16#00)`: sixteen times 16#00.
                repeatCount = number
                let close = value[index..<inner.upperBound].firstIndex(of: ASCII.closeParen) ?? inner.upperBound
                guard let repeated = parseNumber(value[(index + 1)..<close]) else { return nil }
                number = repeated
                index = min(close + 1, inner.upperBound)
            }
            guard number >= 0 && number <= 255, repeatCount >= 0 && repeatCount <= 4096 else { return nil }
            bytes.append(contentsOf: repeatElement(UInt8(number), count: repeatCount))
        }
        guard bytes.count >= 4 else { return nil }
        return Unwrapped(bytes: bytes, range: inner, encoding: .byteArray)
    }

    /// `16#dd`, `0xdd`, `221`, `2#1010`, `8#17`.
    static func parseNumber(_ slice: ArraySlice<UInt8>) -> Int? {
        let text = String(decoding: slice, as: UTF8.self).replacingOccurrences(of: "_", with: "")
        guard !text.isEmpty, text.utf8.count <= 24 else { return nil }
        if let hash = text.firstIndex(of: "#") {
            let base = Int(text[..<hash]) ?? 0
            guard [2, 8, 16].contains(base) else { return nil }
            return Int(text[text.index(after: hash)...], radix: base)
        }
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return Int(text.dropFirst(2), radix: 16) }
        return Int(text)
    }
}
