import CustosCore
import Testing

@Suite("Fingerprint")
struct FingerprintTests {
    @Test("is SHA-256 over rule id, NUL and secret, in hex")
    func knownValue() {
        // printf 'rule-a\0s3cr3t' | sha256sum
        #expect(Fingerprint(ruleID: "rule-a", secret: "s3cr3t").hex
                == "212e55e9ee957da8d2c322ef410c8f35cdc9bbcd35eb0dfbdc4e388cfd0f1348")
    }

    @Test("changes with the secret and with the rule, not otherwise")
    func stability() {
        let base = Fingerprint(ruleID: "r", secret: "abc")
        #expect(base == Fingerprint(ruleID: "r", secret: Array("abc".utf8)))
        #expect(base != Fingerprint(ruleID: "r", secret: "abd"))
        #expect(base != Fingerprint(ruleID: "s", secret: "abc"))
    }
}

@Suite("Redaction")
struct RedactionTests {
    @Test("shows at most a quarter of the secret and its length")
    func redacts() {
        #expect(SecretDisplay.redact("ghp_0123456789abcdefghijklmnopqrstuvwxyz") == "ghp_…(40 chars)")
        #expect(SecretDisplay.redact("hunter22") == "hu…(8 chars)")
        #expect(SecretDisplay.redact("abc") == "…(3 chars)")
        #expect(SecretDisplay.whole.render("abc") == "abc")
    }
}

@Suite("PathGlob")
struct PathGlobTests {
    @Test("a pattern without a slash matches the name at any depth",
          arguments: [("*.min.js", "a/b/app.min.js", true), ("*.min.js", "app.js", false),
                      ("yarn.lock", "web/yarn.lock", true), ("node_modules/", "x/node_modules", false),
                      ("yarn.lock", "web/yarn.lock.bak", false), ("*.png", ".png", true), ("*.png", "a.png/b", false),
                      ("sess?on.har", "t/session.har", true), ("*.min.*", "a/b/app.min.css", true)])
    func basename(pattern: String, path: String, expected: Bool) {
        #expect(PathGlob(pattern).matches(path) == expected)
    }

    @Test("slashes anchor; ** spans folders; trailing slash means folders only")
    func anchoring() {
        #expect(PathGlob("/build/*.log").matches("build/x.log"))
        #expect(!PathGlob("/build/*.log").matches("a/build/x.log"))
        #expect(PathGlob("docs/**/*.md").matches("docs/a/b/c.md"))
        #expect(PathGlob("docs/**/*.md").matches("docs/c.md"))
        #expect(PathGlob("**/.docker/config.json").matches("home/u/.docker/config.json"))
        #expect(PathGlob("**/.docker/config.json").matches(".docker/config.json"))
        #expect(PathGlob("vendor/").matches("a/vendor", isDirectory: true))
        #expect(!PathGlob("vendor/").matches("a/vendor", isDirectory: false))
        #expect(PathGlob("file[0-9].txt").matches("file7.txt"))
        #expect(!PathGlob("file[!0-9].txt").matches("file7.txt"))
        #expect(!PathGlob("*.txt").matches("a/b.txt/c"))
        #expect(PathGlob("/*.txt").matches("b.txt"))
        #expect(!PathGlob("/*.txt").matches("a/b.txt"))
        #expect(PathGlob("plant-a/config").matches("plant-a/config"))
        #expect(!PathGlob("plant-a/config").matches("x/plant-a/config"))
        #expect(PathGlob("*").matches("anything/at/all"))
        #expect(PathGlob("ü*.txt").matches("d/übung.txt"))
    }
}
