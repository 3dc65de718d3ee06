import CustosCore
import CustosEngine
import CustosRules
import CustosScan
import CustosSources
import CustosTestSupport
import Foundation
import Testing

func historyScan(_ repository: TemporaryRepository, allProvenance: Bool = false, ignore: GitIgnore = GitIgnore()) throws -> ScanResult {
    let opened = try GitRepository(path: repository.path)
    let walker = GitHistoryWalker(repository: opened, allProvenance: allProvenance, ignore: ignore)
    return try GitHistoryScan(engine: try engine(), repositoryPath: repository.path, threads: 2).run(walker)
}

func diffScan(_ repository: TemporaryRepository, _ selection: DiffSelection) throws -> ScanResult {
    try DiffScan(engine: try engine(), repository: GitRepository(path: repository.path), ignore: IgnoreRules()).run(selection)
}

@Suite("Git history, staged and range scans (issue 4)")
struct GitScanTests {
    @Test("a secret added then deleted is found and attributed to the commit that added it")
    func addedThenDeleted() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", ["README.md": "hello\n"])
        let adding = try repository.commit("add config", ["config.env": "A=1\nTOKEN=\(token(1))\n"])
        try repository.commit("remove config", removing: ["config.env"])
        let result = try historyScan(repository)
        let finding = try #require(result.findings.first)
        #expect(result.findings.count == 1)
        #expect(finding.path == "config.env")
        #expect(finding.start.line == 2)
        #expect(finding.git?.introducedBy?.commit == adding)
        #expect(finding.git?.introducedBy?.author == "Ada Tester")
        #expect(finding.git?.introducedBy?.summary == "add config")
    }

    @Test("the same blob on three branches is scanned once and has three provenances")
    func sameBlobThreeBranches() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", ["README.md": "hello\n"])
        var commits: [String] = []
        for branch in ["a", "b", "c"] {
            try repository.git("checkout", "-q", "-b", branch, "main")
            commits.append(try repository.commit("add on \(branch)", ["\(branch)/app.env": "TOKEN=\(token(7))\n"]))
        }
        let first = try historyScan(repository)
        #expect(first.summary.filesScanned == 2)  // README.md and the one shared blob
        #expect(first.findings.count == 1)
        let all = try historyScan(repository, allProvenance: true)
        let provenance = try #require(all.findings.first?.git?.commits)
        #expect(Set(provenance.map(\.commit)) == Set(commits))
        #expect(Set(provenance.map(\.path)) == ["a/app.env", "b/app.env", "c/app.env"])
    }

    @Test("a merge commit adds nothing new; a rename is another provenance, not another finding")
    func mergeAndRename() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", ["README.md": "hello\n"])
        try repository.git("checkout", "-q", "-b", "feature")
        let adding = try repository.commit("feature secret", ["feature.env": "TOKEN=\(token(3))\n"])
        try repository.git("checkout", "-q", "main")
        try repository.commit("main work", ["main.txt": "work\n"])
        try repository.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
        try repository.git("mv", "feature.env", "renamed.env")
        try repository.commit("rename")
        let result = try historyScan(repository)
        #expect(result.findings.count == 1)
        #expect(result.findings.first?.git?.introducedBy?.commit == adding)
        let all = try historyScan(repository, allProvenance: true)
        #expect(all.findings.first?.git?.commits.map(\.path) == ["feature.env", "renamed.env"])
        // In a range scan the rename adds no lines, so it reports nothing.
        #expect(try diffScan(repository, .range(from: "HEAD~1", to: "HEAD")).findings.isEmpty)
    }

    @Test("committed exports go through the decoders: zip members, UTF-16 and XML entities")
    func decodedBlobs() throws {
        let repository = try TemporaryRepository()
        try repository.tree.write("backup/line3.reg", Data([0xff, 0xfe]) + Data("[HKLM]\r\n\"Key\"=\"\(token(11))\"\r\n".utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }))
        let xmlToken = token(12)
        try repository.tree.write("export/project.xml", "<Project>\n  <Key>\(xmlToken.prefix(5))&#x\(String(xmlToken.utf8[xmlToken.utf8.index(xmlToken.utf8.startIndex, offsetBy: 5)], radix: 16));\(xmlToken.dropFirst(6))</Key>\n</Project>\n")
        try repository.tree.write("member.env", "TOKEN=\(token(13))\n")
        _ = try Command.run(["python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.write(sys.argv[2],'cfg/member.env'); z.close()",
                             repository.tree.url("backup/gateway.zip").path, repository.tree.url("member.env").path])
        try FileManager.default.removeItem(at: repository.tree.url("member.env"))
        let adding = try repository.commit("exports")
        let result = try historyScan(repository)
        #expect(result.findings.map(\.secret).sorted() == [token(11), xmlToken, token(13)].sorted())
        #expect(Set(result.findings.map(\.path)) == ["backup/line3.reg", "export/project.xml", "backup/gateway.zip!/cfg/member.env"])
        #expect(result.findings.allSatisfy { $0.git?.introducedBy?.commit == adding })
        let keyLine = try String(contentsOf: repository.tree.url("export/project.xml"), encoding: .utf8).split(separator: "\n")[1]
        try repository.tree.write("export/project.xml", "<Project>\n\(keyLine)\n  <Other>&amp;\(token(14))</Other>\n</Project>\n")
        try repository.git("add", "export/project.xml")
        let staged = try diffScan(repository, .staged)
        #expect(staged.findings.map(\.secret) == [token(14)])
        #expect(staged.findings.first?.start.line == 3)
    }

    @Test("binary blobs are skipped")
    func binaryBlob() throws {
        let repository = try TemporaryRepository()
        try repository.tree.write("image.bin", Data([0x89, 0x50, 0x4e, 0x47, 0, 0]) + Data(token(4).utf8))
        try repository.commit("binary")
        let result = try historyScan(repository)
        #expect(result.findings.isEmpty)
        #expect(result.summary.filesSkippedBinary == 1)
    }

    @Test("a staged scan reports only staged added lines, with line numbers in the staged file")
    func stagedOnly() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", ["app.env": "OLD=\(token(5))\nA=1\n"])
        try repository.tree.write("app.env", "OLD=\(token(5))\nA=1\nNEW=\(token(6))\n")
        try repository.git("add", "app.env")
        try repository.tree.write("unstaged.env", "X=\(token(8))\n")
        let result = try diffScan(repository, .staged)
        #expect(result.findings.map(\.secret) == [token(6)])
        #expect(result.findings.first?.start.line == 3)
        #expect(result.findings.first?.path == "app.env")
    }

    @Test("a range scan reports what the range adds, attributed to each commit")
    func range() throws {
        let repository = try TemporaryRepository()
        let base = try repository.commit("start", ["old.env": "T=\(token(9))\n"])
        let first = try repository.commit("one", ["new.env": "T=\(token(10))\n"])
        try repository.commit("two", ["new.env": "T=\(token(10))\nU=\(token(11))\n"])
        let result = try diffScan(repository, .range(from: base, to: "HEAD"))
        #expect(result.findings.map(\.secret).sorted() == [token(10), token(11)].sorted())
        #expect(result.findings.first { $0.secret == token(10) }?.git?.introducedBy?.commit == first)
    }

    @Test("a corrupt object is a warning and the rest of history is still scanned")
    func corruptObject() throws {
        let repository = try TemporaryRepository()
        try repository.commit("good", ["good.env": "T=\(token(12))\n"])
        try repository.commit("bad", ["bad.env": "T=\(token(13))\n"])
        let blob = try repository.git("rev-parse", "HEAD:bad.env")
        let object = repository.tree.url(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        chmod(object.path, 0o644)
        try Data("not a zlib stream".utf8).write(to: object)
        let result = try historyScan(repository)
        #expect(result.findings.map(\.secret) == [token(12)])
        #expect(result.warnings.contains { $0.path == "bad.env" && $0.message.contains("cannot read blob") })
    }
}

@Suite("Repositories of every shape (issue 4)")
struct RepositoryShapeTests {
    @Test("a bare clone is scanned like its source")
    func bare() throws {
        let repository = try TemporaryRepository()
        try repository.commit("leak", ["app.env": "TOKEN=\(token(20))\n"])
        let bare = try TemporaryTree()
        _ = try Command.run(["git", "clone", "-q", "--bare", repository.path, bare.url("repo.git").path])
        let opened = try GitRepository(path: bare.url("repo.git").path)
        #expect(opened.isBare)
        let index = try GitHistoryWalker(repository: opened).run()
        let result = GitHistoryScan(engine: try engine(), repositoryPath: bare.url("repo.git").path, threads: 2).run(index)
        #expect(result.findings.map(\.secret) == [token(20)])
    }

    @Test("a shallow clone says that older history was not scanned")
    func shallow() throws {
        let repository = try TemporaryRepository()
        try repository.commit("old", ["old.env": "TOKEN=\(token(21))\n"])
        try repository.commit("new", ["new.env": "TOKEN=\(token(22))\n"])
        let clone = try TemporaryTree()
        _ = try Command.run(["git", "clone", "-q", "--depth", "1", "file://" + repository.path, clone.url("shallow").path])
        let opened = try GitRepository(path: clone.url("shallow").path)
        let index = try GitHistoryWalker(repository: opened).run()
        #expect(index.notes.contains { $0.message.hasPrefix("shallow clone") })
        let result = GitHistoryScan(engine: try engine(), repositoryPath: clone.url("shallow").path, threads: 1).run(index)
        // The shallow tip still holds both files; what it cannot see is the commits before it.
        #expect(Set(result.findings.map(\.secret)) == [token(21), token(22)])
    }

    @Test("Git LFS pointers are noted, not scanned; submodules are skipped with a note")
    func lfsAndSubmodules() throws {
        let repository = try TemporaryRepository()
        let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
        try repository.commit("lfs", ["model.bin": pointer])
        let sub = try TemporaryRepository()
        try sub.commit("sub", ["x.txt": "x\n"])
        _ = try Command.run(["git", "-C", repository.path, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.path, "vendor/sub"])
        try repository.commit("add submodule")
        let result = try historyScan(repository)
        #expect(result.warnings.contains { $0.path == "model.bin" && $0.message.hasPrefix("Git LFS pointer") })
        #expect(result.warnings.contains { $0.path == "vendor/sub" && $0.message.hasPrefix("submodule skipped") })
    }
}

@Suite("History scans read packs as they read loose objects (issue 18)")
struct PackedHistoryTests {
    /// A history where secrets come and go in files that change a little each commit, on two
    /// branches, so packing makes delta chains of blobs and trees.
    func evolvingRepository() throws -> TemporaryRepository {
        let repository = try TemporaryRepository()
        var lines = (0..<120).map { "setting_\($0) = value number \($0) of the application" }
        for number in 0..<30 {
            lines[(number * 11) % lines.count] = "setting_changed_\(number) = \(number)"
            if number % 7 == 3 { lines.append("TOKEN_\(number)=\(token(100 + number))") }
            if number % 9 == 5 { lines.removeAll { $0.hasPrefix("TOKEN_") } }
            try repository.commit("step \(number)", ["config/app.cfg": lines.joined(separator: "\n") + "\n",
                                                      "config/copy/app.cfg": lines.prefix(60).joined(separator: "\n") + "\n"])
            if number == 15 {
                try repository.git("checkout", "-q", "-b", "side")
                try repository.commit("side secret", ["side.env": "T=\(token(200))\n"])
                try repository.git("checkout", "-q", "main")
            }
        }
        return repository
    }

    func described(_ result: ScanResult) -> [String] {
        result.findings.map { "\($0.secret) \($0.path) \($0.start.line) \($0.git?.blob ?? "") \($0.git?.introducedBy?.commit ?? "")" }.sorted()
    }

    @Test("a packed history gives the same findings, blobs and introducing commits as loose, with 1 or 3 threads")
    func packedEqualsLoose() throws {
        let repository = try evolvingRepository()
        let loose = try historyScan(repository)
        #expect(loose.findings.count >= 4)
        try pack(repository, aggressive: true)
        let opened = try GitRepository(path: repository.path)
        for threads in [1, 3] {
            let packed = try GitHistoryScan(engine: try engine(), repositoryPath: repository.path, threads: threads)
                .run(GitHistoryWalker(repository: opened))
            #expect(described(packed) == described(loose))
            #expect(packed.summary.filesScanned == loose.summary.filesScanned)
            #expect(packed.warnings.isEmpty)
        }
        let all = try historyScan(repository, allProvenance: true)
        #expect(all.findings.count == loose.findings.count)
    }

    @Test("the walk finds every blob git lists, each once")
    func walkMatchesGit() throws {
        let repository = try evolvingRepository()
        try pack(repository)
        let index = try GitHistoryWalker(repository: try GitRepository(path: repository.path)).run()
        let listed = try repository.git("rev-list", "--objects", "--all").split(separator: "\n").map { String($0.prefix(40)) }
        let blobs = try Set(listed.filter { try repository.git("cat-file", "-t", $0) == "blob" })
        #expect(Set(index.blobs.map(\.blob.description)) == blobs)
        #expect(index.blobs.count == blobs.count)
    }
}

@Suite("Ignore rules in history and diff scans (issue 12)")
struct GitIgnoreScanTests {
    @Test("a folder ignored at one path is still scanned where the same tree sits elsewhere")
    func sameTreeTwoPlaces() throws {
        let repository = try TemporaryRepository()
        try repository.commit("vendored", ["third_party/lib/app.env": "T=\(token(30))\n"])
        try repository.git("mv", "third_party/lib", "lib")
        try repository.commit("moved")
        let result = try historyScan(repository, ignore: GitIgnore(lines: ["third_party/"]))
        #expect(result.findings.map(\.path) == ["lib/app.env"])
        #expect(try historyScan(repository, ignore: GitIgnore(lines: ["/lib/", "third_party/"])).findings.isEmpty)
    }

    @Test("name rules leave a blob out under one name and keep it under another")
    func sameBlobTwoNames() throws {
        let repository = try TemporaryRepository()
        try repository.commit("sample", ["app.env.sample": "T=\(token(31))\n"])
        try repository.git("mv", "app.env.sample", "app.env")
        try repository.commit("real")
        let result = try historyScan(repository, ignore: GitIgnore(lines: ["*.sample"]))
        #expect(result.findings.map(\.path) == ["app.env"])
        #expect(result.summary.filesSkippedExcluded == 1)
    }

    @Test("the ignore files committed at the snapshot apply, each from its own folder")
    func committedIgnoreFiles() throws {
        let repository = try TemporaryRepository()
        let commit = try repository.commit("ignores", [".custosignore": "*.log\n", "deep/.custosignore": "keep.txt\n!kept.log\n"])
        var ignore = GitIgnore()
        let warnings = ignore.addIgnoreFiles(ofCommit: ObjectID(hex: Array(commit.utf8))!, in: try GitRepository(path: repository.path))
        #expect(warnings.isEmpty)
        #expect(ignore.ignoreFiles == [".custosignore", "deep/.custosignore"])
        #expect(ignore.isIgnored("a.log") && ignore.isIgnored("deep/x.log") && !ignore.isIgnored("deep/kept.log"))
        #expect(ignore.isIgnored("deep/keep.txt") && !ignore.isIgnored("keep.txt"))
        #expect(!ignore.judgesNamesOnly)
    }
}

@Suite("Diffs of files that are not line text (issue 12)")
struct BinaryDiffTests {
    func zip(_ members: [String: String], to path: String) throws {
        let script = "import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\nfor k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)\nz.close()"
        let members = String(decoding: try JSONSerialization.data(withJSONObject: members), as: UTF8.self)
        #expect(try Command.run(["python3", "-c", script, path, members]).status == 0)
    }

    @Test("a changed zip reports the secrets its new version adds, not those it already held")
    func changedZip() throws {
        let repository = try TemporaryRepository()
        try zip(["old.env": "T=\(token(40))\n"], to: repository.tree.url("backup.zip").path)
        let base = try repository.commit("backup")
        try zip(["old.env": "T=\(token(40))\n", "new.env": "T=\(token(41))\n"], to: repository.tree.url("backup.zip").path)
        try repository.git("add", "backup.zip")
        #expect(try diffScan(repository, .staged).findings.map(\.secret) == [token(41)])
        try repository.commit("more")
        let range = try diffScan(repository, .range(from: base, to: "HEAD"))
        #expect(range.findings.map(\.path) == ["backup.zip!/new.env"])
    }

    @Test("a UTF-16 registry export changed in place reports only its new secret")
    func utf16Export() throws {
        let repository = try TemporaryRepository()
        func reg(_ text: String) -> Data {
            Data([0xff, 0xfe]) + Data(text.utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] })
        }
        try repository.tree.write("line3.reg", reg("[HKLM]\r\n\"A\"=\"\(token(42))\"\r\n"))
        try repository.commit("export")
        try repository.tree.write("line3.reg", reg("[HKLM]\r\n\"A\"=\"\(token(42))\"\r\n\"B\"=\"\(token(43))\"\r\n"))
        try repository.git("add", "line3.reg")
        #expect(try diffScan(repository, .staged).findings.map(\.secret) == [token(43)])
    }
}

/// Packs every object of a repository into one pack (deeper delta chains with `aggressive`)
/// and drops the loose copies. The object list is piped from rev-list inside one shell:
/// `git repack` hands pack-objects a pipe of its own, which in parallel test runs was seen to
/// carry other programs' output through inherited descriptors.
func pack(_ repository: TemporaryRepository, aggressive: Bool = false) throws {
    let options = aggressive ? "--depth=50 --window=250" : ""
    let script = "cd \"$0\" && git rev-list --objects --all < /dev/null | git pack-objects -q \(options) .git/objects/pack/pack > /dev/null && git prune-packed < /dev/null"
    let result = try Command.run(["sh", "-c", script, repository.path])
    guard result.status == 0 else { throw PackingFailed(message: result.stderr) }
}

struct PackingFailed: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
