// CustosReport: turns a ScanResult into text for people (text), for programs (json, jsonl)
// and for code-scanning platforms (SARIF 2.1.0). Reporters never re-read files and never
// print a whole secret unless asked. Output is written by hand through JSONWriter rather than
// a generic encoder, so key order, spacing and escaping are byte-stable from run to run.

/// A minimal streaming JSON writer with fixed key order and two-space indentation (or none).
/// Writes UTF-8 bytes, so large reports cost one append per byte at most.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private let pretty: Bool
    private var depth = 0
    /// Whether the current container already holds an element (one entry per open level).
    private var hasElement: [Bool] = []

    init(pretty: Bool) {
        self.pretty = pretty
        bytes.reserveCapacity(4096)
    }

    /// A writer for one value that another writer splices in with `element(raw:)` at nesting
    /// `depth`, so a document can be assembled from parts rendered once (SARIF runs).
    init(pretty: Bool, fragmentDepth depth: Int) {
        self.init(pretty: pretty)
        self.depth = depth
    }

    var output: String { String(decoding: bytes, as: UTF8.self) }

    mutating func beginObject(key: String? = nil) { open(UInt8(ascii: "{"), key: key) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray(key: String? = nil) { open(UInt8(ascii: "["), key: key) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    mutating func field(_ key: String, _ value: String?) {
        prefix(key: key)
        if let value { appendString(value) } else { append("null") }
    }

    mutating func field(_ key: String, _ value: Int) {
        prefix(key: key)
        append(String(value))
    }

    mutating func field(_ key: String, _ value: Bool) {
        prefix(key: key)
        append(value ? "true" : "false")
    }

    mutating func field(_ key: String, strings: [String]) {
        beginArray(key: key)
        for value in strings { element(value) }
        endArray()
    }

    mutating func field(_ key: String, ints: [Int]) {
        beginArray(key: key)
        for value in ints {
            prefix(key: nil)
            append(String(value))
        }
        endArray()
    }

    mutating func element(_ value: String) {
        prefix(key: nil)
        appendString(value)
    }

    /// Appends a value another writer rendered (at this writer's depth) as the next element.
    mutating func element(raw fragment: [UInt8]) {
        prefix(key: nil)
        bytes.append(contentsOf: fragment)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func open(_ bracket: UInt8, key: String?) {
        prefix(key: key)
        bytes.append(bracket)
        depth += 1
        hasElement.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        let hadElements = hasElement.removeLast()
        if pretty && hadElements { newline() }
        bytes.append(bracket)
    }

    private mutating func prefix(key: String?) {
        if !hasElement.isEmpty {
            if hasElement[hasElement.count - 1] { bytes.append(UInt8(ascii: ",")) }
            hasElement[hasElement.count - 1] = true
            if pretty { newline() }
        }
        if let key {
            appendString(key)
            append(pretty ? ": " : ":")
        }
    }

    private mutating func newline() {
        bytes.append(0x0a)
        for _ in 0..<depth { append("  ") }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `value` as a JSON string literal, escaping what RFC 8259 requires, plus U+2028
    /// and U+2029 so the output is also safe to embed in JavaScript.
    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = Array(value.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0a: append("\\n")
            case 0x0d: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20:
                append("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0f)])
            case 0xe2 where index + 2 < utf8.count && utf8[index + 1] == 0x80
                && (utf8[index + 2] == 0xa8 || utf8[index + 2] == 0xa9):
                append(utf8[index + 2] == 0xa8 ? "\\u2028" : "\\u2029")
                index += 2
            default:
                bytes.append(byte)
            }
            index += 1
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
