import CustosTestSupport
import Foundation
import Testing

/// Named values in the real binary: credentials found by what they are called and where they
/// sit, located exactly, judged once (a generic rule's reading gives way; a token format's
/// reading stays and names the named-value rule).
@Suite("Named values in the pipeline (end to end)")
struct NamedValuesPipelineTests {
    struct Found {
        var path: String, line: Int, column: Int, rule: String, secret: String, identity: String?, logicalPath: String?, alsoReportedBy: [String]
    }

    static func scan(_ tree: TemporaryTree, _ extra: [String] = []) throws -> [Found] {
        let result = try CustosBinary.run(["scan", ".", "--format", "json", "--no-redact"] + extra, in: tree.path)
        #expect(result.status <= 1, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return (document["findings"] as? [[String: Any]] ?? []).map {
            Found(path: $0["path"] as? String ?? "", line: $0["line"] as? Int ?? 0, column: $0["column"] as? Int ?? 0,
                  rule: $0["rule_id"] as? String ?? "", secret: $0["secret"] as? String ?? "", identity: $0["identity"] as? String,
                  logicalPath: $0["logical_path"] as? String, alsoReportedBy: $0["also_reported_by"] as? [String] ?? [])
        }
    }

    @Test("a tag named in German, an XML member whose value sits lines below, entities decoded at the file's columns")
    func namesAndPlaces() throws {
        let tree = try TemporaryTree([
            "export.xml": """
                <Config>
                  <Member Name="FTP_Pass">
                    <DataType>STRING</DataType>
                    <StartValue>Tr&amp;nsfer2024!</StartValue>
                  </Member>
                  <Setting key="Kennwort" value="Linie3Start#"/>
                  <Setting key="password" value="********"/>
                </Config>
                """,
        ])
        let found = try Self.scan(tree).sorted { $0.line < $1.line }
        #expect(found.map { "\($0.line):\($0.column) \($0.rule) \($0.secret)" } == ["4:17 named-password Tr&nsfer2024!", "6:34 named-password Linie3Start#"])
        #expect(found.first?.logicalPath?.hasSuffix("Member[FTP_Pass]/StartValue") == true)
    }

    @Test("a generic rule's reading gives way to the judgement: references and masks are not reported, a password once")
    func genericGivesWay() throws {
        let tree = try TemporaryTree(["app.env": "DB_PASSWORD=Tq8#vLm2pZ!e\nAPI_PASSWORD=${VAULT_API_PASSWORD}\nGITHUB_TOKEN=\(fakeToken)\n"])
        let found = try Self.scan(tree)
        #expect(found.map(\.rule).sorted() == ["github-classic-pat", "named-password"])
        let specific = try Self.scan(tree, ["--exclude-rule", "named-values"])
        #expect(specific.map(\.rule).sorted() == ["generic-password", "github-classic-pat"], "without named values the generic rule reports")
    }

    @Test("a token format's finding stays and names the named-value rule that saw the same bytes")
    func specificStays() throws {
        let tree = try TemporaryTree(["settings.yaml": "github:\n  password: \(fakeToken)\n"])
        let found = try Self.scan(tree)
        #expect(found.count == 1)
        #expect(found.first?.rule == "github-classic-pat" && found.first?.alsoReportedBy == ["named-password"])
    }

    @Test("in source code the code reader decides: a generic rule's line-level guess gives way in the whole file")
    func codeReaderDecides() throws {
        let tree = try TemporaryTree([
            "lib/CoreList.pm": "our %version = (\n    'Test2::Event::Pass'    => '1.302138',\n);\n*all_children_pass = *all_children;\n"
                + "\n=head1 SYNOPSIS\n\n  $ua->credentials('www.example.com:80', 'Realm', 'foo', 'Xk2#mLp9Qz');\n\n=cut\n"
                + "my $db_password = 'Pl4nt!Histo7';\n",
        ])
        #expect(try Self.scan(tree).map { "\($0.line) \($0.rule) \($0.secret)" } == ["11 named-password Pl4nt!Histo7"])
        // Without named values the generic rule reads the lines again, noise included.
        #expect(try Self.scan(tree, ["--exclude-rule", "named-values"]).contains { $0.rule == "generic-password" && $0.secret == "1.302138" })
    }

    @Test("password hashes are reported only with --include-hashes")
    func hashesOptIn() throws {
        let tree = try TemporaryTree(["running-config.txt": "enable secret 9 $9$rZMdS7x.eg9LXk$jy01ztjCJSiL5B/6uq.U9N12Qh3Eey50ulUCenzrh9Z\n"])
        #expect(try Self.scan(tree).isEmpty)
        #expect(try Self.scan(tree, ["--include-hashes"]).map(\.rule) == ["named-password-hash"])
    }

    @Test("a spreadsheet's password column: the value reported in the shared strings, at its line and column")
    func workbook() throws {
        let strings = """
            <?xml version="1.0" encoding="UTF-8"?>
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>Anlage</t></si><si><t>Benutzer</t></si><si><t>Passwort</t></si><si><t>Presse 4</t></si><si><t>service</t></si><si><t>Stanz9Werk!</t></si></sst>
            """
        let sheet = """
            <?xml version="1.0" encoding="UTF-8"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c></row></sheetData></worksheet>
            """
        let workbook = try ArchiveWriter.archive(.zip(.deflate), [
            ("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"),
            ("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings),
        ])
        let tree = try TemporaryTree()
        try tree.write("Zugaenge.xlsx", Data(workbook))
        let found = try Self.scan(tree)
        #expect(found.map { "\($0.path) \($0.rule) \($0.secret) \($0.identity ?? "")" } == ["Zugaenge.xlsx!/xl/sharedStrings.xml named-password Stanz9Werk! service"])
        let line = try #require(found.first)
        let column = try #require(strings.split(separator: "\n")[1].range(of: "Stanz9Werk!")).lowerBound
        #expect(line.line == 2 && line.column == strings.split(separator: "\n")[1].distance(from: strings.split(separator: "\n")[1].startIndex, to: column) + 1)
    }

    @Test("--no-builtin-rules turns named values off with the built-in rules")
    func offWithBuiltins() throws {
        let tree = try TemporaryTree(["app.ini": "[db]\npassword = Tq8#vLm2pZ!e\n",
                                      "mine.yaml": "rules:\n  - id: my-rule\n    name: Mine\n    pattern: '(?P<secret>zz_[0-9]{6})'\n    keywords: [zz_]\n"])
        #expect(try Self.scan(tree, ["--no-builtin-rules", "--rules", "mine.yaml"]).isEmpty)
    }
}
