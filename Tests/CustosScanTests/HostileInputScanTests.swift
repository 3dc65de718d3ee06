import CustosCore
import CustosEngine
@testable import CustosScan
import CustosTestSupport
import Foundation
import Testing

/// Findings of a directory scan as `relative-path:line secret`.
func located(_ result: ScanResult, under root: String) -> Set<String> {
    Set(result.findings.map { "\($0.path.dropFirst(root.count + 1)):\($0.start.line) \($0.secret)" })
}

/// Where the last `signature` starts in `bytes`.
func lastSignature(_ signature: [UInt8], in bytes: [UInt8]) -> Int? {
    guard bytes.count >= signature.count else { return nil }
    return (0...(bytes.count - signature.count)).last { Array(bytes[$0..<($0 + signature.count)]) == signature }
}

@Suite("Hostile and broken input (issue 11)")
struct HostileInputScanTests {
    @Test("issue 11: an encrypted member is a warning and the plain member after it is scanned")
    func encryptedThenPlain() throws {
        var zip = try ArchiveWriter.archive(.zip(.deflate), [("locked.env", "K=\(token(50))\n"), ("open.env", "K=\(token(51))\n")])
        zip[6] |= 1
        let directory = try #require(lastSignature([0x50, 0x4b, 0x01, 0x02], in: zip))
        zip[directory + 8] |= 1
        let tree = try TemporaryTree()
        try tree.write("backup.zip", Data(zip))
        let result = DirectoryScan(engine: try engine(), options: DirectoryScanOptions(threads: 1)).run(roots: [tree.path])
        #expect(located(result, under: tree.path) == ["backup.zip!/open.env:1 \(token(51))"])
        #expect(result.warnings.map(\.message) == ["encrypted member locked.env: not read"])
    }

    @Test("issue 11: a one-byte-corrupted zip is a warning at most, and its members are still scanned")
    func corruptedZip() throws {
        let zip = try ArchiveWriter.archive(.zip(.deflate), [("a.env", "K=\(token(52))\n"), ("b.env", "K=\(token(53))\n")])
        var corrupted = zip
        let end = try #require(lastSignature([0x50, 0x4b, 0x05, 0x06], in: zip))
        corrupted[end + 19] = 0x7f
        let tree = try TemporaryTree()
        try tree.write("backup.zip", Data(corrupted))
        let result = DirectoryScan(engine: try engine(), options: DirectoryScanOptions(threads: 1)).run(roots: [tree.path])
        #expect(located(result, under: tree.path) == ["backup.zip!/a.env:1 \(token(52))", "backup.zip!/b.env:1 \(token(53))"])
    }

    @Test("a member larger than the read buffer is streamed in chunks, and tar, 7z and gzip members are scanned")
    func streamedMembers() throws {
        var text = ""
        for index in 0..<300 { text += String(repeating: "x", count: (index * 41) % 97) + " \(token(100 + index))\n" }
        let tree = try TemporaryTree()
        try tree.write("logs.tar.gz", Data(try ArchiveWriter.archive(.compressedTar(.gzip), [("big.log", text)])))
        try tree.write("cfg.7z", Data(try ArchiveWriter.archive(.sevenZip, [("app.env", "K=\(token(60))\n")])))
        try tree.write("run.log.xz", Data(try ArchiveWriter.compressed(.xz, Array("K=\(token(61))\n".utf8))))
        let engine = try engine()
        let scanner = BlobScanner(engine: engine, followSymlinks: false, maxFileSize: 0, chunkSize: 1024, overlap: 1024)
        for name in ["logs.tar.gz", "cfg.7z", "run.log.xz"] { scanner.scanFile(at: tree.url(name).path, as: .file(name)) }
        #expect(scanner.results.warnings.isEmpty, "\(scanner.results.warnings)")
        let findings = scanner.results.sink.findings
        let secrets = Set(findings.map(\.secret))
        #expect(secrets == Set((0..<300).map { token(100 + $0) } + [token(60), token(61)]))
        let lines = findings.filter { $0.path == "logs.tar.gz!/big.log" }.map(\.start.line).sorted()
        #expect(lines == Array(1...300))
    }

    @Test("issue 11: a WAL-mode SQLite file is read from memory; its bytes and modification time stay as they were")
    func walDatabase() throws {
        let tree = try TemporaryTree()
        let path = tree.url("historian.db").path
        let made = try Command.run(["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE users (name TEXT, password TEXT)")
            db.execute("INSERT INTO users VALUES ('svc', 'key \(token(70))')")
            db.commit()
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.close()
            """, path])
        #expect(made.status == 0, "\(made.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(before[18] == 2 && before[19] == 2)
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let listing = try FileManager.default.contentsOfDirectory(atPath: tree.path).sorted()
        let result = DirectoryScan(engine: try engine(), options: DirectoryScanOptions(threads: 1)).run(roots: [tree.path])
        #expect(result.findings.map { String($0.path.dropFirst(tree.path.count + 1)) } == ["historian.db!/users.password[1]"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == modified)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree.path).sorted() == listing)
    }

    @Test("issue 11: a Latin-1 file name is scanned and reported escaped")
    func latin1Name() throws {
        let tree = try TemporaryTree()
        let name = Array(tree.path.utf8) + Array("/Stra".utf8) + [0xdf, 0x65] + Array(".env".utf8) + [0]
        let descriptor = name.withUnsafeBufferPointer {
            open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644)
        }
        try #require(descriptor >= 0)
        let text = Array("K=\(token(80))\n".utf8)
        _ = write(descriptor, text, text.count)
        close(descriptor)
        let result = DirectoryScan(engine: try engine(), options: DirectoryScanOptions(threads: 1)).run(roots: [tree.path])
        #expect(located(result, under: tree.path) == ["Stra\\xDFe.env:1 \(token(80))"])
        #expect(result.warnings.isEmpty)
    }
}
