import CustosTestSupport
import Foundation
import Testing

/// Issue 12: one configuration file, honoured by every mode the same way.
@Suite("The configuration file in every mode (end to end)", .serialized)
struct ConfigModesTests {
    static let kept = fakeToken
    static let allowed = "ghp_" + "Bq7Zr2Lm9Xw4Tk8Pn3Vy6Hc1Jd5Fg0Sa2Eu4"
    static let config = """
        exclude: ["vendor/"]
        allow:
          values: ["\(allowed)"]
        """

    func check(_ result: CommandResult, _ mode: String) {
        #expect(result.status == 1, "\(mode): \(result.stderr)")
        #expect(result.stdout.contains("app.env"), "\(mode) reports the kept secret")
        #expect(!result.stdout.contains("allowed.env"), "\(mode) honours allow: values")
        #expect(!result.stdout.contains("vendor/"), "\(mode) honours exclude:")
    }

    @Test("scan, git history, a range, protect --staged and sweep all honour .custos.yaml")
    func everyMode() throws {
        let repository = try TemporaryRepository()
        try repository.commit("start", [".custos.yaml": Self.config, "README.md": "hi\n"])
        let base = try repository.git("rev-parse", "HEAD")
        try repository.commit("secrets", ["app.env": "TOKEN=\(Self.kept)\n", "allowed.env": "TOKEN=\(Self.allowed)\n",
                                          "vendor/lib.env": "TOKEN=\(Self.kept)\n"])
        check(try CustosBinary.run(["scan", "."], in: repository.path), "scan")
        check(try CustosBinary.run(["git", "."], in: repository.path), "git")
        check(try CustosBinary.run(["git", ".", "--range", "\(base)..HEAD"], in: repository.path), "range")
        try repository.tree.write("app2.env", "TOKEN=\(Self.kept)\n")
        try repository.tree.write("allowed2.env", "TOKEN=\(Self.allowed)\n")
        try repository.tree.write("vendor/lib2.env", "TOKEN=\(Self.kept)\n")
        try repository.git("add", "-A")
        let staged = try CustosBinary.run(["protect", "--staged"], in: repository.path)
        #expect(staged.status == 1 && staged.stdout.contains("app2.env") && !staged.stdout.contains("allowed2.env")
                && !staged.stdout.contains("vendor/"), "protect: \(staged.stdout)")
        let state = TemporaryTree.outside("state.db")
        let swept = try CustosBinary.run(["sweep", repository.path, "--state", state, "--config", repository.tree.url(".custos.yaml").path])
        #expect(swept.status == 1, "\(swept.stderr)")
        #expect(swept.stdout.contains("app.env") && !swept.stdout.contains("allowed") && !swept.stdout.contains("vendor/"), "sweep: \(swept.stdout)")
    }

    @Test("fail_on raises the bar for the exit status; a broken configuration is exit 2 with its line")
    func failOnAndErrors() throws {
        let tree = try TemporaryTree(["app.env": "secret = Winter2025Line3\n", ".custos.yaml": "fail_on: high\n"])
        let low = try CustosBinary.run(["scan", "."], in: tree.path)
        #expect(low.status == 0, "a finding below fail_on is reported but does not fail: \(low.stdout)")
        try tree.write(".custos.yaml", "fail_on: high\nallow:\n  valuez: [x]\n")
        let broken = try CustosBinary.run(["scan", "."], in: tree.path)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains(".custos.yaml:3"), "\(broken.stderr)")
    }

    @Test("a one-character output name is written (Foundation's path methods trap on it)")
    func oneCharacterOutput() throws {
        let tree = try TemporaryTree(["app.env": "TOKEN=\(Self.kept)\n"])
        let result = try CustosBinary.run(["scan", ".", "--format", "json", "--output", "o"], in: tree.path)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: tree.url("o").path))
    }
}
