import CustosCore
import CustosSources
import CustosTestSupport
import Foundation
import Synchronization
import Testing

/// Creates `name` (exact bytes) under `folder` holding `text`.
func writeFile(named name: [UInt8], in folder: String, _ text: String) throws {
    let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
    let descriptor = path.withUnsafeBufferPointer {
        open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    }
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    #expect(write(descriptor, bytes, bytes.count) == bytes.count)
}

/// Reads an entry through the walk's own open (relative to its folder).
func contents(of entry: FileEntry) -> String? {
    let descriptor = entry.openForReading(followSymlinks: false)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let got = read(descriptor, &buffer, buffer.count)
    return got >= 0 ? String(decoding: buffer.prefix(got), as: UTF8.self) : nil
}

@Suite("Hostile walks")
struct HostileWalkTests {
    @Test("issue 11: a Latin-1 name is walked and read; its display path escapes the byte, the entry keeps it exact")
    func latin1Names() throws {
        let tree = try TemporaryTree()
        try FileManager.default.createDirectory(atPath: tree.path + "/projekt", withIntermediateDirectories: true)
        // "café.ini" and a folder "Übergabe" as an old SMB share stores them: Latin-1 bytes.
        try writeFile(named: Array("caf".utf8) + [0xe9] + Array(".ini".utf8), in: tree.path + "/projekt", "pw=1\n")
        try writeFile(named: Array("notes.txt".utf8), in: tree.path + "/projekt", "x\n")
        let latinFolder = Array(tree.path.utf8) + Array("/projekt/".utf8) + [0xdc] + Array("bergabe".utf8) + [0]
        #expect(latinFolder.withUnsafeBufferPointer { mkdir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0o755) } == 0)
        // A file inside the Latin-1 folder, created through its exact bytes.
        let inner = latinFolder.dropLast() + Array("/inner.txt".utf8) + [0]
        let descriptor = inner.withUnsafeBufferPointer {
            open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644)
        }
        try #require(descriptor >= 0)
        _ = write(descriptor, "inside\n", 7)
        close(descriptor)

        let queue = FileQueue(roots: [tree.path], options: WalkOptions())
        var entries: [FileEntry] = []
        while let entry = queue.next() { entries.append(entry) }
        let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.relativePath, $0) })
        #expect(Set(byPath.keys) == ["projekt/caf\\xE9.ini", "projekt/notes.txt", "projekt/\\xDCbergabe/inner.txt"])
        let cafe = try #require(byPath["projekt/caf\\xE9.ini"])
        #expect(cafe.name == Array("caf".utf8) + [0xe9] + Array(".ini".utf8))
        #expect(cafe.pathBytes == Array(tree.path.utf8) + Array("/projekt/caf".utf8) + [0xe9] + Array(".ini".utf8))
        #expect(contents(of: cafe) == "pw=1\n")
        #expect(contents(of: try #require(byPath["projekt/\\xDCbergabe/inner.txt"])) == "inside\n")
        #expect(queue.report.warnings.isEmpty)
    }

    @Test("control characters in names are escaped in display, and a name cannot pass for an escaped one")
    func controlCharacters() throws {
        #expect(EscapedName.display(Array("ok name.txt".utf8)) == "ok name.txt")
        #expect(EscapedName.display(Array("über.txt".utf8)) == "über.txt")
        #expect(EscapedName.display(Array("a\u{1b}[31mred\n.txt".utf8)) == "a\\x1B[31mred\\x0A.txt")
        #expect(EscapedName.display(Array("evil\u{202e}txt.exe".utf8)) == "evil\\u{202E}txt.exe")
        #expect(EscapedName.display(Array("caf".utf8) + [0xe9]) == "caf\\xE9")
        #expect(EscapedName.display(Array("caf\\xE9".utf8)) == "caf\\\\xE9")
        #expect(EscapedName.display([0xc0, 0xaf, 0xed, 0xa0, 0x80]) == "\\xC0\\xAF\\xED\\xA0\\x80")

        let tree = try TemporaryTree()
        try writeFile(named: Array("line\nfinding: fake.txt".utf8), in: tree.path, "x\n")
        let queue = FileQueue(roots: [tree.path], options: WalkOptions())
        let entry = try #require(queue.next())
        #expect(entry.relativePath == "line\\x0Afinding: fake.txt")
        #expect(contents(of: entry) == "x\n")
    }

    @Test("issue 11: swapping a folder for a symlink to outside mid-walk never reads outside the tree")
    func symlinkSwapRace() throws {
        let marker = "OUTSIDE-" + UUID().uuidString
        let outside = try TemporaryTree(["secret.txt": marker, "sub/secret.txt": marker])
        var files: [String: String] = [:]
        for index in 0..<20 { files["dir/file\(index).txt"] = "inside\n" }
        files["dir/sub/secret.txt"] = "inside\n"
        files["other/a.txt"] = "inside\n"
        let tree = try TemporaryTree(files)
        let dir = tree.path + "/dir"
        let parked = tree.path + "/dir.parked"
        let stop = Atomic<Bool>(false)
        let target = outside.path
        let swapper = Thread {
            while !stop.load(ordering: .relaxed) {
                rename(dir, parked)
                symlink(target, dir)
                usleep(50)
                unlink(dir)
                rename(parked, dir)
                usleep(50)
            }
        }
        swapper.start()
        var readsOutside = 0
        var reads = 0
        for _ in 0..<150 {
            let queue = FileQueue(roots: [tree.path], options: WalkOptions())
            let collected = Mutex<(outside: Int, reads: Int)>((0, 0))
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                while let entry = queue.next() {
                    guard let text = contents(of: entry) else { continue }
                    collected.withLock {
                        $0.reads += 1
                        if text.contains(marker) { $0.outside += 1 }
                    }
                }
            }
            let counts = collected.withLock { $0 }
            readsOutside += counts.outside
            reads += counts.reads
        }
        stop.store(true, ordering: .relaxed)
        while swapper.isExecuting { usleep(1000) }
        #expect(readsOutside == 0)
        #expect(reads > 150)
        // Put the tree back for removal, whatever state the swapper left.
        if FileManager.default.fileExists(atPath: parked) {
            unlink(dir)
            rename(parked, dir)
        }
    }

    @Test("--follow-symlinks still follows links to folders and stops at loops (by device and inode)")
    func followSymlinks() throws {
        let outside = try TemporaryTree(["shared/cfg.ini": "x"])
        let tree = try TemporaryTree(["a/file.txt": "y"])
        try tree.symlink("a/loop", to: tree.url("a").path)
        try tree.symlink("a/up", to: tree.path)
        try tree.symlink("linked", to: outside.url("shared").path)
        let queue = FileQueue(roots: [tree.path], options: WalkOptions(followSymlinks: true))
        var paths: [String] = []
        while let entry = queue.next() { paths.append(entry.relativePath) }
        #expect(paths.sorted() == ["a/file.txt", "linked/cfg.ini"])
    }
}
