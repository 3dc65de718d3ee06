import CustosTestSupport
import Foundation
import Testing

@Suite("custos config import (end to end)", .serialized)
struct ConfigCommandTests {
    let gitleaks = #"""
        [[rules]]
        id = "internal-token"
        regex = '''\b(itk_[a-z0-9]{32})\b'''
        keywords = ["itk_"]

        [[rules]]
        id = "github-classic-pat"
        regex = '''ghp_[A-Za-z0-9]{36}'''
        keywords = ["ghp_"]

        [[rules]]
        id = "unconvertible"
        regex = '''[0-9a-f]{40}'''

        [[allowlists]]
        paths = ['''(^|/)fixtures/''']
        stopwords = ["dummy"]
        """#

    @Test("imports the files in the current folder, says what it did not import, and never overwrites without --force")
    func importsAndRefusesToOverwrite() throws {
        let tree = try TemporaryTree([
            ".gitleaks.toml": gitleaks,
            ".gitleaksignore": "src/app.env:internal-token:3\n",
        ])
        let first = try CustosBinary.run(["config", "import"], in: tree.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains(".gitleaks.toml: 2 rules converted"))
        #expect(first.stdout.contains("'github-classic-pat' is imported as 'gitleaks-github-classic-pat'"))
        #expect(first.stdout.contains("Not imported:") && first.stdout.contains("'unconvertible'"))
        let configuration = try String(contentsOf: tree.url(".custos.yaml"), encoding: .utf8)
        #expect(configuration.contains("custos-imported-rules.yaml"))
        #expect(configuration.contains("'(^|/)fixtures/'"))
        #expect(configuration.contains("rule: 'internal-token'"))
        let rules = try String(contentsOf: tree.url("custos-imported-rules.yaml"), encoding: .utf8)
        #expect(rules.contains("(?P<secret>itk_[a-z0-9]{32})"))

        // The converted rules run.
        try tree.write("scan/a.txt", "key = itk_p9wkb7qonxec8z6y2yxjfozsvqw4ql4n\n")
        let scan = try CustosBinary.run(["scan", "scan", "--no-builtin-rules", "--rules", "custos-imported-rules.yaml"], in: tree.path)
        #expect(scan.status == 1)
        #expect(scan.stdout.contains("internal-token"))

        let again = try CustosBinary.run(["config", "import"], in: tree.path)
        #expect(again.status == 2)
        #expect(again.stderr.contains("exists; use --force"))
        #expect(try String(contentsOf: tree.url(".custos.yaml"), encoding: .utf8) == configuration)
        #expect(try CustosBinary.run(["config", "import", "--force"], in: tree.path).status == 0)
    }

    @Test("--from and --output; a missing or malformed source exits 2 and writes nothing")
    func explicitSources() throws {
        let tree = try TemporaryTree([
            "peer/.secrets.baseline": #"{"results": {"a.py": [{"type": "Secret Keyword", "hashed_secret": "18ac2ea9f915f00780c26aaefd32638a1a58b50f", "line_number": 4}]}}"#,
            "bad.toml": "[[rules]\n",
        ])
        let imported = try CustosBinary.run(["config", "import", "--from", "peer/.secrets.baseline", "--output", "out/custos.yaml"], in: tree.path)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try String(contentsOf: tree.url("out/custos.yaml"), encoding: .utf8).contains("18ac2ea9f915f00780c26aaefd32638a1a58b50f"))

        let piped = try CustosBinary.run(["config", "import", "--from", "peer/.secrets.baseline", "--output", "-"], in: tree.path)
        #expect(piped.status == 0)
        #expect(piped.stdout.hasPrefix("# custos configuration") && piped.stdout.contains("sha1:"))
        #expect(piped.stderr.contains("Imported:"))
        #expect(!FileManager.default.fileExists(atPath: tree.url("-").path))

        let missing = try CustosBinary.run(["config", "import", "--from", "nope.toml"], in: tree.path)
        #expect(missing.status == 2)
        let malformed = try CustosBinary.run(["config", "import", "--from", "bad.toml"], in: tree.path)
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("bad.toml:1"))
        #expect(!FileManager.default.fileExists(atPath: tree.url(".custos.yaml").path))

        let empty = try TemporaryTree()
        let nothing = try CustosBinary.run(["config", "import"], in: empty.path)
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("nothing to import"))
    }
}
