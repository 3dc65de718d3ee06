import CustosTestSupport
import Foundation
import Testing

/// A GitHub classic PAT shape, generated for these tests.
let fakeToken = "ghp_R7kW2mQ9xT4vL8pZ3nB6yH1cJ5dF0gA2sE4u"

@Suite("custos scan (end to end)", .serialized)
struct ScanCommandTests {
    @Test("exit status: 0 when clean, 1 with findings, 2 on a usage error")
    func exitStatus() throws {
        let tree = try TemporaryTree(["clean.txt": "nothing here\n", "leak/app.env": "GITHUB_TOKEN=\(fakeToken)\n"])
        #expect(try CustosBinary.run(["scan", tree.url("clean.txt").path]).status == 0)
        let found = try CustosBinary.run(["scan", tree.path])
        #expect(found.status == 1)
        #expect(found.stdout.contains("github-classic-pat"))
        #expect(!found.stdout.contains(fakeToken))
        #expect(try CustosBinary.run(["scan", tree.path, "--format", "yaml"]).status == 2)
        #expect(try CustosBinary.run(["scan", tree.path, "--rules", "/nonexistent.yaml"]).status == 2)
    }

    @Test("a Basic Authorization header is one finding, the decoded credential; the RFC's published example is none")
    func basicHeaderOnce() throws {
        // base64("plcadmin:Xk39fjs2Lq8w"); RFC 6749's example client credentials.
        let tree = try TemporaryTree(["flow.txt": "Authorization: Basic cGxjYWRtaW46WGszOWZqczJMcTh3\n",
                                      "rfc.py": "    Authorization: Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW\n"])
        let result = try CustosBinary.run(["scan", tree.path, "--format", "jsonl"])
        let rules = result.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]).map { "\($0["path"] ?? "") \($0["rule_id"] ?? "")" }
        }
        #expect(rules == ["\(tree.path)/flow.txt http-basic-credentials"], "\(rules)")
    }

    @Test("--rule, --exclude-rule and --min-confidence choose the rules by id, tag or glob")
    func ruleSelection() throws {
        let tree = try TemporaryTree(["app.env": "GITHUB_TOKEN=\(fakeToken)\nDB_PASSWORD=Tq8#vLm2pZ!e\n"])
        func rules(_ options: [String]) throws -> [String] {
            let result = try CustosBinary.run(["scan", tree.path, "--format", "jsonl"] + options)
            return result.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["rule_id"] as? String
            }.sorted()
        }
        // The password is read by its name (a named value), so the generic rule gives way.
        #expect(try rules([]) == ["github-classic-pat", "named-password"])
        #expect(try rules(["--rule", "github-*"]) == ["github-classic-pat"])
        #expect(try rules(["--exclude-rule", "named-values"]) == ["generic-password", "github-classic-pat"])
        #expect(try rules(["--exclude-rule", "named-values", "--exclude-rule", "generic"]) == ["github-classic-pat"])
        let typo = try CustosBinary.run(["scan", tree.path, "--rule", "githb-*"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("no rule has the id or tag 'githb-*'"))
    }

    @Test("confidence: medium and high by default, all with --min-confidence low; test and documentation files one level lower")
    func confidenceGate() throws {
        let tree = try TemporaryTree([
            "app.env": "GITHUB_TOKEN=\(fakeToken)\nDB_PASSWORD=Tq8#vLm2pZ!e\nkey=q8Xz2LmP4vRt7WsN9kYb\n",
            "tests/settings.env": "DB_PASSWORD=Tq8#vLm2pZ!e\nDATABASE_URL=postgres://svc_app:Qz7xKp2mWv9n@db.internal:5432/app\n",
            "docs/settings.env": "GITHUB_TOKEN=\(fakeToken)\n",
        ])
        func report(_ options: [String]) throws -> (findings: [String], heldBack: Int) {
            let result = try CustosBinary.run(["scan", tree.path, "--format", "json"] + options)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let findings = (report["findings"] as? [[String: Any]] ?? []).map { finding in
                let path = (finding["path"] as? String ?? "").replacingOccurrences(of: tree.path + "/", with: "")
                return "\(path) \(finding["rule_id"] as? String ?? "") \(finding["confidence"] as? String ?? "")"
            }.sorted()
            return (findings, (report["summary"] as? [String: Any])?["findings_below_confidence"] as? Int ?? -1)
        }
        // A value under the weak name `key` is low, and so is a password known by its name in a
        // test file (test passwords are written to look real): held back, and counted. A
        // provider token in documentation is one level lower: still reported.
        let standard = try report([])
        #expect(standard.findings == [
            "app.env github-classic-pat high", "app.env named-password high", "docs/settings.env github-classic-pat medium",
        ])
        // A password in a URL is chosen, not issued (trait `chosen-password`): low in a test file too.
        #expect(standard.heldBack == 3)
        let all = try report(["--min-confidence", "low"]).findings
        #expect(all.contains("app.env named-secret low") && all.contains("tests/settings.env named-password low"))
        #expect(all.contains("tests/settings.env postgres-url low"))
        let high = try report(["--min-confidence", "high"])
        #expect(high.findings == ["app.env github-classic-pat high", "app.env named-password high"])
        #expect(high.heldBack == 4)
    }

    @Test("scan - reads standard input and reports it as stdin")
    func standardInput() throws {
        let input = Data("first line\nexport GITHUB_TOKEN=\(fakeToken)\n".utf8)
        let result = try Command.run([CustosBinary.path, "scan", "-", "--format", "jsonl"], input: input)
        #expect(result.status == 1)
        let finding = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(finding["path"] as? String == "stdin")
        #expect(finding["line"] as? Int == 2)
        #expect(finding["rule_id"] as? String == "github-classic-pat")
        #expect(try Command.run([CustosBinary.path, "scan", "-"], input: Data("nothing\n".utf8)).status == 0)
    }

    @Test("--no-redact prints the whole secret; --output writes the report to a file")
    func outputOptions() throws {
        let tree = try TemporaryTree(["app.env": "GITHUB_TOKEN=\(fakeToken)\n"])
        let report = tree.url("out.json").path
        let result = try CustosBinary.run(["scan", tree.url("app.env").path, "--no-redact", "--format", "json", "--output", report])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains(fakeToken))
    }

    @Test("bad input gets a warning, no crash or hang, and the rest is still scanned")
    func badInput() throws {
        let tree = try TemporaryTree([
            "empty.txt": "",
            "good/leak.env": "GITHUB_TOKEN=\(fakeToken)\n",
            "deep/" + Array(repeating: "d", count: 200).joined(separator: "/") + "/deep.env": "TOKEN=\(fakeToken)\n",
        ])
        var invalid = Data([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0x20])
        invalid.append(Data("TOKEN=\(fakeToken)\n".utf8))
        try tree.write("invalid-utf8.txt", invalid)
        // A 10 MB single line with a secret at its very end.
        var huge = Data(repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        huge.append(Data(" \(fakeToken)".utf8))
        try tree.write("huge-line.txt", huge)
        try tree.symlink("good/loop", to: tree.url("good").path)
        try tree.write("locked.txt", "TOKEN=\(fakeToken)\n")
        chmod(tree.url("locked.txt").path, 0)
        chmod(tree.path, 0o755)
        let result = try CustosBinary.run(["scan", tree.path, "--format", "jsonl", "--follow-symlinks"],
                                          prefix: Self.unprivileged)
        #expect(result.status == 1)
        let paths = Set(result.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["path"] as? String
        }.map { String($0.dropFirst(tree.path.count + 1)) })
        #expect(paths.contains("good/leak.env"))
        #expect(paths.contains("invalid-utf8.txt"))
        #expect(paths.contains("huge-line.txt"))
        #expect(paths.contains { $0.hasSuffix("/deep.env") })
        #expect(!paths.contains("locked.txt"))
        #expect(result.stderr.contains("locked.txt: cannot open: Permission denied"))
    }

    /// As root, permissions do not stop reads: run as `nobody` so an unreadable file is one.
    static var unprivileged: [String] {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            ? ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] : []
    }

    @Test("the huge line's secret is located on line 1 at the right column")
    func hugeLineColumn() throws {
        var huge = Data(repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        huge.append(Data(" \(fakeToken)".utf8))
        let tree = try TemporaryTree()
        try tree.write("huge.txt", huge)
        let result = try CustosBinary.run(["scan", tree.url("huge.txt").path, "--format", "jsonl"])
        let finding = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(finding["line"] as? Int == 1)
        #expect(finding["column"] as? Int == 10 * 1024 * 1024 + 2)
    }

    @Test("a .custosignore file and --exclude leave paths out")
    func ignoreFile() throws {
        let tree = try TemporaryTree([
            ".custosignore": "generated/\n",
            "generated/a.env": "TOKEN=\(fakeToken)\n",
            "tmp/b.env": "TOKEN=\(fakeToken)\n",
            "src/c.env": "TOKEN=\(fakeToken)\n",
        ])
        let result = try CustosBinary.run(["scan", ".", "--exclude", "tmp/", "--format", "jsonl"], in: tree.path)
        #expect(result.stdout.split(separator: "\n").count == 1)
        #expect(result.stdout.contains("\"path\":\"src/c.env\""))
    }

    @Test("NO_COLOR and a non-terminal output mean no escape codes")
    func noColor() throws {
        let tree = try TemporaryTree(["a.env": "TOKEN=\(fakeToken)\n"])
        let result = try CustosBinary.run(["scan", tree.path], environment: ["NO_COLOR": "1"])
        #expect(!result.stdout.contains("\u{1B}["))
    }
}
