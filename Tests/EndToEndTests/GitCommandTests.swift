import CustosTestSupport
import Foundation
import Testing

@Suite("custos git, protect and baseline (end to end)", .serialized)
struct GitCommandTests {
    @Test("protect --staged exits 1 on a staged secret and 0 once it is unstaged")
    func protectStaged() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", ["README.md": "hello\n"])
        try repository.tree.write("deploy.sh", "#!/bin/sh\nexport GITHUB_TOKEN=\(fakeToken)\n")
        try repository.git("add", "deploy.sh")
        let blocked = try CustosBinary.run(["protect", "--staged"], in: repository.path)
        #expect(blocked.status == 1)
        #expect(blocked.stdout.contains("deploy.sh"))
        #expect(blocked.stdout.contains("2:"))
        try repository.git("reset", "-q", "deploy.sh")
        #expect(try CustosBinary.run(["protect", "--staged"], in: repository.path).status == 0)
    }

    @Test("git history SARIF carries commit properties and versionControlProvenance, and validates")
    func historySarif() throws {
        let repository = try TemporaryRepository()
        try repository.commit("leak", ["app.env": "TOKEN=\(fakeToken)\n"])
        try repository.commit("fix", removing: ["app.env"])
        let result = try CustosBinary.run(["git", repository.path, "--format", "sarif"])
        #expect(result.status == 1)
        #expect(try SarifValidator.errors(in: result.stdout) == [])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let run = try #require((document["runs"] as? [[String: Any]])?.first)
        #expect((run["versionControlProvenance"] as? [[String: Any]])?.first?["revisionId"] as? String
                == (try repository.git("rev-parse", "HEAD")))
        let properties = try #require((run["results"] as? [[String: Any]])?.first?["properties"] as? [String: Any])
        #expect(properties["commit"] as? String == (try repository.git("rev-parse", "HEAD~1")))
        #expect(properties["author"] as? String == "Ada Tester")
    }

    @Test("a baseline keeps an old secret old after a line move and a rename; a changed secret is new")
    func baseline() throws {
        let tree = try TemporaryTree(["a/app.env": "TOKEN=\(fakeToken)\n"])
        let baseline = tree.url("baseline.json").path
        let created = try CustosBinary.run(["baseline", "create", "a", "--output", baseline], in: tree.path)
        #expect(created.status == 0)
        #expect(!(try String(contentsOfFile: baseline, encoding: .utf8)).contains(fakeToken))
        try FileManager.default.removeItem(at: tree.url("a/app.env"))
        try tree.write("a/moved.env", "# moved\n\n\nTOKEN=\(fakeToken)\n")
        #expect(try CustosBinary.run(["scan", "a", "--baseline", baseline], in: tree.path).status == 0)
        let changed = String(fakeToken.dropLast()) + "Z"
        try tree.write("a/moved.env", "TOKEN=\(changed)\n")
        #expect(try CustosBinary.run(["scan", "a", "--baseline", baseline], in: tree.path).status == 1)
    }

    @Test("a folder that is not a repository is a clear error with exit 2")
    func notARepository() throws {
        let tree = try TemporaryTree(["x.txt": "x"])
        let result = try CustosBinary.run(["git", tree.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot open a git repository"))
    }
}
