import CustosCore
import CustosOwners
import Testing

/// A finding as the scanner would report it, built by hand.
func finding(_ rule: String, _ path: String, secret: String, identity: String? = nil, line: Int = 1) -> Finding {
    Finding(ruleID: rule, path: path, start: TextPosition(line: line, column: 1), end: TextPosition(line: line, column: 20),
            byteStart: line * 10, byteEnd: line * 10 + secret.utf8.count, secret: secret, identity: identity,
            fingerprint: Fingerprint(ruleID: rule, secret: secret), snippet: Snippet(before: "", after: ""))
}

let historianSecret = "Hx7q2Lm9Vw4Rt8Zp3K"

let registryYAML = """
    contacts:
      - id: oncall
        name: OT on-call
        reach: +49 30 5550 1000
    sites:
      - id: plant-a
        paths: ["plant-a/**"]
      - id: plant-b
        paths: ["plant-b/**"]
      - id: plant-c
        paths: ["plant-c/**"]
    identities:
      - id: historian
        kind: service-account
        owner: OT Platform Team
        revocation:
          authority: OT security lead
          procedure: https://wiki.example.org/revoke-historian
        escalation: [oncall]
        match:
          fingerprints: ["\(Fingerprint.plainSHA256(historianSecret))"]
      - id: all-postgres
        kind: machine
        owner: Database Team
        match:
          rules: [postgres-url]
      - id: old-export
        kind: machine
        owner: SCADA Engineering
        revocation:
          authority: Cloud team
        expires: 2020-01-01
        match:
          identities: ["AKIAOLD*"]
      - id: acme
        kind: vendor-remote-access
        owner: Plant C Maintenance
        vendor: Acme Automation
        revocation:
          authority: Maintenance manager
        match:
          rules: [postgres-url]
          paths: ["plant-c/vendor/**"]
    """

func registry() throws -> OwnersRegistry {
    try OwnersRegistryLoader.parse(yaml: registryYAML, source: "owners.yaml")
}

func resolver(codeOwners: String? = nil) throws -> OwnershipResolver {
    OwnershipResolver(registry: try registry(),
                      roots: [ScanRoot(displayPath: "", name: "share", codeOwners: codeOwners.map(CodeOwners.init(text:)))],
                      today: IsoDay("2026-11-24")!)
}

@Suite("Owners registry")
struct OwnersRegistryTests {
    @Test("parses identities, contacts and sites")
    func parses() throws {
        let registry = try registry()
        #expect(registry.identities.map(\.id) == ["historian", "all-postgres", "old-export", "acme"])
        #expect(registry.contacts["oncall"]?.display == "OT on-call <+49 30 5550 1000>")
        #expect(registry.sites.count == 3)
    }

    @Test("errors name the file, the line and the fix",
          arguments: [
            ("identities:\n  - id: x\n    kind: robot\n    owner: y\n", "owners.yaml:2", "kind must be one of"),
            ("identities:\n  - id: x\n    kind: machine\n    owner: y\n    ownr: z\n", "owners.yaml:5", "unknown key 'ownr'"),
            ("identities:\n  - id: x\n    kind: machine\n    owner: y\n  - id: x\n    kind: machine\n    owner: z\n", "owners.yaml:5", "duplicate identity id 'x'"),
            ("identities:\n  - id: x\n    kind: machine\n    owner: y\n    escalation: [nobody]\n", "owners.yaml:2", "escalation contact 'nobody' is not defined"),
            ("identities:\n  - id: x\n    kind: machine\n    owner: y\n    expires: next year\n", "owners.yaml:2", "YYYY-MM-DD"),
            ("identities: [\n", "owners.yaml", "not valid YAML: line"),
          ])
    func errors(yaml: String, location: String, message: String) {
        #expect {
            try OwnersRegistryLoader.parse(yaml: yaml, source: "owners.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(location) && text.contains(message)
        }
    }

    @Test("owners check flags past expiry dates and identities nothing can match")
    func check() throws {
        let registry = try OwnersRegistryLoader.parse(
            yaml: "identities:\n  - id: x\n    kind: machine\n    owner: y\n    expires: 2020-01-01\n", source: "o.yaml")
        let problems = OwnersRegistryCheck.problems(in: registry, today: IsoDay("2026-01-01")!)
        #expect(problems.contains { $0.contains("expired on 2020-01-01") })
        #expect(problems.contains { $0.contains("has no match") })
    }
}

@Suite("Ownership attribution (issue 5)")
struct OwnershipTests {
    @Test("a fingerprint beats a selector, a selector beats CODEOWNERS, CODEOWNERS beats nothing")
    func precedence() throws {
        let resolver = try resolver(codeOwners: "* @plant-it\n")
        let byFingerprint = resolver.attribute(finding("postgres-url", "plant-a/db.env", secret: historianSecret))
        #expect(byFingerprint.attributedBy == .fingerprint)
        #expect(byFingerprint.identityID == "historian")
        #expect(byFingerprint.escalation == ["OT on-call <+49 30 5550 1000>"])
        let bySelector = resolver.attribute(finding("postgres-url", "plant-a/db.env", secret: "Other9Secret4Value"))
        #expect(bySelector.attributedBy == .selector)
        #expect(bySelector.identityID == "all-postgres")
        let byCodeOwners = resolver.attribute(finding("stripe-secret-key", "tools/pay.py", secret: "sk_live_x"))
        #expect(byCodeOwners.attributedBy == .codeowners)
        #expect(byCodeOwners.owner == "@plant-it")
        #expect(byCodeOwners.revocationAuthority == nil)
        let nobody = try CustosOwnersTests.resolver().attribute(finding("stripe-secret-key", "tools/pay.py", secret: "sk_live_x"))
        #expect(nobody.attributedBy == .none)
    }

    @Test("CODEOWNERS: the last matching line wins; a folder pattern owns what is below it")
    func codeOwners() {
        let owners = CodeOwners(text: "# comment\n*  @everyone\n/plant-a/  @plant-a @ot\n*.env @secrets-team\n[Section]\n")
        #expect(owners.owners(of: "README.md") == ["@everyone"])
        #expect(owners.owners(of: "plant-a/line3/plc.xml") == ["@plant-a", "@ot"])
        #expect(owners.owners(of: "plant-a/app.env") == ["@secrets-team"])
    }

    @Test("a secret shared across three sites gives one shared-credential finding listing all three")
    func sharedAcrossThreeSites() throws {
        let findings = ["plant-a/h.env", "plant-b/h.env", "plant-c/h.env"].map {
            finding("postgres-url", $0, secret: historianSecret)
        }
        let result = GovernanceAnalysis(resolver: try resolver()).apply(to: findings, governance: true)
        let shared = result.filter { $0.ruleID == GovernanceRule.shared.rawValue }
        #expect(shared.count == 1)
        #expect(shared.first?.related.map(\.place) == ["plant-a", "plant-b", "plant-c"])
        #expect(shared.first?.confidenceOverride == .high)
        #expect(!result.contains { $0.ruleID == GovernanceRule.unowned.rawValue })
    }

    @Test("the same secret twice at one site is not shared")
    func notSharedWithinOneSite() throws {
        let findings = [finding("postgres-url", "plant-a/x.env", secret: historianSecret),
                        finding("postgres-url", "plant-a/y.env", secret: historianSecret)]
        let result = GovernanceAnalysis(resolver: try resolver()).apply(to: findings, governance: true)
        #expect(!result.contains { $0.ruleID == GovernanceRule.shared.rawValue })
    }

    @Test("an expired identity, a missing revocation authority, a vendor and an unowned secret each raise their finding")
    func governanceFindings() throws {
        let findings = [
            finding("aws-access-key-id", "plant-b/aws.ini", secret: "AKIAOLD1234567890ABC"),
            finding("postgres-url", "plant-a/other.env", secret: "Other9Secret4Value"),
            finding("postgres-url", "plant-c/vendor/remote.env", secret: "Vendor7Pass2Word9"),
            finding("stripe-secret-key", "tools/pay.py", secret: "sk_live_abc"),
        ]
        let result = GovernanceAnalysis(resolver: try resolver()).apply(to: findings, governance: true)
        func rules(at path: String) -> Set<String> { Set(result.filter { $0.path == path }.map(\.ruleID)) }
        #expect(rules(at: "plant-b/aws.ini").contains(GovernanceRule.expired.rawValue))
        #expect(rules(at: "plant-a/other.env").contains(GovernanceRule.noRevocationAuthority.rawValue))
        #expect(rules(at: "plant-c/vendor/remote.env").contains(GovernanceRule.vendor.rawValue))
        #expect(rules(at: "tools/pay.py").contains(GovernanceRule.unowned.rawValue))
        #expect(result.first { $0.path == "plant-b/aws.ini" && $0.ruleID == "aws-access-key-id" }?.ownership?.expiry == .expired)
    }

    @Test("governance findings carry their OWASP NHI category")
    func owaspTags() {
        #expect(GovernanceRule.shared.rule.tags.contains("NHI9:2025 NHI Reuse"))
        #expect(GovernanceRule.unowned.rule.tags.contains("NHI1:2025 Improper Offboarding"))
    }
}
