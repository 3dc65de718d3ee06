import CustosSources
import CustosSweep
import CustosTestSupport
import Foundation
import Synchronization
import Testing

/// The relative paths a walk of `root` (limited to `scope`) hands out, in order.
private func walked(_ root: String, scope: WalkScope?, followSymlinks: Bool = false) -> [String] {
    let queue = FileQueue(roots: [root], options: WalkOptions(followSymlinks: followSymlinks, scope: scope))
    let collected = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 3) { _ in
        while let entry = queue.next() { collected.withLock { $0.append(entry.relativePath) } }
    }
    return collected.withLock { $0 }.sorted()
}

@Suite("Share planner: the parts of a sharded sweep")
struct SharePlannerTests {
    /// Files at the top, folders of every size, an ignore file at the top and one deeper, a
    /// symbolic link to a folder, a name that is not UTF-8.
    private func share() throws -> TemporaryTree {
        var files: [String: String] = [".custosignore": "*.bak\nskip/\n", "top.txt": "t", "top.bak": "b", "skip/x.txt": "x"]
        for folder in 0..<4 { files["small-\(folder)/a/b/c.txt"] = "c" }
        for line in 0..<7 {
            files["big/line-\(line)/plc/p.txt"] = "p"
            for deep in 0..<3 { files["big/line-\(line)/sub-\(deep)/d.txt"] = "d" }
        }
        files["big/own.txt"] = "o"
        files["big/line-2/.custosignore"] = "sub-1/\n"
        let tree = try TemporaryTree(files)
        try tree.symlink("small-0/link", to: tree.url("big").path)
        let odd = tree.path + "/small-1/caf\u{E9}"
        try FileManager.default.createDirectory(atPath: odd, withIntermediateDirectories: true)
        // A Latin-1 folder name: é as the single byte 0xE9.
        let latin1 = tree.path + "/small-2/"
        mkdir(latin1 + "caf\u{E9}-utf8", 0o755)
        var bytes = Array(latin1.utf8) + [0x63, 0x61, 0x66, 0xE9, 0]
        bytes.withUnsafeMutableBufferPointer { raw in
            _ = raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { mkdir($0, 0o755) }
        }
        bytes.removeLast()
        var path = bytes + Array("/latin.txt".utf8) + [0]
        path.withUnsafeMutableBufferPointer { raw in
            raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { name in
                let descriptor = open(name, O_WRONLY | O_CREAT, 0o644)
                if descriptor >= 0 { _ = write(descriptor, "l", 1); close(descriptor) }
            }
        }
        return tree
    }

    @Test("the parts, walked one by one, hand out exactly the files of one whole walk, each once", arguments: [1, 7, 20, 1000])
    func partsCoverTheShareOnce(target: Int) throws {
        let tree = try share()
        let whole = walked(tree.path, scope: nil)
        #expect(whole.contains("big/line-2/sub-0/d.txt") && !whole.contains("big/line-2/sub-1/d.txt"), "the deeper ignore file applies")
        #expect(!whole.contains("top.bak") && !whole.contains("skip/x.txt"))
        let parts = SharePlanner(targetParts: target).parts(of: tree.path)
        #expect(parts.first == WalkScope(folder: "", except: Set(["big", "skip", "small-0", "small-1", "small-2", "small-3"])))
        let combined = parts.flatMap { walked(tree.path, scope: $0) }.sorted()
        #expect(combined == whole)
        #expect(parts.count <= max(target, 7), "the top is always split, deeper folders only up to the target")
        if target >= 20 {
            #expect(parts.contains { $0.folder == "big/line-3" }, "the folder with the most subfolders is split first")
        } else {
            #expect(parts.contains(WalkScope(folder: "big")) && !parts.contains { $0.folder.hasPrefix("big/") })
        }
    }

    @Test("following symbolic links, every file one walk finds is in a part (a folder reached by two names may be in two)")
    func followingLinks() throws {
        let tree = try share()
        let parts = SharePlanner(targetParts: 1000).parts(of: tree.path)
        let combined = Set(parts.flatMap { walked(tree.path, scope: $0, followSymlinks: true) })
        #expect(combined.isSuperset(of: walked(tree.path, scope: nil, followSymlinks: true)))
        #expect(combined.isSuperset(of: walked(tree.path, scope: nil)))
    }

    @Test("an unreadable or missing share is one part, for its worker to report")
    func missingShare() {
        #expect(SharePlanner().parts(of: "/nonexistent/share") == [WalkScope(folder: "")])
    }
}
