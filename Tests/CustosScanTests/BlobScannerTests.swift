import CustosCore
import CustosEngine
import CustosRules
@testable import CustosScan
import CustosTestSupport
import Foundation
import Testing

let tokenRule = """
    rules:
      - id: demo-token
        name: Demo token
        pattern: '\\b(?P<secret>demo_[A-Za-z0-9]{24})\\b'
        keywords: [demo_]
        confidence: high
      - id: demo-key
        name: Demo key block
        pattern: '-----BEGIN DEMO KEY-----(?P<secret>[A-Za-z0-9+/=\\s]{16,4000}?)-----END DEMO KEY-----'
        keywords: [BEGIN DEMO KEY]
    """

func engine() throws -> Engine {
    try Engine(ruleSet: RuleSet(RuleLoader.parse(yaml: tokenRule, source: "t.yaml")), cacheDirectory: nil)
}

/// A deterministic pseudo-random token body.
func token(_ seed: Int) -> String {
    let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
    var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
    return "demo_" + String((0..<24).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return alphabet[Int(state >> 33) % alphabet.count]
    })
}

@Suite("Blob scanner")
struct BlobScannerTests {
    @Test("chunked and whole-file scans agree, including secrets across chunk boundaries")
    func chunksAgreeWithWholeFile() throws {
        // Lines of varying length put tokens and a multi-line key across many 1 KiB boundaries.
        var text = ""
        for index in 0..<400 {
            text += String(repeating: "x", count: (index * 37) % 90) + " \(token(index)) é\n"
            if index % 50 == 7 {
                text += "-----BEGIN DEMO KEY-----\n" + String(repeating: "QUJDREVGR0hJSktMTU5PUA==\n", count: 30) + "-----END DEMO KEY-----\n"
            }
        }
        let tree = try TemporaryTree(["big.txt": text])
        let engine = try engine()
        let whole = BlobScanner(engine: engine, followSymlinks: false, maxFileSize: 0)
        whole.scanFile(at: tree.url("big.txt").path, as: .file("big.txt"))
        let chunked = BlobScanner(engine: engine, followSymlinks: false, maxFileSize: 0, chunkSize: 1024, overlap: 1024)
        chunked.scanFile(at: tree.url("big.txt").path, as: .file("big.txt"))
        // 400 tokens and one key block: its 7 repeats fold into the first (issue 11).
        #expect(whole.results.sink.findings.count == 401)
        #expect(whole.results.sink.findings.first { $0.ruleID == "demo-key" }?.repeats?.count == 7)
        let describe = { (findings: [Finding]) in
            findings.sorted(by: Finding.reportOrder).map { "\($0.ruleID) \($0.start.line):\($0.start.column)-\($0.end.line):\($0.end.column) @\($0.byteStart) \($0.snippet.before.suffix(8))" }
        }
        let difference = describe(chunked.results.sink.findings).difference(from: describe(whole.results.sink.findings))
        #expect(difference.isEmpty, "\(Array(difference.prefix(6)))")
        #expect(chunked.results.summary.bytesScanned == text.utf8.count)
    }

    @Test("a file that vanishes between listing and reading is a warning and the scan goes on")
    func vanishingFile() throws {
        let tree = try TemporaryTree(["gone.txt": token(1), "kept.txt": token(2)])
        let scanner = BlobScanner(engine: try engine(), followSymlinks: false, maxFileSize: 0)
        try FileManager.default.removeItem(at: tree.url("gone.txt"))
        scanner.scanFile(at: tree.url("gone.txt").path, as: .file("gone.txt"))
        scanner.scanFile(at: tree.url("kept.txt").path, as: .file("kept.txt"))
        #expect(scanner.results.warnings == [ScanWarning(.vanished, path: "gone.txt", message: "vanished before it could be read")])
        #expect(scanner.results.sink.findings.map(\.path) == ["kept.txt"])
    }

    @Test("binary files are skipped by sniffing; empty and invalid UTF-8 files are scanned")
    func contentKinds() throws {
        var binary = Data([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0])
        binary.append(Data(token(3).utf8))
        var invalid = Data([0xff, 0xfe, 0xc3, 0x28, 0x20])
        invalid.append(Data(" \(token(4)) \u{1}\n".utf8))
        let tree = try TemporaryTree(["empty.txt": ""])
        try tree.write("binary.bin", binary)
        try tree.write("invalid.txt", invalid)
        let scanner = BlobScanner(engine: try engine(), followSymlinks: false, maxFileSize: 0)
        for name in ["binary.bin", "empty.txt", "invalid.txt"] {
            scanner.scanFile(at: tree.url(name).path, as: .file(name))
        }
        #expect(scanner.results.summary.filesSkippedBinary == 1)
        #expect(scanner.results.summary.filesScanned == 2)
        #expect(scanner.results.sink.findings.map(\.secret) == [token(4)])
        #expect(scanner.results.warnings.isEmpty)
    }

    @Test("a directory scan returns findings in a fixed order whatever the thread count")
    func deterministic() throws {
        var files: [String: String] = [:]
        for index in 0..<60 { files["d\(index % 7)/f\(index).txt"] = "a \(token(index))\nb \(token(index + 100))\n" }
        let tree = try TemporaryTree(files)
        let engine = try engine()
        let one = DirectoryScan(engine: engine, options: DirectoryScanOptions(threads: 1)).run(roots: [tree.path])
        let four = DirectoryScan(engine: engine, options: DirectoryScanOptions(threads: 4)).run(roots: [tree.path])
        #expect(one.findings.count == 120)
        #expect(one.findings == four.findings)
    }
}

@Suite("Decoded content in a directory scan")
struct DecodedContentTests {
    @Test("UTF-16 files, XML entities and zip members are scanned with readable locations")
    func decoded() throws {
        let tree = try TemporaryTree()
        try tree.write("export.txt", try #require("Tag list\r\nKEY=\(token(30))\r\n".data(using: .utf16)))
        try tree.write("plc.l5x", "<?xml version=\"1.0\"?>\n<Data>\n<Value>&apos;\(token(31))&apos;</Value>\n</Data>\n")
        let zip = try Command.run(["python3", "-c", """
            import io, sys, zipfile
            inner = io.BytesIO(); z = zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED); z.writestr("cfg/app.env", "K=\(token(32))\\n"); z.close()
            outer = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED); outer.writestr("projects/inner.zip", inner.getvalue()); outer.close()
            """, tree.url("backup.gwbk").path])
        #expect(zip.status == 0)
        let result = DirectoryScan(engine: try engine(), options: DirectoryScanOptions(threads: 2)).run(roots: [tree.path])
        let located = Set(result.findings.map { "\($0.path.dropFirst(tree.path.count + 1)):\($0.start.line) \($0.secret)" })
        #expect(located == ["export.txt:2 \(token(30))", "plc.l5x:3 \(token(31))",
                            "backup.gwbk!/projects/inner.zip!/cfg/app.env:1 \(token(32))"])
    }
}

@Suite("SQLite databases")
struct SQLiteScanTests {
    @Test("text cells are scanned and located by table, column and row, on disk and inside a gateway backup")
    func sqlite() throws {
        let tree = try TemporaryTree()
        let made = try Command.run(["python3", "-c", """
            import sqlite3, sys, zipfile
            db = sqlite3.connect(sys.argv[1])
            db.execute("CREATE TABLE DATASOURCES (NAME TEXT, CONNECTURL TEXT, PASSWORD TEXT)")
            db.execute("INSERT INTO DATASOURCES VALUES ('hist', 'jdbc:x', 'none')")
            db.execute("INSERT INTO DATASOURCES VALUES ('mes', 'jdbc:y', 'key \(token(40))')")
            db.commit(); db.close()
            z = zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED); z.write(sys.argv[1], "db_backup_sqlite.idb"); z.close()
            """, tree.url("config.idb").path, tree.url("gateway.gwbk").path])
        #expect(made.status == 0, "\(made.stderr)")
        let before = try Data(contentsOf: tree.url("config.idb"))
        let result = DirectoryScan(engine: try engine(), options: DirectoryScanOptions(threads: 1)).run(roots: [tree.path])
        let paths = Set(result.findings.map { String($0.path.dropFirst(tree.path.count + 1)) })
        #expect(paths == ["config.idb!/DATASOURCES.PASSWORD[2]", "gateway.gwbk!/db_backup_sqlite.idb!/DATASOURCES.PASSWORD[2]"])
        #expect(try Data(contentsOf: tree.url("config.idb")) == before)
        #expect(!FileManager.default.fileExists(atPath: tree.url("config.idb-journal").path))
    }
}
