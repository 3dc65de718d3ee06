import CustosCore
import CustosOwners
import Foundation
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

    @Test("a secret shared across three sites is one finding per place, each with the shared verdict and every place")
    func sharedAcrossThreeSites() throws {
        let findings = ["plant-a/h.env", "plant-b/h.env", "plant-c/h.env"].map {
            finding("postgres-url", $0, secret: historianSecret)
        }
        let result = GovernanceAnalysis(resolver: try resolver()).apply(to: findings, governance: true)
        #expect(result.count == 3)
        #expect(result.allSatisfy { $0.verdicts == [.shared] })
        #expect(result.first?.related.map(\.place) == ["plant-a", "plant-b", "plant-c"])
        #expect(result.map(\.place) == ["plant-a", "plant-b", "plant-c"])
        #expect(result.first?.severity(ruleConfidence: .medium) == .high)
    }

    @Test("the same secret twice at one site is not shared")
    func notSharedWithinOneSite() throws {
        let findings = [finding("postgres-url", "plant-a/x.env", secret: historianSecret),
                        finding("postgres-url", "plant-a/y.env", secret: historianSecret)]
        let result = GovernanceAnalysis(resolver: try resolver()).apply(to: findings, governance: true)
        #expect(!result.contains { $0.verdicts.contains(.shared) })
    }

    @Test("without a registry, scan roots are places: a secret under three roots is shared")
    func sharedAcrossRoots() {
        let roots = ["plant-a", "plant-b", "plant-c"].map { ScanRoot(displayPath: $0, name: $0, codeOwners: nil) }
        let findings = roots.map { finding("postgres-url", "\($0.displayPath)/h.env", secret: historianSecret) }
        let resolver = OwnershipResolver(registry: OwnersRegistry(), roots: roots)
        let result = GovernanceAnalysis(resolver: resolver, ownersKnown: false).apply(to: findings, governance: true)
        #expect(result.allSatisfy { $0.verdicts == [.shared] && $0.ownership == nil })
        #expect(Set(result.flatMap(\.related).map(\.place)) == ["plant-a", "plant-b", "plant-c"])
    }

    @Test("an expired identity, a missing revocation authority, a vendor and an unowned secret each get their verdict on the one finding")
    func governanceVerdicts() throws {
        let findings = [
            finding("aws-access-key-id", "plant-b/aws.ini", secret: "AKIAOLD1234567890ABC"),
            finding("postgres-url", "plant-a/other.env", secret: "Other9Secret4Value"),
            finding("postgres-url", "plant-c/vendor/remote.env", secret: "Vendor7Pass2Word9"),
            finding("stripe-secret-key", "tools/pay.py", secret: "sk_live_abc"),
        ]
        let result = GovernanceAnalysis(resolver: try resolver()).apply(to: findings, governance: true)
        #expect(result.count == findings.count, "no second finding per verdict")
        func verdicts(at path: String) -> [GovernanceVerdict] { result.first { $0.path == path }?.verdicts ?? [] }
        #expect(verdicts(at: "plant-b/aws.ini") == [.expired])
        #expect(verdicts(at: "plant-a/other.env") == [.noRevoker])
        #expect(verdicts(at: "plant-c/vendor/remote.env") == [.vendor])
        #expect(verdicts(at: "tools/pay.py") == [.unowned])
        #expect(result.first { $0.path == "plant-b/aws.ini" }?.ownership?.expiry == .expired)
        let off = GovernanceAnalysis(resolver: try resolver()).apply(to: findings, governance: false)
        #expect(off.allSatisfy { $0.verdicts.isEmpty && $0.ownership != nil })
    }

    @Test("break-glass is critical, and a finding outside the access window is flagged")
    func breakGlassAndAccessWindow() throws {
        let yaml = """
            identities:
              - id: emergency
                kind: break-glass
                owner: Plant Security
                revocation: { authority: IT security }
                match: { paths: ["it/**"] }
              - id: vendor
                kind: vendor-remote-access
                owner: Maintenance
                revocation: { authority: Maintenance manager }
                access: { from: 2026-01-01, until: 2026-01-31 }
                match: { paths: ["vendor/**"] }
            """
        let registry = try OwnersRegistryLoader.parse(yaml: yaml, source: "o.yaml")
        let roots = [ScanRoot(displayPath: "", name: "share", codeOwners: nil)]
        let inside = OwnershipResolver(registry: registry, roots: roots, today: IsoDay("2026-01-15")!)
        let after = OwnershipResolver(registry: registry, roots: roots, today: IsoDay("2026-02-15")!)
        let findings = [finding("generic-password", "it/admin.txt", secret: "Zq8Lm2Vw9Rt4Kp7X"),
                        finding("postgres-url", "vendor/gw.env", secret: "Vendor7Pass2Word9")]
        let early = GovernanceAnalysis(resolver: inside).apply(to: findings, governance: true)
        let late = GovernanceAnalysis(resolver: after).apply(to: findings, governance: true)
        #expect(early[0].verdicts == [.breakGlass])
        #expect(early[0].severity(ruleConfidence: .medium) == .critical)
        #expect(early[1].verdicts == [.vendor])
        #expect(late[1].verdicts == [.outsideAccessWindow, .vendor])
    }

    @Test("verdicts carry their OWASP NHI category")
    func owaspTags() {
        #expect(GovernanceVerdict.shared.owaspCategory == "NHI9:2025 NHI Reuse")
        #expect(GovernanceVerdict.unowned.owaspCategory == "NHI1:2025 Improper Offboarding")
    }
}

@Suite("Registry fields and paths (issue 15)")
struct RegistryFieldTests {
    static let yaml = """
        contacts:
          - { id: lead, name: OT security lead, reach: "+49 30 5550 1010" }
          - { id: ops, name: Operations manager, reach: ops@example.org }
        sites:
          - { id: plant-a, root: /mnt/plant-a }
          - { id: plant-b, root: /mnt/plant-b }
        identities:
          - id: historian
            kind: service-account
            owners: { primary: OT Platform Team, secondary: Plant A Automation, approver: ops, revoker: lead }
            revocation: { procedure: "https://wiki/runbook", impact: coordinate, fallback: store and forward, keep_reachable: [hist-a] }
            supports: [Line 3 historian]
            match: { rules: [postgres-url], paths: ["historian/**"] }
        """

    @Test("owners, roles, supports, revocation impact: parsed and carried into the ownership block")
    func fields() throws {
        let registry = try OwnersRegistryLoader.parse(yaml: Self.yaml, source: "o.yaml")
        let roots = ["/mnt/plant-a", "/mnt/plant-b"].map { ScanRoot(displayPath: $0, name: ($0 as NSString).lastPathComponent, codeOwners: nil) }
        let resolver = OwnershipResolver(registry: registry, roots: roots)
        let hit = finding("postgres-url", "/mnt/plant-b/historian/db.env", secret: "Other9Secret4Value")
        let ownership = resolver.attribute(hit)
        #expect(ownership.identityID == "historian")
        #expect(ownership.owner == "OT Platform Team" && ownership.secondaryOwner == "Plant A Automation")
        #expect(ownership.roles.approver == "Operations manager <ops@example.org>")
        #expect(ownership.revoker == "OT security lead <+49 30 5550 1010>")
        #expect(ownership.revocationImpact == .coordinate && ownership.fallback == "store and forward")
        #expect(ownership.keepReachable == ["hist-a"] && ownership.supports == ["Line 3 historian"])
        #expect(resolver.place(of: hit) == "plant-b")
        // A path selector matches relative to the site's folder, never to the filesystem root.
        #expect(resolver.attribute(finding("postgres-url", "/mnt/plant-b/other/historian/db.env", secret: "x9")).attributedBy == .none)
    }

    @Test("an old ownership block (before these fields) still decodes")
    func oldBlocksDecode() throws {
        let old = #"{"attributedBy":"selector","escalation":[],"expiry":"valid","owner":"OT","sites":[]}"#
        let block = try JSONDecoder().decode(Ownership.self, from: Data(old.utf8))
        #expect(block.owner == "OT" && block.supports.isEmpty && block.roles.isEmpty)
    }

    @Test("owners check: selectors that can never match and rules that do not exist")
    func check() throws {
        let yaml = """
            identities:
              - id: x
                kind: machine
                owner: y
                revocation: { authority: z }
                match: { rules: [postgres-uri], paths: ["/mnt/plant-a/**"], repositories: ["org/plant-a"] }
            """
        let registry = try OwnersRegistryLoader.parse(yaml: yaml, source: "o.yaml")
        let problems = OwnersRegistryCheck.problems(in: registry, ruleIDs: ["postgres-url", "generic-password"])
        #expect(problems.contains { $0.contains("match.rules names 'postgres-uri', which is no rule custos runs (did you mean postgres-url?)") })
        #expect(problems.contains { $0.contains("match.paths '/mnt/plant-a/**' can never match: it is absolute") })
        #expect(problems.contains { $0.contains("match.repositories 'org/plant-a' can never match") })
    }

    @Test("registry errors for the new fields name the line", arguments: [
        ("identities:\n  - id: x\n    kind: machine\n    owner: y\n    revocation: { impact: later }\n", "impact must be one of safe, coordinate, shutdown-window"),
        ("identities:\n  - id: x\n    kind: machine\n    owner: y\n    access: { from: 2026-02-01, until: 2026-01-01 }\n", "access ends (2026-01-01) before it starts"),
        ("identities:\n  - id: x\n    kind: machine\n    owners: { primary: y, approver: ghost }\n", "owners.approver 'ghost' is not defined"),
        ("identities:\n  - id: x\n    kind: machine\n", "missing required key 'owner' (or owners.primary)"),
    ])
    func errors(yaml: String, message: String) {
        #expect {
            try OwnersRegistryLoader.parse(yaml: yaml, source: "o.yaml")
        } throws: { error in "\(error)".hasPrefix("o.yaml:") && "\(error)".contains(message) }
    }
}

@Suite("Inventory import (issue 15)")
struct InventoryImportTests {
    @Test("a semicolon CSV with a mapped column becomes a registry that loads, people as contacts")
    func importsAndLoads() throws {
        let csv = """
            Account;Team in charge;Type;Plant;Revoker;Valid until;Used by
            svc_historian;OT Platform Team;Service account;plant-a;OT security lead <+49 30 5550 1010>;30.06.2027;Line 3 historian | OEE
            acme_support;"Maintenance; Plant C";vendor;plant-c;;2026-01-31;
            ;Nobody;machine;;;;
            """
        var mapping = InventoryMapping()
        try mapping.add("owner=Team in charge")
        let imported = try InventoryImport.run(csv: csv, mapping: mapping, source: "inventory.csv")
        #expect(imported.identities == 2)
        #expect(imported.warnings.contains { $0.contains("row 4: no id and no account") })
        let registry = try OwnersRegistryLoader.parse(yaml: imported.yaml, source: "imported.yaml")
        let historian = try #require(registry.identities.first { $0.id == "svc-historian" })
        #expect(historian.owner == "OT Platform Team" && historian.kind == .serviceAccount)
        #expect(historian.expires == IsoDay("2027-06-30"))
        #expect(historian.supports == ["Line 3 historian", "OEE"])
        #expect(historian.roles.revoker.flatMap { registry.contacts[$0]?.display } == "OT security lead <+49 30 5550 1010>")
        #expect(historian.selector.identities.map(\.pattern) == ["svc_historian"])
        let acme = try #require(registry.identities.first { $0.id == "acme-support" })
        #expect(acme.kind == .vendorRemoteAccess && acme.owner == "Maintenance; Plant C")
    }

    @Test("an unknown --map field or column is an error that lists the choices")
    func mappingErrors() {
        var mapping = InventoryMapping()
        #expect(throws: InventoryError.self) { try mapping.add("ownr=Team") }
        #expect { try InventoryImport.run(csv: "a,b\n1,2\n", mapping: InventoryMapping(columns: [.owner: "Team"]), source: "i.csv") }
            throws: { "\($0)".contains("no column 'Team'; the columns are a, b") }
    }
}
