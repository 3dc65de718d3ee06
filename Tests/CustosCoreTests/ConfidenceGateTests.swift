import CustosCore
import Testing

@Suite("Confidence gate: what a scan reports, and what tests and documentation lower")
struct ConfidenceGateTests {
    static func finding(_ rule: String, at path: String, confidence: Confidence? = nil) -> Finding {
        var finding = Finding(ruleID: rule, path: path, start: TextPosition(line: 1, column: 1), end: TextPosition(line: 1, column: 9),
                              byteStart: 0, byteEnd: 8, secret: "s3cr3t!x", identity: nil,
                              fingerprint: Fingerprint(ruleID: rule, secret: "s3cr3t!x"), snippet: Snippet(before: "", after: ""))
        finding.confidenceOverride = confidence
        return finding
    }

    @Test("a file's name and the two folders above it say whether it is a test or documentation")
    func pathContext() {
        #expect(PathContext("src/app/settings.py") == .ordinary)
        #expect(PathContext("lib/python3.11/test/test_urlparse.py") == .test)
        #expect(PathContext("pkg/auth/login_test.go") == .test)
        #expect(PathContext("src/test/java/LoginServiceTest.java") == .test)
        #expect(PathContext("web/__tests__/login.spec.ts") == .test)
        #expect(PathContext("awscli/examples/iam/create-login-profile.rst") == .documentation)
        #expect(PathContext("botocore/data/kms/2014-11-01/examples-1.json") == .documentation)
        #expect(PathContext("config/.env.example") == .documentation)
        // Runbooks on plant shares are Markdown: not lowered.
        #expect(PathContext("plant-b/it/emergency-access.md") == .ordinary)
        // A scan root far above the file does not count.
        #expect(PathContext("/srv/tests/share/plant-a/hmi/config.ini") == .ordinary)
        // Gradle and Maven test source sets, however deep their resources sit.
        #expect(PathContext("boot/src/test/resources/org/example/ssl/pem/pkcs8/rsa.key") == .test)
        #expect(PathContext("jdbc/src/dockerTest/resources/org/example/compose/mssql-compose.yaml") == .test)
        #expect(PathContext("lib/src/testFixtures/java/org/example/Keys.java") == .test)
        #expect(PathContext("app/src/main/resources/org/acme/application.yml") == .ordinary)
        #expect(PathContext("fastapi/docs_src/security/tutorial004.py") == .documentation)
    }

    @Test("findings below the minimum are held back and counted; tests and docs lower tokens one level, named values to low")
    func gate() {
        let gate = ConfidenceGate(minimum: .medium, ruleConfidence: ["token-rule": .high, "weak-rule": .low])
        var findings = [
            Self.finding("token-rule", at: "app/config.env"),
            Self.finding("token-rule", at: "tests/config.env"),
            Self.finding("weak-rule", at: "app/config.env"),
            Self.finding("named-password", at: "docs/setup.txt", confidence: .medium),
        ]
        #expect(gate.apply(to: &findings) == 2)
        #expect(findings.map { gate.confidence(of: $0) } == [.high, .medium])
    }
}
