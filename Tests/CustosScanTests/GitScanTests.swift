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
