import CustosTestSupport
import Foundation
import Testing

/// A credential of the given shape, random on every run.
func generatedSecret(_ prefix: String, length: Int) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return prefix + String((0..<length).map { _ in alphabet.randomElement()! })
}

/// A git command in a test's setup failed.
struct SetupFailure: Error, CustomStringConvertible {
    var description: String
}

extension TemporaryRepository {
    /// Commits with author and committer dates `day` days after 2024-01-01, so histories
    /// have the distinct dates real ones have.
    @discardableResult
    func commit(_ message: String, _ files: [String: String], day: Int) throws -> String {
        for (path, text) in files { try tree.write(path, text) }
        try git("add", "-A")
        let date = "@\(1_704_110_400 + day * 86_400) +0000"
        let result = try Command.run(["git", "-C", path, "commit", "-q", "--allow-empty", "-m", message],
                                     environment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
        guard result.status == 0 else { throw SetupFailure(description: result.stderr) }
        return try git("rev-parse", "HEAD")
    }
}

/// An upstream with 30 commits on main and a merge request branch `feature` whose first of
/// three commits adds a GitHub token, cloned as CI does: `depth` commits of every branch.
struct ShallowCheckout {
    let upstream: TemporaryRepository
    let clones: TemporaryTree
    let path: String

    init(depth: Int) throws {
        upstream = try TemporaryRepository()
        for day in 0..<30 { try upstream.commit("main \(day)", ["notes.txt": "line \(day)\n"], day: day) }
        try upstream.git("checkout", "-q", "-b", "feature")
        try upstream.commit("deploy script", ["deploy.sh": "#!/bin/sh\nexport GITHUB_TOKEN=\(fakeToken)\n"], day: 30)
        try upstream.commit("docs", ["README.md": "deploy with deploy.sh\n"], day: 31)
        try upstream.commit("more docs", ["README.md": "deploy with ./deploy.sh\n"], day: 32)
        clones = try TemporaryTree()
        path = clones.url("ci").path
        let cloned = try Command.run(["git", "clone", "-q", "--depth", "\(depth)", "--no-single-branch", "--branch", "feature",
                                      "file://" + upstream.path, path])
        guard cloned.status == 0 else { throw SetupFailure(description: cloned.stderr) }
    }

    func custos(_ arguments: String...) throws -> CommandResult {
        try CustosBinary.run(["git", "."] + arguments, in: path)
    }
}

@Suite("Git scans never turn green on what they could not see (issue 12)", .serialized)
struct GitTrustTests {
    @Test("depth 1: the range's secret is found with the deepen command and exit 3; a base behind the cut is exit 2")
    func depthOne() throws {
        let checkout = try ShallowCheckout(depth: 1)
        let range = try checkout.custos("--range", "origin/main..HEAD")
        #expect(range.status == 3)
        #expect(range.stdout.contains("deploy.sh"))
        #expect(range.stderr.contains("git fetch --deepen"))
        let since = try checkout.custos("--since-commit", "HEAD~1")
        #expect(since.status == 2)
        #expect(since.stderr.contains("git fetch --deepen") && since.stderr.contains("nothing was scanned"))
    }

    @Test("depth 2: commits of the range behind the cut are scanned as one change from the base; exit 3")
    func depthTwo() throws {
        let checkout = try ShallowCheckout(depth: 2)
        let range = try checkout.custos("--range", "origin/main..HEAD")
        #expect(range.status == 3)
        #expect(range.stdout.contains("deploy.sh"))
        #expect(range.stderr.contains("shallow clone") && range.stderr.contains("git fetch --deepen"))
    }

    @Test("depth 20: the whole range is in the clone, so the secret is a plain finding (exit 1)")
    func depthTwenty() throws {
        let checkout = try ShallowCheckout(depth: 20)
        let range = try checkout.custos("--range", "origin/main..HEAD")
        #expect(range.status == 1)
        #expect(range.stdout.contains("deploy.sh"))
        #expect(!range.stderr.contains("warning"))
        #expect(try checkout.custos("--since-commit", "HEAD~3").status == 1)
        #expect(try checkout.custos("--since-commit", "HEAD~2").status == 0)
    }

    @Test("an unknown range base is exit 2 with a message")
    func unknownBase() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", ["a.txt": "a\n"])
        let result = try CustosBinary.run(["git", ".", "--range", "no-such-branch..HEAD"], in: repository.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown revision 'no-such-branch'"))
    }

    @Test("a truncated pack: each unreadable object is a warning, exit 3, and what is readable is still scanned")
    func truncatedPack() throws {
        let repository = try TemporaryRepository()
        for number in 0..<20 {
            try repository.commit("work \(number)", ["src/file\(number).txt": String(repeating: "content \(number) ", count: 400)])
        }
        try pack(repository)
        try repository.commit("leak", ["app.env": "TOKEN=\(fakeToken)\n"])
        let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: repository.tree.url(".git/objects/pack").path)
            .first { $0.hasSuffix(".pack") })
        let packURL = repository.tree.url(".git/objects/pack/\(pack)")
        let bytes = try Data(contentsOf: packURL)
        chmod(packURL.path, 0o644)
        try bytes.prefix(bytes.count / 2).write(to: packURL)
        let result = try CustosBinary.run(["git", "."], in: repository.path)
        #expect(result.status == 3)
        #expect(result.stdout.contains("app.env"))
        #expect(result.stderr.contains("cannot be read") || result.stderr.contains("cannot read"))
    }

    @Test("protect --staged: a file whose HEAD blob is missing is scanned whole, and the damage is exit 3")
    func missingHeadBlob() throws {
        let repository = try TemporaryRepository()
        try repository.commit("config", ["config.env": "MODE=test\n"])
        let blob = try repository.git("rev-parse", "HEAD:config.env")
        try FileManager.default.removeItem(at: repository.tree.url(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))"))
        try repository.tree.write("config.env", "MODE=live\nSTRIPE_SECRET_KEY=\(generatedSecret("sk_live_", length: 32))\n")
        try repository.git("add", "config.env")
        let result = try CustosBinary.run(["protect", "--staged"], in: repository.path)
        #expect(result.status == 3)
        #expect(result.stdout.contains("stripe-secret-key") && result.stdout.contains("config.env"))
        #expect(result.stderr.contains("cannot be read"))
    }

    @Test("a staged zip is read as in a history scan; a committed one too, by --since-commit")
    func stagedZip() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", ["README.md": "hello\n"])
        try repository.tree.write("member.env", "GITHUB_TOKEN=\(fakeToken)\n")
        let zipped = try Command.run(["python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.write(sys.argv[2],'cfg/member.env'); z.close()",
                                      repository.tree.url("backup.zip").path, repository.tree.url("member.env").path])
        #expect(zipped.status == 0)
        try FileManager.default.removeItem(at: repository.tree.url("member.env"))
        try repository.git("add", "backup.zip")
        let staged = try CustosBinary.run(["protect", "--staged"], in: repository.path)
        #expect(staged.status == 1)
        #expect(staged.stdout.contains("backup.zip!/cfg/member.env"))
        try repository.git("commit", "-q", "-m", "backup")
        let since = try CustosBinary.run(["git", ".", "--since-commit", "HEAD~1"], in: repository.path)
        #expect(since.status == 1)
        #expect(since.stdout.contains("backup.zip!/cfg/member.env"))
    }

    @Test(".custosignore as committed is honoured by history, range and since-commit scans, and as staged by protect")
    func ignoreFiles() throws {
        let repository = try TemporaryRepository()
        let base = try repository.commit("start", [".custosignore": "vendor/\n*.sample\n", "README.md": "x\n"])
        try repository.commit("secrets", ["vendor/lib.env": "TOKEN=\(fakeToken)\n", "app.env.sample": "TOKEN=\(fakeToken)\n",
                                          "sub/.custosignore": "local.env\n", "sub/local.env": "TOKEN=\(fakeToken)\n",
                                          "app.env": "TOKEN=\(fakeToken)\n"])
        for arguments in [["git", "."], ["git", ".", "--range", "\(base)..HEAD"], ["git", ".", "--since-commit", base]] {
            let result = try CustosBinary.run(arguments + ["--format", "jsonl"], in: repository.path)
            #expect(result.status == 1, "\(arguments)")
            let paths = result.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["path"] as? String
            }
            #expect(paths == ["app.env"], "\(arguments)")
        }
        let excluded = try CustosBinary.run(["git", ".", "--exclude", "app.env"], in: repository.path)
        #expect(excluded.status == 0)
        try repository.tree.write(".custosignore", "vendor/\n*.sample\nstaged.env\n")
        try repository.tree.write("staged.env", "TOKEN=\(fakeToken)\n")
        try repository.git("add", ".custosignore", "staged.env")
        #expect(try CustosBinary.run(["protect", "--staged"], in: repository.path).status == 0)
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
