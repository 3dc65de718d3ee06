import CustosCore
@testable import CustosDecoders
import Foundation
import Testing

/// Runs `body` over the UTF-8 bytes of `text`.
func withBytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    try Array(text.utf8).withUnsafeBytes(body)
}

/// The UTF-8 offset of the first occurrence of `needle` in `text`.
func offset(of needle: String, in text: String) -> Int {
    text.utf8.distance(from: text.startIndex, to: text.range(of: needle)!.lowerBound)
}

@Suite("Base64 values")
struct Base64ValueTests {
    static let value = Data("DB_PASSWORD=Tq8vLm2pZeRw4x\nuser=svc_mes\n".utf8).base64EncodedString()

    @Test("a long base64 value is found and decoded wherever it sits; words, hex and short values are not decoded")
    func runs() {
        let text = "config:\n  blob: \(Self.value)\n  name: ConveyorSpeedSetpointLine3Filler\n  hash: \(String(repeating: "ab12cd34", count: 8))\n  short: dXNlcjpwYXNz\n"
        let decoded = withBytes(text) { raw in
            Base64Values.derive(raw, runs: Base64Values.runs(in: raw)).decoded.map { String(decoding: raw[$0], as: UTF8.self) }
        }
        #expect(decoded == [Self.value])
        for shift in 0..<16 {
            let shifted = String(repeating: " ", count: shift) + Self.value + ";"
            #expect(withBytes(shifted) { Base64Values.runs(in: $0).count } == 1, "at offset \(shift)")
        }
    }

    @Test("a value is decoded only when it decodes to text: UTF-8, or UTF-16 as PowerShell encodes it")
    func decodesText() throws {
        #expect(withBytes(Self.value) { Base64Values.decodedText($0) }.map { String(decoding: $0, as: UTF8.self) }
                == "DB_PASSWORD=Tq8vLm2pZeRw4x\nuser=svc_mes\n")
        let utf16 = try #require("Set-Secret -Password 'Vq3xT9kLm2'".data(using: .utf16LittleEndian)).base64EncodedString()
        #expect(withBytes(utf16) { Base64Values.decodedText($0) }.map { String(decoding: $0, as: UTF8.self) }
                == "Set-Secret -Password 'Vq3xT9kLm2'")
        var generator = SystemRandomNumberGenerator()
        let binary = Data((0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        #expect(withBytes(binary) { Base64Values.decodedText($0) } == nil)
    }

    @Test("findings in a decoded value are placed at the value, with the rest of its line as context")
    func derivesAndRelocates() throws {
        let value = Data("plc:Xk39fjs2Lq8w".utf8).base64EncodedString()
        let text = "a: 1\n  auth: \"Basic \(value)\"\n"
        let run = offset(of: value, in: text)..<(offset(of: value, in: text) + value.utf8.count)
        let (derived, decoded) = withBytes(text) { raw in Base64Values.derive(raw, runs: Base64Values.runs(in: raw) + [run]) }
        #expect(decoded == [run])
        #expect(String(decoding: derived.bytes, as: UTF8.self) == "  auth: \"Basic plc:Xk39fjs2Lq8w\"\n")
        let start = try #require(derived.bytes.firstIndex(of: UInt8(ascii: "X")))
        #expect(derived.map.sourceRange(of: start..<(start + 12)) == run, "a secret inside the value is located at the value")
        #expect(derived.segment(at: start)?.logicalPath == "base64")
    }

    @Test("a 10 MB line of base64 characters, and binary junk, cost a bounded look and no crash")
    func hostile() {
        let line = String(repeating: "QUJD", count: 2_600_000)
        let runs = withBytes(line) { Base64Values.runs(in: $0) }
        #expect(runs.isEmpty, "a run longer than the 1 MB limit is not decoded")
        var generator = SystemRandomNumberGenerator()
        let junk = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let derived = junk.withUnsafeBytes { raw in Base64Values.derive(raw, runs: Base64Values.runs(in: raw)) }
        #expect(derived.text.bytes.count < 200_000)
    }
}

@Suite("Derived text and offset maps")
struct DerivedTextRelocationTests {
    @Test("a copied segment maps byte for byte to its source; context maps to nothing")
    func copied() {
        var text = DerivedText()
        text.appendContext("TABLE.SCRIPT=")
        text.appendCopied(Array("line one\n  pw = 'Zq8'\n".utf8), sourceStart: 100, logicalPath: "TABLE.SCRIPT[1]")
        #expect(text.map.sourceRange(of: (13 + 16)..<(13 + 19)) == 116..<119)
        #expect(text.segment(at: 13 + 16)?.logicalPath == "TABLE.SCRIPT[1]")
        #expect(text.map.sourceRange(of: 3..<6) == nil, "a secret starting in context is not reported from derived text")
    }

    @Test("transcoded UTF-16 maps each code point to the bytes it was written in")
    func utf16Map() throws {
        let source = "ä=1\nkey=Zé9𝄞x\n"
        let data = try #require(source.data(using: .utf16LittleEndian))
        let decoded = data.withUnsafeBytes { TextEncoding.utf16LittleEndian(bom: false).transcode($0) }
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == source)
        let start = offset(of: "Zé9", in: source)
        let end = start + "Zé9𝄞x".utf8.count
        // "ä=1\nkey=" is 8 UTF-16 units (16 bytes); Z, é, 9 and x take 2 bytes each, 𝄞 a pair of 4.
        #expect(decoded.map.sourceRange(of: start..<end) == 16..<(16 + 2 * 4 + 4))
    }

    @Test("XML entities and Logix escapes map to the entity or escape as written")
    func markupMaps() {
        let xml = "<a v=\"x&amp;y&#33;z\"/>"
        let decoded = withBytes(xml) { XMLEntities.decode($0) }
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "<a v=\"x&y!z\"/>")
        let value = offset(of: "x&y!z", in: "<a v=\"x&y!z\"/>")
        #expect(decoded.map.sourceRange(of: value..<(value + 5)) == offset(of: "x&amp;", in: xml)..<offset(of: "\"/>", in: xml))
        let logix = "'P$$w$27d$00'"
        let unescaped = withBytes(logix) { LogixEscapes.decode($0) }
        #expect(String(decoding: unescaped.bytes, as: UTF8.self) == "'P$w'd'")
        #expect(unescaped.map.sourceRange(of: 1..<6) == 1..<(logix.utf8.count - 4))
    }
}

@Suite("Logical paths")
struct LogicalPathTests {
    func paths(_ text: String, name: String, at needles: [String]) -> [String?] {
        withBytes(text) { raw in
            guard let structure = LogicalPaths.structure(of: raw, name: name) else { return needles.map { _ in nil } }
            let offsets = needles.map { offset(of: $0, in: text) }
            let found = LogicalPaths.paths(for: offsets, in: raw, structure: structure)
            return offsets.map { found[$0] }
        }
    }

    @Test("XML: elements named by Name, name or Path, by a <Name> child that comes later, attributes, code in CDATA")
    func xml() {
        let text = """
            <?xml version="1.0"?>
            <Document><SW.Blocks.GlobalDB ID="0"><AttributeList><Interface><Sections>
            <Section Name="Static"><Member Name="WebPassword" Datatype="String"><StartValue>'AAA'</StartValue></Member>
            <Subelement Path="Login.Password"><StartValue>'BBB'</StartValue></Subelement>
            </Sections></Interface><Name>DB_Remote</Name></AttributeList></SW.Blocks.GlobalDB>
            <Route Password="CCC"/><Code><![CDATA[
              sPassword : STRING := 'DDD';
            ]]></Code></Document>
            """
        #expect(paths(text, name: "x.xml", at: ["AAA", "BBB", "CCC", "DDD"]) == [
            "Document/SW.Blocks.GlobalDB[DB_Remote]/AttributeList/Interface/Sections/Section[Static]/Member[WebPassword]/StartValue",
            "Document/SW.Blocks.GlobalDB[DB_Remote]/AttributeList/Interface/Sections/Section[Static]/Subelement[Login.Password]/StartValue",
            "Document/Route/@Password",
            "Document/Code/sPassword",
        ])
    }

    @Test("JSON: dotted keys in brackets, array indices, nesting")
    func json() {
        let text = #"{"project": {"channels": [{"a": 1}, {"opcuaclient.CHANNEL_PASSWORD": "AAA", "x": {"token": "BBB"}}]}}"#
        #expect(paths(text, name: "k.json", at: ["AAA", "BBB"]) == [
            #"$.project.channels[1]["opcuaclient.CHANNEL_PASSWORD"]"#, "$.project.channels[1].x.token",
        ])
    }

    @Test("PLC source: blocks and the variable, also for declarations over several lines")
    func plcSource() {
        let text = """
            CONTROLLER Line3 (ProcessorType := "1756-L83E")
            \tTAG
            \t\tHMI_Password : STRING (Description := "panel",
            \t\t                       RADIX := ASCII) := [3,'AAA'];
            \tEND_TAG
            \tPROGRAM Main (MAIN := "R")
            \t\tTAG
            \t\t\tSFTP_Pwd : STRING := [3,'BBB'];
            \t\tEND_TAG
            \tEND_PROGRAM
            END_CONTROLLER
            DATA_BLOCK "DB_Remote"
               ftpPassword : String[32] := 'CCC';
            END_DATA_BLOCK
            """
        #expect(paths(text, name: "x.L5K", at: ["AAA", "BBB", "CCC"]) == [
            "CONTROLLER Line3/HMI_Password", "CONTROLLER Line3/PROGRAM Main/SFTP_Pwd", "DATA_BLOCK \"DB_Remote\"/ftpPassword",
        ])
    }

    @Test("broken markup gives a rougher path, never a crash")
    func malformed() {
        let inputs = ["<a><b Name=\"x\" <c>< d>text AAA", "<<<>>>AAA</x></y>", "<a b='AAA", "{\"a\": [1, {\"b\": \"AAA", "]]]}}}AAA"]
        for input in inputs {
            _ = paths(input, name: "x.xml", at: ["AAA"])
            _ = paths(input, name: "x.json", at: ["AAA"])
        }
        var generator = SystemRandomNumberGenerator()
        let junk = (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for structure in [LogicalPaths.Structure.xml, .json, .plcSource] {
            _ = junk.withUnsafeBytes { LogicalPaths.paths(for: [10, 20_000, 49_999], in: $0, structure: structure) }
        }
    }
}

@Suite("Structured derivations")
struct StructuredDerivationTests {
    @Test("SCL rebuilt from SimaticML tokens reads as written, each literal at its own line of the export")
    func simaticSCL() throws {
        let xml = """
            <Document>
              <Engineering version="V18" />
              <SW.Blocks.FB ID="0"><AttributeList><Name>FB_Upload</Name></AttributeList><ObjectList>
              <SW.Blocks.CompileUnit ID="3"><AttributeList><NetworkSource><StructuredText>
            <Access Scope="LocalVariable" UId="21">
              <Symbol UId="22"><Component Name="sftpPassword" UId="23" /></Symbol>
            </Access>
            <Blank UId="24" />
            <Token Text=":=" UId="25" />
            <Blank UId="26" />
            <Access Scope="LiteralConstant" UId="27">
              <Constant UId="28">
                <ConstantValue UId="29">'Xk39fjs2Lq'</ConstantValue>
              </Constant>
            </Access>
            <Token Text=";" UId="30" />
            <NewLine UId="31" />
            </StructuredText></NetworkSource></AttributeList></SW.Blocks.CompileUnit></ObjectList></SW.Blocks.FB>
            </Document>
            """
        #expect(withBytes(xml) { SimaticSCL.applies(to: $0, name: "FB_Upload.xml") })
        let text = withBytes(xml) { SimaticSCL.derive($0) }
        #expect(String(decoding: text.bytes, as: UTF8.self).contains("#sftpPassword := 'Xk39fjs2Lq';"))
        let segment = try #require(text.segments.first)
        #expect(text.map.sourceRange(of: segment.range) == offset(of: "'Xk39", in: xml)..<(offset(of: "'Xk39", in: xml) + 12))
        #expect(segment.logicalPath == "FB FB_Upload/network 1/sftpPassword")
    }

    @Test("a table whose header names a password column gives Login=…; Password=… per row, at the cell")
    func delimitedTable() throws {
        let text = ":UserList\r\n\"Id\";\"Login\";\"Password\";\"Information\"\r\n1;\"adm\";\"adm\";\"Admin\"\r\n2;\"maint\";\"Wq8zLm2xT4\";\"Vendor\"\r\n3;\"op\";\"\";\"\"\r\n:TagList\r\n"
        let derived = withBytes(text) { DelimitedTable.derive($0) }
        #expect(String(decoding: derived.bytes, as: UTF8.self) == "Login=adm; Password=adm\nLogin=maint; Password=Wq8zLm2xT4\n")
        #expect(derived.segments.map(\.logicalPath) == ["UserList[adm].Password", "UserList[maint].Password"])
        #expect(derived.map.sourceRange(of: derived.segments[1].range) == offset(of: "Wq8z", in: text)..<(offset(of: "Wq8z", in: text) + 10))
        #expect(withBytes("no;table;here\nplain text\n") { DelimitedTable.derive($0) }.isEmpty)
    }

    @Test("a truncated SQLite database is an error, not a crash")
    func truncatedDatabase() {
        var bytes = Array("SQLite format 3\u{0}".utf8)
        bytes += [UInt8](repeating: 0, count: 200)
        #expect(throws: SQLiteCells.ReadError.self) {
            try SQLiteCells.forEachRow(in: Data(bytes)) { _ in }
        }
    }
}
