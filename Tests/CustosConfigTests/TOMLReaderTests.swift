import CustosConfig
import CustosYAML
import Testing

@Suite("TOML reader")
struct TOMLReaderTests {
    func parse(_ text: String) throws -> TOMLTable {
        try TOMLReader.parse(text, source: "t.toml")
    }

    @Test("tables, arrays of tables, dotted names and keys, keeping lines")
    func structure() throws {
        let table = try parse("""
            title = "demo"   # a comment
            [extend]
            useDefault = true

            [[rules]]
            id = "one"
            [[rules]]
            id = "two"
              [[rules.allowlists]]
              paths = ['a']
            [a.b.c]
            d.e = 1
            "quoted key".x = 'y'
            """)
        #expect(table["title"]?.string == "demo")
        #expect(table["extend"]?.table?["useDefault"]?.kind == .boolean(true))
        let rules = try #require(table["rules"]?.array)
        #expect(rules.compactMap { $0.table?["id"]?.string } == ["one", "two"])
        #expect(rules[1].line == 7)
        let allowlists = try #require(rules[1].table?["allowlists"]?.array)
        #expect(allowlists.first?.table?["paths"]?.array?.first?.string == "a")
        let c = try #require(table["a"]?.table?["b"]?.table?["c"]?.table)
        #expect(c["d"]?.table?["e"]?.kind == .integer(1))
        #expect(c["quoted key"]?.table?["x"]?.string == "y")
        #expect(table.keys == ["title", "extend", "rules", "a"])
    }

    @Test("strings: basic with escapes, literal, multi-line of both kinds")
    func strings() throws {
        let table = try parse(#"""
            basic = "tab\there \"q\" \\ \u00e9 \U0001F600"
            literal = 'C:\path\(?i)[a-z]+'
            multi = """
            one
            two \
                joined"""
            raw = '''
            (?i)\b(token)['"]?\s*'''
            quotes = """ends with a quote""""
            """#)
        #expect(table["basic"]?.string == "tab\there \"q\" \\ é 😀")
        #expect(table["literal"]?.string == #"C:\path\(?i)[a-z]+"#)
        #expect(table["multi"]?.string == "one\ntwo joined")
        #expect(table["raw"]?.string == #"(?i)\b(token)['"]?\s*"#)
        #expect(table["quotes"]?.string == "ends with a quote\"")
    }

    @Test("arrays spanning lines with comments and a trailing comma; inline tables; numbers")
    func valuesOfEveryKind() throws {
        let table = try parse("""
            keywords = [
              "a", # first
              'b',
              [1, 2],
            ]
            inline = { path = "x.toml", useDefault = false }
            numbers = [42, -7, 1_000, 0x2A, 0o17, 0b101, 3.5, -1e3, 6.02E+23, inf, nan]
            empty = []
            """)
        let keywords = try #require(table["keywords"]?.array)
        #expect(keywords.count == 3)
        #expect(keywords[2].array?.map(\.kind) == [.integer(1), .integer(2)])
        #expect(table["inline"]?.table?["path"]?.string == "x.toml")
        let numbers = try #require(table["numbers"]?.array).map(\.kind)
        #expect(Array(numbers.prefix(6)) == [.integer(42), .integer(-7), .integer(1000), .integer(42), .integer(15), .integer(5)])
        #expect(numbers[6] == .float(3.5) && numbers[7] == .float(-1000) && numbers[8] == .float(6.02e23))
        #expect(numbers[9] == .float(.infinity))
        #expect(table["empty"]?.array?.isEmpty == true)
    }

    @Test("CRLF line endings read like LF")
    func crlf() throws {
        let table = try parse("a = 1\r\n[t]\r\nb = '''x\r\ny'''\r\n")
        #expect(table["t"]?.table?["b"]?.string == "x\ny")
    }

    @Test("malformed input is an error with the line, never a trap", arguments: [
        ("a = ", 1, "expected a value"),
        ("a = \"open", 1, "not closed"),
        ("a = 'open\nb = 1", 1, "not closed on its line"),
        ("a = \"\"\"never closed", 1, "not closed"),
        ("a = [1, 2", 1, "not closed with ']'"),
        ("a = [1 2]", 1, "expected ',' or ']'"),
        ("[t]\nx = 1\n[t]", 3, "already defined"),
        ("a = 1\na = 2", 2, "defined twice"),
        ("a = 1\n[a]", 2, "already defined"),
        ("[[t]]\n[t]", 2, "array"),
        ("t = [1]\n[[t]]", 2, "already defined"),
        ("x = {a = 1}\n[x]", 2, "already defined"),
        ("x = {a = 1}\nx.b = 2", 2, "inline table"),
        ("a = \"bad \\q escape\"", 1, "unknown escape"),
        ("a = \"\\uD800\"", 1, "Unicode scalar"),
        ("a = \"\\u+123\"", 1, "Unicode scalar"),
        ("a = 1979-05-27", 1, "dates and times"),
        ("a = bare", 1, "strings need quotes"),
        ("a = 0123", 1, "not a value"),
        ("a = 1__0", 1, "not a value"),
        ("a = 1 b = 2", 1, "end of the line"),
        ("[unclosed\nb = 1", 1, "expected ']'"),
        ("= 1", 1, "expected a key"),
        ("a = { b = 1,\n c = 2 }", 1, "expected a key"),
        ("\n\na = \"ctl\u{01}\"", 3, "control character"),
        ("a = 99999999999999999999", 1, "not a value"),
    ])
    func malformed(text: String, line: Int, message: String) {
        #expect {
            try TOMLReader.parse(text, source: "t.toml")
        } throws: { error in
            guard let error = error as? LocatedError else { return false }
            return error.location == "t.toml:\(line)" && error.message.contains(message)
        }
    }

    @Test("nesting beyond the limit is an error, not a stack overflow")
    func deepNesting() {
        let deep = "a = " + String(repeating: "[", count: 100_000)
        #expect(throws: LocatedError.self) { try TOMLReader.parse(deep, source: "t.toml") }
        let inline = "a = " + String(repeating: "{ b = ", count: 10_000)
        #expect(throws: LocatedError.self) { try TOMLReader.parse(inline, source: "t.toml") }
    }

    @Test("every prefix and many byte mutations of a valid file parse or fail cleanly")
    func mutations() {
        let valid = """
            title = "x"
            [[rules]]
            id = "r"
            regex = '''(?i)tok_([a-z0-9]{32})'''
            keywords = ["tok_", "t\\u00e9"]
            entropy = 3.5
            [rules.allowlist]
            paths = ['''^docs/''']
            [[allowlists]]
            condition = "AND"
            stopwords = ["a", "b"]
            """
        let bytes = Array(valid.utf8)
        let alphabet = Array("\"'[]{}=.,#\\\n\r \t0aZ_-+:".utf8)
        var generator = SplitMix(seed: 12)
        var outcomes = 0
        for length in 0...bytes.count {
            _ = try? TOMLReader.parse(String(decoding: bytes[0..<length], as: UTF8.self), source: "t.toml")
            outcomes += 1
        }
        for _ in 0..<3_000 {
            var mutated = bytes
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let position = Int(generator.next() % UInt64(mutated.count))
                mutated[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            _ = try? TOMLReader.parse(String(decoding: mutated, as: UTF8.self), source: "t.toml")
            outcomes += 1
        }
        #expect(outcomes == bytes.count + 1 + 3_000)
    }
}

/// A small deterministic generator, so a failing mutation can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
