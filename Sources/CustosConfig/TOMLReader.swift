// A small, strict TOML 1.0 reader for what peer tools' configuration files use (gitleaks's
// `.gitleaks.toml`): tables, arrays of tables, dotted keys and table names, basic, literal and
// multi-line strings with escapes, arrays spanning lines, inline tables, integers, floats,
// booleans and comments. Dates and times are refused with a message (no gitleaks key takes
// one). It owns syntax only; what the keys mean is the importer's business.
//
// Trade-off: no TOML package builds from the package mirror, and a full TOML implementation
// is far more than an importer needs; a strict subset with line-numbered errors is small
// enough to review. Bad input never traps: every loop advances through the bytes or throws,
// and nesting is capped, so a hostile file costs at most its length.

public import CustosYAML

/// A TOML value and the line it starts on (1-based), for messages.
public struct TOMLValue: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    public var kind: Kind
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    public var string: String? {
        if case let .string(text) = kind { return text }
        return nil
    }

    public var table: TOMLTable? {
        if case let .table(table) = kind { return table }
        return nil
    }

    public var array: [TOMLValue]? {
        if case let .array(items) = kind { return items }
        return nil
    }

    /// What kind of value this is, as messages name it.
    public var typeName: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table: keys in the order the file defines them.
public struct TOMLTable: Sendable, Hashable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    /// The line of the table's header (or of its first key), for messages.
    public var line: Int

    public init(line: Int) {
        self.line = line
    }

    public subscript(key: String) -> TOMLValue? { values[key] }

    mutating func set(_ key: String, _ value: TOMLValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }
}

/// Parses TOML text; errors are `LocatedError`s naming `source:line`.
public enum TOMLReader {
    /// Arrays and inline tables nested deeper than this are refused (no config needs more,
    /// and recursion must stay bounded).
    public static let maximumNesting = 64

    public static func parse(_ text: String, source: String) throws(LocatedError) -> TOMLTable {
        var parser = TOMLParser(bytes: Array(text.utf8), source: source)
        return try parser.document()
    }
}

/// How a table came to exist, which decides what may still be added to it (TOML 1.0 §Table).
private enum TableOrigin {
    /// Named as a prefix of a header or array-of-tables name: may still get its own header.
    case implicit
    /// Defined by its own `[header]`.
    case header
    /// Created by a dotted key (`a.b = 1`).
    case dotted
    /// An inline table `{ … }` or an element of a static array: closed for good.
    case inline
}

/// The mutable tree under construction; frozen into `TOMLTable` values at the end.
private final class TableNode {
    var origin: TableOrigin
    let line: Int
    var order: [String] = []
    var entries: [String: Entry] = [:]

    init(origin: TableOrigin, line: Int) {
        self.origin = origin
        self.line = line
    }

    enum Entry {
        case value(TOMLValue)
        case table(TableNode)
        case tables([TableNode], line: Int)
    }

    func set(_ key: String, _ entry: Entry) {
        if entries.updateValue(entry, forKey: key) == nil { order.append(key) }
    }

    /// Frozen into values. Depth is bounded by the number of header and key segments read.
    func freeze() -> TOMLTable {
        var table = TOMLTable(line: line)
        for key in order {
            guard let entry = entries[key] else { continue }
            switch entry {
            case let .value(value):
                table.set(key, value)
            case let .table(node):
                table.set(key, TOMLValue(.table(node.freeze()), line: node.line))
            case let .tables(nodes, line):
                table.set(key, TOMLValue(.array(nodes.map { TOMLValue(.table($0.freeze()), line: $0.line) }), line: line))
            }
        }
        return table
    }
}

private struct TOMLParser {
    let bytes: [UInt8]
    let source: String
    var index = 0
    var line = 1

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    // MARK: Document

    mutating func document() throws(LocatedError) -> TOMLTable {
        let root = TableNode(origin: .header, line: 1)
        var current = root
        while index < bytes.count {
            skipBlanks()
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "#") || isNewlineStart() {
                try endOfLine()
                continue
            }
            if byte == UInt8(ascii: "[") {
                current = try header(root: root)
            } else {
                try keyValue(into: current)
            }
            try endOfLine()
        }
        return root.freeze()
    }

    /// `[a.b]` or `[[a.b]]`: the table that following keys go into.
    mutating func header(root: TableNode) throws(LocatedError) -> TableNode {
        let headerLine = line
        index += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { index += 1 }
        skipBlanks()
        let path = try dottedKey()
        skipBlanks()
        guard peek() == UInt8(ascii: "]") else { throw error("expected ']' to close the table name") }
        index += 1
        if isArray {
            guard peek() == UInt8(ascii: "]") else { throw error("expected ']]' to close the array-of-tables name") }
            index += 1
        }
        let name = path.joined(separator: ".")
        var table = root
        for segment in path.dropLast() {
            table = try descend(table, into: segment, creating: .implicit, name: name)
        }
        guard let last = path.last else { throw error("a table needs a name") }
        let existing = table.entries[last]
        if isArray {
            switch existing {
            case nil:
                let node = TableNode(origin: .header, line: headerLine)
                table.set(last, .tables([node], line: headerLine))
                return node
            case let .tables(nodes, arrayLine):
                let node = TableNode(origin: .header, line: headerLine)
                table.set(last, .tables(nodes + [node], line: arrayLine))
                return node
            case .table, .value:
                throw error("[[\(name)]] names something already defined as a table or value", line: headerLine)
            }
        }
        switch existing {
        case nil:
            let node = TableNode(origin: .header, line: headerLine)
            table.set(last, .table(node))
            return node
        case let .table(node) where node.origin == .implicit:
            node.origin = .header
            return node
        case let .table(node):
            throw error("table [\(name)] is already defined (line \(node.line))", line: headerLine)
        case .tables, .value:
            throw error("[\(name)] names something already defined as an array or value", line: headerLine)
        }
    }

    /// The table under `key` in `table` (the last element of an array of tables), created
    /// when missing.
    mutating func descend(_ table: TableNode, into key: String, creating origin: TableOrigin,
                          name: String) throws(LocatedError) -> TableNode {
        switch table.entries[key] {
        case nil:
            let node = TableNode(origin: origin, line: line)
            table.set(key, .table(node))
            return node
        case let .table(node):
            if node.origin == .inline { throw error("'\(name)': '\(key)' is an inline table, which cannot be extended") }
            if origin == .dotted && node.origin != .dotted {
                throw error("'\(name)': '\(key)' is a table defined elsewhere; dotted keys cannot add to it")
            }
            return node
        case let .tables(nodes, _):
            guard origin == .implicit, let last = nodes.last else {
                throw error("'\(name)': '\(key)' is an array of tables")
            }
            return last
        case let .value(value):
            throw error("'\(name)': '\(key)' is already \(value.typeName) (line \(value.line)), not a table")
        }
    }

    /// `key = value`, `a.b.c = value`.
    mutating func keyValue(into table: TableNode) throws(LocatedError) {
        let keyLine = line
        let path = try dottedKey()
        skipBlanks()
        guard peek() == UInt8(ascii: "=") else {
            throw error("expected '=' after the key '\(path.joined(separator: "."))'")
        }
        index += 1
        skipBlanks()
        let value = try self.value(depth: 0)
        let name = path.joined(separator: ".")
        var target = table
        for segment in path.dropLast() {
            target = try descend(target, into: segment, creating: .dotted, name: name)
        }
        guard let last = path.last else { throw error("expected a key") }
        if target.entries[last] != nil {
            throw error("the key '\(name)' is defined twice", line: keyLine)
        }
        if case let .table(inline) = value.kind {
            target.set(last, .table(Self.node(from: inline)))
        } else {
            target.set(last, .value(value))
        }
    }

    /// An inline table as a closed node, so nothing can be added to it later.
    static func node(from table: TOMLTable) -> TableNode {
        let node = TableNode(origin: .inline, line: table.line)
        for key in table.keys {
            if let value = table[key] { node.set(key, .value(value)) }
        }
        return node
    }

    // MARK: Keys

    mutating func dottedKey() throws(LocatedError) -> [String] {
        var parts = [try simpleKey()]
        while true {
            let save = index
            skipBlanks()
            guard peek() == UInt8(ascii: ".") else {
                index = save
                return parts
            }
            index += 1
            skipBlanks()
            parts.append(try simpleKey())
            guard parts.count <= 256 else { throw error("a key has more than 256 parts") }
        }
    }

    mutating func simpleKey() throws(LocatedError) -> String {
        guard let byte = peek() else { throw error("expected a key, found the end of the file") }
        if byte == UInt8(ascii: "\"") {
            index += 1
            return try basicString()
        }
        if byte == UInt8(ascii: "'") {
            index += 1
            return try literalString()
        }
        let start = index
        while let byte = peek(), Self.isBareKeyByte(byte) { index += 1 }
        guard index > start else { throw error("expected a key, found \(describe(byte))") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }

    // MARK: Values

    mutating func value(depth: Int) throws(LocatedError) -> TOMLValue {
        guard depth < TOMLReader.maximumNesting else {
            throw error("arrays and inline tables nest more than \(TOMLReader.maximumNesting) deep")
        }
        let valueLine = line
        guard let byte = peek() else { throw error("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if startsWith("\"\"\"") {
                index += 3
                return TOMLValue(.string(try multilineBasicString()), line: valueLine)
            }
            index += 1
            return TOMLValue(.string(try basicString()), line: valueLine)
        case UInt8(ascii: "'"):
            if startsWith("'''") {
                index += 3
                return TOMLValue(.string(try multilineLiteralString()), line: valueLine)
            }
            index += 1
            return TOMLValue(.string(try literalString()), line: valueLine)
        case UInt8(ascii: "["):
            index += 1
            return TOMLValue(.array(try array(depth: depth)), line: valueLine)
        case UInt8(ascii: "{"):
            index += 1
            return TOMLValue(.table(try inlineTable(depth: depth, line: valueLine)), line: valueLine)
        default:
            return TOMLValue(try scalar(), line: valueLine)
        }
    }

    mutating func array(depth: Int) throws(LocatedError) -> [TOMLValue] {
        var items: [TOMLValue] = []
        while true {
            try skipBlanksCommentsAndNewlines()
            guard let byte = peek() else { throw error("the array is not closed with ']'") }
            if byte == UInt8(ascii: "]") {
                index += 1
                return items
            }
            items.append(try value(depth: depth + 1))
            try skipBlanksCommentsAndNewlines()
            guard let next = peek() else { throw error("the array is not closed with ']'") }
            if next == UInt8(ascii: ",") {
                index += 1
            } else if next != UInt8(ascii: "]") {
                throw error("expected ',' or ']' in the array, found \(describe(next))")
            }
        }
    }

    mutating func inlineTable(depth: Int, line tableLine: Int) throws(LocatedError) -> TOMLTable {
        let node = TableNode(origin: .inline, line: tableLine)
        skipBlanks()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return node.freeze()
        }
        while true {
            skipBlanks()
            let keyLine = line
            let path = try dottedKey()
            skipBlanks()
            guard peek() == UInt8(ascii: "=") else { throw error("expected '=' in the inline table") }
            index += 1
            skipBlanks()
            let value = try self.value(depth: depth + 1)
            var target = node
            let name = path.joined(separator: ".")
            for segment in path.dropLast() {
                switch target.entries[segment] {
                case nil:
                    let child = TableNode(origin: .dotted, line: keyLine)
                    target.set(segment, .table(child))
                    target = child
                case let .table(child) where child.origin == .dotted:
                    target = child
                default:
                    throw error("'\(name)': '\(segment)' is already defined in this inline table", line: keyLine)
                }
            }
            guard let last = path.last else { throw error("expected a key") }
            guard target.entries[last] == nil else {
                throw error("the key '\(name)' is defined twice in the inline table", line: keyLine)
            }
            if case let .table(inner) = value.kind {
                target.set(last, .table(Self.node(from: inner)))
            } else {
                target.set(last, .value(value))
            }
            skipBlanks()
            guard let next = peek() else { throw error("the inline table is not closed with '}'") }
            if next == UInt8(ascii: "}") {
                index += 1
                return node.freeze()
            }
            guard next == UInt8(ascii: ",") else {
                throw error("expected ',' or '}' in the inline table (inline tables stay on one line), found \(describe(next))")
            }
            index += 1
        }
    }

    /// Booleans, integers and floats.
    mutating func scalar() throws(LocatedError) -> TOMLValue.Kind {
        let start = index
        while let byte = peek(), Self.isScalarByte(byte) { index += 1 }
        guard index > start else {
            throw error("expected a value (a string, number, boolean, array or table), found \(describe(bytes[start]))")
        }
        let token = String(decoding: bytes[start..<index], as: UTF8.self)
        switch token {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if token.contains(":") || Self.looksLikeDate(token) {
            throw error("dates and times are not supported here ('\(token)')")
        }
        if let integer = try Self.integer(token) { return .integer(integer) }
        if let float = try Self.float(token) { return .float(float) }
        throw error("'\(token)' is not a value: strings need quotes; numbers look like 42, 0x2a, 1.5 or 1e3")
    }

    static func isScalarByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    static func isDigit(_ character: Character) -> Bool {
        ("0"..."9").contains(character)
    }

    static func looksLikeDate(_ token: String) -> Bool {
        let utf8 = Array(token.utf8)
        return utf8.count >= 10 && utf8[4] == UInt8(ascii: "-") && utf8[0..<4].allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Digits with single underscores between them, as TOML allows.
    static func digits(_ text: Substring, valid: (Character) -> Bool) -> String? {
        guard let first = text.first, let last = text.last, first != "_", last != "_", !text.contains("__") else { return nil }
        let stripped = text.filter { $0 != "_" }
        guard !stripped.isEmpty, stripped.allSatisfy(valid) else { return nil }
        return stripped
    }

    static func integer(_ token: String) throws(LocatedError) -> Int64? {
        var body = Substring(token)
        let radixes: [(String, Int, (Character) -> Bool)] = [
            ("0x", 16, \.isHexDigit), ("0o", 8, { ("0"..."7").contains($0) }), ("0b", 2, { $0 == "0" || $0 == "1" }),
        ]
        for (prefix, radix, valid) in radixes where body.hasPrefix(prefix) {
            guard let digits = digits(body.dropFirst(2), valid: valid) else { return nil }
            return Int64(digits, radix: radix)
        }
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        guard let digits = digits(body, valid: isDigit) else { return nil }
        if digits.count > 1 && digits.hasPrefix("0") { return nil }
        return Int64(sign + digits)
    }

    static func float(_ token: String) throws(LocatedError) -> Double? {
        var body = Substring(token)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        // Integer part, optional fraction, optional exponent; each part digits with underscores.
        let lower = body.lowercased()
        let exponentSplit = lower.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
        let mantissa = exponentSplit[0]
        let fractionSplit = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integerPart = digits(fractionSplit[0], valid: isDigit) else { return nil }
        if integerPart.count > 1 && integerPart.hasPrefix("0") { return nil }
        var text = sign + integerPart
        if fractionSplit.count == 2 {
            guard let fraction = digits(fractionSplit[1], valid: isDigit) else { return nil }
            text += "." + fraction
        }
        if exponentSplit.count == 2 {
            var exponent = exponentSplit[1]
            var exponentSign = ""
            if let first = exponent.first, first == "+" || first == "-" {
                exponentSign = String(first)
                exponent = exponent.dropFirst()
            }
            guard let digits = digits(exponent, valid: isDigit) else { return nil }
            text += "e" + exponentSign + digits
        }
        guard fractionSplit.count == 2 || exponentSplit.count == 2 else { return nil }
        return Double(text)
    }

    // MARK: Strings

    /// After the opening `"`, up to and including the closing one.
    mutating func basicString() throws(LocatedError) -> String {
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("the string is not closed with '\"'") }
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("the string is not closed on its line (use \"\"\" for strings spanning lines)")
            }
            if byte == UInt8(ascii: "\\") {
                index += 1
                try escape(into: &out)
                continue
            }
            try rejectControl(byte)
            out.append(byte)
            index += 1
        }
    }

    /// After the opening `"""`, up to and including the closing quotes.
    mutating func multilineBasicString() throws(LocatedError) -> String {
        skipOneNewline()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("the string is not closed with '\"\"\"'") }
            if byte == UInt8(ascii: "\"") && startsWith("\"\"\"") {
                try closeMultiline(quote: byte, into: &out)
                return String(decoding: out, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                index += 1
                if try skipLineEndingBackslash() { continue }
                try escape(into: &out)
                continue
            }
            if isNewlineStart() {
                consumeNewline()
                out.append(UInt8(ascii: "\n"))
                continue
            }
            try rejectControl(byte)
            out.append(byte)
            index += 1
        }
    }

    /// After the opening `'`, up to and including the closing one.
    mutating func literalString() throws(LocatedError) -> String {
        let start = index
        while true {
            guard let byte = peek() else { throw error("the string is not closed with \"'\"") }
            if byte == UInt8(ascii: "'") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("the string is not closed on its line (use ''' for strings spanning lines)")
            }
            try rejectControl(byte)
            index += 1
        }
    }

    /// After the opening `'''`, up to and including the closing quotes.
    mutating func multilineLiteralString() throws(LocatedError) -> String {
        skipOneNewline()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("the string is not closed with \"'''\"") }
            if byte == UInt8(ascii: "'") && startsWith("'''") {
                try closeMultiline(quote: byte, into: &out)
                return String(decoding: out, as: UTF8.self)
            }
            if isNewlineStart() {
                consumeNewline()
                out.append(UInt8(ascii: "\n"))
                continue
            }
            try rejectControl(byte)
            out.append(byte)
            index += 1
        }
    }

    /// At three or more quotes: up to two extra quotes belong to the content (`""""` ends with
    /// one quote in the string).
    mutating func closeMultiline(quote: UInt8, into out: inout [UInt8]) throws(LocatedError) {
        var run = 0
        while peek() == quote {
            run += 1
            index += 1
        }
        guard run <= 5 else { throw error("too many quotes in a row to close the string") }
        out.append(contentsOf: repeatElement(quote, count: run - 3))
    }

    /// A backslash at the end of a line in a `"""` string joins the next non-blank text.
    mutating func skipLineEndingBackslash() throws(LocatedError) -> Bool {
        var probe = index
        while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") { probe += 1 }
        guard probe < bytes.count, bytes[probe] == UInt8(ascii: "\n") || bytes[probe] == UInt8(ascii: "\r") else { return false }
        index = probe
        while let byte = peek() {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                index += 1
            } else if isNewlineStart() {
                consumeNewline()
            } else if byte == UInt8(ascii: "\r") {
                throw error("a carriage return must be followed by a line feed")
            } else {
                break
            }
        }
        return true
    }

    /// After a backslash in a basic string.
    mutating func escape(into out: inout [UInt8]) throws(LocatedError) {
        guard let byte = peek() else { throw error("the string ends in the middle of an escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                  bytes[index..<index + count].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
                  let value = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(value) else {
                throw error("\\\(Character(Unicode.Scalar(byte))) needs \(count) hex digits naming a Unicode scalar value")
            }
            index += count
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw error("unknown escape \\\(describe(byte)) in a basic string (in a regex, use a literal string '…' or '''…''' instead)")
        }
    }

    mutating func rejectControl(_ byte: UInt8) throws(LocatedError) {
        if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw error("control character 0x\(String(byte, radix: 16)) in a string (write it as an escape)")
        }
    }

    // MARK: Whitespace, comments, lines

    func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    func startsWith(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    mutating func skipBlanks() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    func isNewlineStart() -> Bool {
        guard let byte = peek() else { return false }
        if byte == UInt8(ascii: "\n") { return true }
        return byte == UInt8(ascii: "\r") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")
    }

    mutating func consumeNewline() {
        if peek() == UInt8(ascii: "\r") { index += 1 }
        index += 1
        line += 1
    }

    mutating func skipOneNewline() {
        if isNewlineStart() { consumeNewline() }
    }

    mutating func skipComment() throws(LocatedError) {
        guard peek() == UInt8(ascii: "#") else { return }
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r") && isNewlineStart() { break }
            if byte < 0x20 && byte != 0x09 || byte == 0x7F {
                throw error("control character 0x\(String(byte, radix: 16)) in a comment")
            }
            index += 1
        }
    }

    /// After a key/value pair or header: blanks, an optional comment, then a newline or the end.
    mutating func endOfLine() throws(LocatedError) {
        skipBlanks()
        try skipComment()
        guard let byte = peek() else { return }
        guard isNewlineStart() else {
            throw error("expected the end of the line, found \(describe(byte))")
        }
        consumeNewline()
    }

    mutating func skipBlanksCommentsAndNewlines() throws(LocatedError) {
        while true {
            skipBlanks()
            try skipComment()
            guard isNewlineStart() else { return }
            consumeNewline()
        }
    }

    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    func error(_ message: String, line: Int? = nil) -> LocatedError {
        LocatedError(location: "\(source):\(line ?? self.line)", message: message)
    }
}
