import CustosSources
import CustosTestSupport
import Foundation
import Synchronization
import Testing

/// Drains a queue on `workers` threads and returns the relative paths it handed out.
func drain(_ queue: FileQueue, workers: Int = 4) -> [String] {
    let collected = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while let entry = queue.next() {
            collected.withLock { $0.append(entry.relativePath) }
        }
    }
    return collected.withLock { $0 }.sorted()
}

@Suite("File queue")
struct FileQueueTests {
    @Test("hands out every file once, across workers")
    func everyFileOnce() throws {
        var files: [String: String] = [:]
        for a in 0..<5 { for b in 0..<5 { files["d\(a)/e\(b)/f.txt"] = "x" } }
        files["top.txt"] = "y"
        let tree = try TemporaryTree(files)
        let paths = drain(FileQueue(roots: [tree.path], options: WalkOptions()))
        #expect(paths == files.keys.sorted())
    }

    @Test("skips symlinks by default and never loops when following them")
    func symlinkLoop() throws {
        let tree = try TemporaryTree(["a/file.txt": "x"])
        try tree.symlink("a/loop", to: tree.url("a").path)
        try tree.symlink("a/link.txt", to: tree.url("a/file.txt").path)
        #expect(drain(FileQueue(roots: [tree.path], options: WalkOptions())) == ["a/file.txt"])
        let followed = drain(FileQueue(roots: [tree.path], options: WalkOptions(followSymlinks: true)))
        #expect(followed == ["a/file.txt", "a/link.txt"])
    }

    @Test("a very deep tree is walked without recursion limits")
    func deepTree() throws {
        let depth = 300
        let path = (0..<depth).map { _ in "d" }.joined(separator: "/") + "/deep.txt"
        let tree = try TemporaryTree([path: "x"])
        #expect(drain(FileQueue(roots: [tree.path], options: WalkOptions())) == [path])
    }

    @Test("ignore rules leave out defaults, ignore-file globs and re-included paths")
    func ignoreRules() throws {
        let tree = try TemporaryTree([
            "src/app.py": "", "web/package-lock.json": "", "web/app.min.js": "", ".git/config": "",
            "build/out.txt": "", "build/keep.txt": "",
        ])
        var ignore = IgnoreRules()
        ignore.add(lines: ["build/", "# comment", "*.txt", "!keep.txt"])
        let queue = FileQueue(roots: [tree.path], options: WalkOptions(ignore: ignore))
        #expect(drain(queue) == ["src/app.py"])
        #expect(queue.report.excluded == 4)
        var reincluded = IgnoreRules()
        reincluded.add(lines: ["*.txt", "!keep.txt"])
        #expect(drain(FileQueue(roots: [tree.path], options: WalkOptions(ignore: reincluded))) == ["build/keep.txt", "src/app.py"])
    }

    @Test(".custosignore files apply to their own folder and below, deeper files override")
    func nestedIgnoreFiles() throws {
        let tree = try TemporaryTree([
            ".custosignore": "*.log\n",
            "app/.custosignore": "testdata/\n!keep.log\n",
            "app/testdata/session.har": "", "app/src/main.py": "", "app/keep.log": "", "app/run.log": "",
            "other/testdata/case.txt": "", "other/run.log": "",
        ])
        let paths = drain(FileQueue(roots: [tree.path], options: WalkOptions(ignore: IgnoreRules(includeDefaults: false))))
        #expect(paths == [".custosignore", "app/.custosignore", "app/keep.log", "app/src/main.py", "other/testdata/case.txt"])
    }

    @Test("a folder that takes many listing calls is listed whole, each name once")
    func largeFolder() throws {
        // 3,000 names of ~60 bytes: about six of the walk's 32 KB listing buffers.
        var files: [String: String] = [:]
        for index in 0..<3_000 { files["many/\(String(repeating: "n", count: 50))-\(index).txt"] = "" }
        let tree = try TemporaryTree(files)
        let paths = drain(FileQueue(roots: [tree.path], options: WalkOptions()), workers: 2)
        #expect(paths == files.keys.sorted())
    }

    @Test("an ignore file that is a folder or a symbolic link is not read")
    func ignoreFileNotRegular() throws {
        let tree = try TemporaryTree(["a/.custosignore/inside.txt": "", "a/x.log": "", "b/x.log": "", "rules.txt": "*.log\n"])
        try tree.symlink("b/.custosignore", to: tree.url("rules.txt").path)
        let paths = drain(FileQueue(roots: [tree.path], options: WalkOptions(ignore: IgnoreRules(includeDefaults: false))))
        #expect(paths == ["a/.custosignore/inside.txt", "a/x.log", "b/x.log", "rules.txt"])
    }

    @Test("a missing root is a warning, not a crash")
    func missingRoot() {
        let queue = FileQueue(roots: ["/nonexistent/custos/root"], options: WalkOptions())
        #expect(drain(queue).isEmpty)
        #expect(queue.report.warnings.count == 1)
    }
}
