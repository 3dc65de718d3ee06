import CustosBuiltinRules
import CustosDecoders
import CustosRules
import Foundation
import Testing

/// Broken input gives fewer values, never a trap: every extractor reads truncated, mutated and
/// random texts of every format (a debug build traps on any read out of range).
@Suite("Named values on broken input")
struct RobustnessTests {
    static let samples: [(String, String)] = [
        ("a.xml", #"<?xml version="1.0"?><Tag Name="FTP_Pass"><Data Format="String"><![CDATA['x$$y$'z']]></Data><add key="SmtpPassword" value="a&amp;b&#x41;"/></Tag>"#),
        ("a.json", #"{"servers":[{"name":"DB_PASSWORD","value":"x\u0041y\"z"},{"password":"p","user":"u"}],"auth":"Basic dXNlcjpwYXNz"}"#),
        ("a.yaml", "---\nenv:\n  - name: DB_PASSWORD\n    value: 'a''b'\nsecret: |\n  line\n  line2\nflow: {user: u, password: \"p\\n\"}\n"),
        ("a.ini", "[db]\npassword = \"\"\"x;y\"\"\"\nuser=u\nkey : v\n{\n}\n"),
        ("a.cfg", "!\nusername a privilege 15 secret 5 $1$x$y\ntacacs-server host 1.2.3.4 key 7 0822455D0A16\nsnmp-server user u g v3 auth sha A priv aes 128 B\n"),
        ("a.rsc", "/ip ipsec peer\nadd name=x secret=\"y\" \\\n    address=1\n"),
        ("a.reg", "Windows Registry Editor Version 5.00\n[HKEY_X\\VNC]\n\"Password\"=hex:01,02,\\\n  03\n\"P2\"=hex(2):41,00,\n"),
        ("a.st", "VAR sPass : STRING := 'a$'b'; aKey : ARRAY[0..3] OF BYTE := [16#01,2(16#02),16#03]; END_VAR\n#x.password := '$0D';"),
        ("a.L5K", "DATATYPE U (FamilyType := NoFamily)\nSTRING User;\nSTRING Pass;\nEND_DATATYPE\nTAG\nT : U := [[1,'a$00'],[2,'bc']];\nEND_TAG"),
        ("a.py", "password = \"a\" + b\nauth=(\"u\", \"p\")\nlogin('u', 'p')\nkey = bytes([0x01,0x02,0x03,0x04])\n# secret: 'x'\n"),
        ("a.sh", "mysql -uroot -p'pw' db | tee\nsshpass -p pw ssh h\necho pw | docker login --password-stdin\ncurl -u a:b https://h\n"),
        ("a.sql", "CREATE TABLE t (user varchar, password varchar); INSERT INTO t VALUES ('a','b'),('c'; CREATE USER x IDENTIFIED BY 'y'\n"),
        ("a.csv", "Login;Password;Comment\nu;\"p\"\"q\";Kennwort: Abc123!\n\"broken\n"),
        ("passwd", "root:$6$x$y:1:2\n:\nx\n"),
        ("word/document.xml", "<w:document><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Kennwort</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Ab&amp;1</w:t>"),
    ]

    @Test("truncations, byte changes and random bytes never trap")
    func brokenInput() throws {
        let scanner = NamedValueScanner(vocabulary: try VocabularyLoader.builtin().vocabulary)
        var generator = SystemRandomNumberGenerator()
        // `NAMED_VALUES_FUZZ_ROUNDS=5000` for a longer hunt; the suite runs a short one.
        let rounds = Int(ProcessInfo.processInfo.environment["NAMED_VALUES_FUZZ_ROUNDS"] ?? "") ?? 60
        var texts = 0
        for (name, sample) in Self.samples {
            let bytes = Array(sample.utf8)
            // Every prefix.
            for end in 0...bytes.count {
                Array(bytes[0..<end]).withUnsafeBytes { _ = scanner.classify(in: $0, fileName: Substring(name)) }
                texts += 1
            }
            // Random byte changes.
            for _ in 0..<rounds {
                var mutated = bytes
                for _ in 0..<4 {
                    let index = Int.random(in: 0..<mutated.count, using: &generator)
                    mutated[index] = [0x00, 0x22, 0x27, 0x3c, 0x3e, 0x5c, 0x24, 0x0a, 0x3d, 0x7b, 0x7d, 0x5b, 0x5d, 0xff,
                                      UInt8.random(in: 0...255, using: &generator)].randomElement(using: &generator)!
                }
                mutated.withUnsafeBytes { _ = scanner.classify(in: $0, fileName: Substring(name)) }
                texts += 1
            }
        }
        // Random bytes under every name.
        for _ in 0..<(rounds / 2) {
            let random = (0..<Int.random(in: 0..<2048, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for (name, _) in Self.samples {
                random.withUnsafeBytes { _ = scanner.classify(in: $0, fileName: Substring(name)) }
                texts += 1
            }
        }
        #expect(texts > 1_000)
    }

    @Test("deep nesting and long lines stay within budget")
    func deepAndLong() throws {
        let scanner = NamedValueScanner(vocabulary: try VocabularyLoader.builtin().vocabulary)
        let deepXML = String(repeating: "<a>", count: 5_000) + "<Password>x1y2z3w4</Password>" + String(repeating: "</a>", count: 5_000)
        let deepJSON = String(repeating: "{\"a\":", count: 5_000) + "\"x\"" + String(repeating: "}", count: 5_000)
        let longLine = "password = " + String(repeating: "a", count: 1_000_000)
        for (name, text) in [("deep.xml", deepXML), ("deep.json", deepJSON), ("long.ini", longLine), ("long.py", longLine)] {
            var bytes = Array(text.utf8)
            bytes.withUnsafeMutableBytes { _ = scanner.classify(in: UnsafeRawBufferPointer($0), fileName: Substring(name)) }
        }
    }
}
