import CustosTestSupport
import Foundation
import Testing

/// Issue 12: a green run means nothing leaked. Missing paths, damaged outputs and the
/// pre-commit framework's own way of calling the hook, tried as a CI job and a team would.
@Suite("CI trust: exit statuses, outputs, pre-commit (end to end)", .serialized)
struct CITrustTests {
    static let token = fakeToken

    @Test("a path that does not exist exits 2 for every command that takes paths", arguments: [
        ["scan", "no-such-folder"],
        ["sweep", "no-such-folder", "--state", "STATE"],
        ["baseline", "create", "no-such-folder", "--output", "BASELINE"],
        ["report", "--by-owner", "no-such-folder", "--output-dir", "OUT"],
    ])
    func missingPath(_ arguments: [String]) throws {
        let tree = try TemporaryTree(["present/app.env": "TOKEN=\(Self.token)\n"])
        let state = TemporaryTree.outside("state.db")
        let argumentsHere = arguments.map { $0 == "STATE" ? state : $0 == "BASELINE" ? tree.url("b.json").path : $0 == "OUT" ? tree.url("out").path : $0 }
        let result = try CustosBinary.run(argumentsHere, in: tree.path)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("no-such-folder"))
        #expect(!FileManager.default.fileExists(atPath: state))
    }

    @Test("--output to a FIFO is written into it (read by a reader) and the FIFO stays a FIFO")
    func outputToFIFO() throws {
        let tree = try TemporaryTree(["app.env": "TOKEN=\(Self.token)\n"])
        let fifo = tree.url("report.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = try Command.start(["cat", fifo])
        let result = try CustosBinary.run(["scan", "app.env", "--format", "json", "--output", fifo], in: tree.path)
        let read = try reader.finish()
        #expect(result.status == 1)
        #expect(read.stdout.contains("\"rule_id\""))
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test("--output - writes to standard output and no file named -")
    func outputDash() throws {
        let tree = try TemporaryTree(["app.env": "TOKEN=\(Self.token)\n"])
        let result = try CustosBinary.run(["scan", "app.env", "--format", "json", "--output", "-"], in: tree.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("\"findings\""))
        #expect(!FileManager.default.fileExists(atPath: tree.url("-").path))
    }

    @Test("--output through a symbolic link writes the file it points at; the link stays a link")
    func outputThroughSymlink() throws {
        let tree = try TemporaryTree(["app.env": "TOKEN=\(Self.token)\n", "reports/old.json": "old"])
        let link = tree.url("latest.json").path
        #expect(symlink("reports/old.json", link) == 0)
        let result = try CustosBinary.run(["scan", "app.env", "--format", "json", "--output", link], in: tree.path)
        #expect(result.status == 1)
        var info = stat()
        #expect(lstat(link, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
        #expect(try String(contentsOfFile: tree.url("reports/old.json").path, encoding: .utf8).contains("\"rule_id\""))
    }

    @Test("--exit-code, --quiet and --no-color; an audit with --ignore-allow-comments sees what allow comments hide")
    func flags() throws {
        let tree = try TemporaryTree([
            "allowed.env": "TOKEN=\(Self.token) # custos:allow\n",
            "kingfisher.env": "TOKEN=\(Self.token) # kingfisher:ignore\n",
            "nextline.env": "# pragma: allowlist nextline secret\nTOKEN=\(Self.token)\n",
        ])
        let clean = try CustosBinary.run(["scan", "."], in: tree.path)
        #expect(clean.status == 0, "every marker silences its line: \(clean.stdout)")
        let audit = try CustosBinary.run(["scan", ".", "--ignore-allow-comments", "--exit-code", "7", "--quiet", "--no-color"], in: tree.path)
        #expect(audit.status == 7)
        #expect(audit.stderr.isEmpty)
        #expect(!audit.stdout.contains("\u{1B}["))
        #expect(audit.stdout.components(separatedBy: "github-classic-pat").count - 1 == 3)
    }

    @Test("a detect-secrets .secrets.baseline is never a finding itself")
    func secretsBaselineIsNotAFinding() throws {
        let baseline = """
            {"version": "1.5.0", "results": {"app.py": [{"type": "Secret Keyword", "filename": "app.py",
             "hashed_secret": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "is_verified": false, "line_number": 3}]}}
            """
        let tree = try TemporaryTree([".secrets.baseline": baseline])
        #expect(try CustosBinary.run(["scan", "."], in: tree.path).status == 0)
    }

    @Test("pre-commit's own try-repo with --all-files fails on a committed secret, and passes once it is gone")
    func preCommitAllFiles() throws {
        let hook = try TemporaryRepository()
        // The hook repository as pre-commit sees it: this project's .pre-commit-hooks.yaml, committed.
        try hook.commit("hook", [".pre-commit-hooks.yaml": try String(contentsOfFile: PackageRoot.path(".pre-commit-hooks.yaml"), encoding: .utf8)])
        let project = try TemporaryRepository()
        try project.commit("leak", ["deploy/app.env": "TOKEN=\(Self.token)\n", "README.md": "hello\n"])
        let binaryFolder = (CustosBinary.path as NSString).deletingLastPathComponent
        let environment = ["PATH": "\(binaryFolder):/usr/local/bin:/usr/bin:/bin", "PRE_COMMIT_HOME": project.tree.url(".pre-commit-cache").path]
        let blocked = try Command.run(["pre-commit", "try-repo", hook.path, "custos", "--all-files", "--verbose"],
                                      in: project.path, environment: environment)
        #expect(blocked.status == 1, "\(blocked.stdout)\(blocked.stderr)")
        #expect(blocked.stdout.contains("deploy/app.env"))
        try project.commit("fix", ["deploy/app.env": "TOKEN=${GITHUB_TOKEN}\n"])
        let passed = try Command.run(["pre-commit", "try-repo", hook.path, "custos", "--all-files"],
                                     in: project.path, environment: environment)
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
    }

    @Test("a blocked commit is told how to fix it, allow a line, or skip")
    func blockedCommitMessage() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", ["README.md": "hello\n"])
        try repository.tree.write("deploy.sh", "export GITHUB_TOKEN=\(Self.token)\n")
        try repository.git("add", "deploy.sh")
        let blocked = try CustosBinary.run(["protect", "--staged", "deploy.sh"], in: repository.path)
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("custos:allow"))
        #expect(blocked.stderr.contains("--no-verify"))
    }
}
