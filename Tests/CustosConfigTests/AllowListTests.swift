import CustosConfig
import CustosCore
import Foundation
import Crypto
import Testing

@Suite("Allow lists")
struct AllowListTests {
    func allow(_ yaml: String) throws -> AllowList {
        try ScanConfiguration.parse(yaml: "allow:\n" + yaml, source: ".custos.yaml", directory: ".").allow
    }

    /// Whether the allow list drops this finding.
    func drops(_ list: AllowList, _ finding: Finding, roots: [String] = []) -> Bool {
        list.apply(to: [finding], roots: roots).allowed == 1
    }

    @Test("paths: gitignore-style globs, relative to the scan root, also covering archive members")
    func paths() throws {
        let list = try allow("  paths: ['tests/**', '*.example']\n")
        #expect(drops(list, finding(path: "tests/unit/app.env")))
        #expect(drops(list, finding(path: "config/app.env.example")))
        #expect(!drops(list, finding(path: "src/tests.env")))
        #expect(drops(list, finding(path: "/work/repo/tests/a.env"), roots: ["/work/repo/"]))
        #expect(drops(list, finding(path: "./tests/a.env")))
        var member = finding(path: "x")
        member.origin = .archiveMember(parent: .file("tests/bundle.zip"), name: "cfg/app.env")
        #expect(drops(list, member))
    }

    @Test("path_regexes: gitleaks-style regexes on the path")
    func pathRegexes() throws {
        let list = try allow("  path_regexes: ['(?i)\\.(?:md|txt)$', '(^|/)docs/']\n")
        #expect(drops(list, finding(path: "README.MD")))
        #expect(drops(list, finding(path: "site/docs/a.env")))
        #expect(!drops(list, finding(path: "src/app.env")))
    }

    @Test("values: the exact secret, nothing else")
    func values() throws {
        let list = try allow("  values: ['\(Fake.password)']\n")
        #expect(drops(list, finding(secret: Fake.password)))
        #expect(!drops(list, finding(secret: Fake.password + "x")))
    }

    @Test("regexes search the secret; line_regexes the line around it")
    func regexes() throws {
        let secret = try allow("  regexes: ['^ghp_KAzN']\n")
        #expect(drops(secret, finding()))
        #expect(!drops(secret, finding(secret: Fake.internalToken)))
        let line = try allow("  line_regexes: ['#\\s*notsecret\\b']\n")
        #expect(drops(line, finding(after: "  # notsecret")))
        #expect(!drops(line, finding(after: "  # secret")))
    }

    @Test("RE2 spellings ICU reads differently still work: (?P<name>), [ in a class, a literal {")
    func re2Spellings() throws {
        let list = try allow("  regexes: ['(?P<prefix_1>ghp_)[[A-Za-z0-9]{36}', 'x{y', '^(?i:sample)_\\d+\\z']\n")
        #expect(drops(list, finding()))
        #expect(drops(list, finding(secret: "ax{yz")))
        #expect(drops(list, finding(secret: "SAMPLE_42")))
        #expect(!drops(list, finding(secret: "SAMPLE_42x")))
        let paths = try allow("  path_regexes: ['\\.(?i)(?:bin|css|docx?)$']\n")
        #expect(drops(paths, finding(path: "a/b.DOCX")))
        #expect(!drops(paths, finding(path: "a/b.DOCS")))
    }

    @Test("stopwords: anywhere in the secret, in any case")
    func stopwords() throws {
        let list = try allow("  stopwords: [Dummy]\n")
        #expect(drops(list, finding(secret: "xxDUMMYxx1234")))
        #expect(!drops(list, finding(secret: Fake.password)))
    }

    @Test("fingerprints: custos's rule-and-secret fingerprint")
    func fingerprints() throws {
        let target = finding()
        let list = try allow("  fingerprints: ['\(target.fingerprint.hex.uppercased())']\n")
        #expect(drops(list, target))
        #expect(!drops(list, finding("other-rule")))
    }

    @Test("sha1: detect-secrets' hashed_secret of the secret")
    func sha1() throws {
        let hash = Insecure.SHA1.hash(data: Array(Fake.password.utf8)).map { String(format: "%02x", $0) }.joined()
        let list = try allow("  sha1: ['\(hash)']\n")
        #expect(drops(list, finding("generic-password", secret: Fake.password)))
        #expect(!drops(list, finding()))
    }

    @Test("commits: a history finding is allowed only when every commit that added it is listed")
    func commits() throws {
        let list = try allow("  commits: ['1a2b3c4d5e6f']\n")
        #expect(drops(list, finding(commits: ["1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"])))
        #expect(!drops(list, finding(commits: ["1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", "ffffffffffffffffffffffffffffffffffffffff"])))
        #expect(!drops(list, finding()))
    }

    @Test("locations: path and line, optionally rule and commit")
    func locations() throws {
        let list = try allow("""
              locations:
                - path: src/app.env
                  line: 3
                - path: src/other.env
                  line: 9
                  rule: generic-password
                - path: old/keys.txt
                  line: 2
                  commit: 1a2b3c4d5e6f7

            """)
        #expect(drops(list, finding(path: "src/app.env", line: 3)))
        #expect(!drops(list, finding(path: "src/app.env", line: 4)))
        #expect(drops(list, finding("generic-password", path: "src/other.env", line: 9)))
        #expect(!drops(list, finding(path: "src/other.env", line: 9)))
        #expect(drops(list, finding(path: "old/keys.txt", line: 2, commits: ["1a2b3c4d5e6f7a8b"])))
        #expect(!drops(list, finding(path: "old/keys.txt", line: 2, commits: ["9999999999999"])))
        #expect(!drops(list, finding(path: "old/keys.txt", line: 2)))
    }

    @Test("scoped entries apply to their rules only; match: all needs every condition")
    func scoped() throws {
        let list = try allow("""
              scoped:
                - rules: ['internal-*']
                  paths: ['tests/**']
                - match: all
                  paths: ['docs/**']
                  stopwords: [sample]

            """)
        #expect(drops(list, finding("internal-token", path: "tests/a.env", secret: Fake.internalToken)))
        #expect(!drops(list, finding(path: "tests/a.env")))
        #expect(drops(list, finding(path: "docs/guide.md", secret: "sample_" + Fake.password)))
        #expect(!drops(list, finding(path: "docs/guide.md")))
        #expect(!drops(list, finding(path: "src/a.env", secret: "sample_" + Fake.password)))
    }

    @Test("apply keeps the order of what it keeps, counts what it drops, and says why")
    func applyAndReason() throws {
        let list = try allow("  stopwords: [sample]\n")
        let findings = [finding(line: 1), finding(line: 2, secret: "sample123456"), finding(line: 3)]
        let (kept, allowed) = list.apply(to: findings)
        #expect(kept.map(\.start.line) == [1, 3])
        #expect(allowed == 1)
        #expect(list.reason(for: findings[1]) == "allow.stopwords: 'sample'")
        #expect(list.reason(for: findings[0]) == nil)
        #expect(AllowList().apply(to: findings).kept.count == 3)
    }
}
