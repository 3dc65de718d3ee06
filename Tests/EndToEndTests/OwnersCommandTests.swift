import CustosTestSupport
import Foundation
import Testing

@Suite("Ownership on the plant-share fixture (end to end)", .serialized)
struct OwnersCommandTests {
    static let share = "fixtures/plant-share"

    func scanShare(_ extra: [String] = []) throws -> [[String: Any]] {
        let result = try CustosBinary.run(["scan", Self.share, "--format", "json"] + extra, in: PackageRoot.url.path)
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(document["findings"] as? [[String: Any]])
    }

    @Test("every finding carries an ownership block; the historian password shared by three plants is shared on each of its findings")
    func plantShare() throws {
        let findings = try scanShare()
        #expect(findings.allSatisfy { $0["ownership"] is [String: Any] })
        #expect(!findings.contains { ($0["rule_id"] as? String)?.hasPrefix("custos.") == true }, "verdicts are attributes, not findings")
        let shared = findings.filter { ($0["verdicts"] as? [String])?.contains("shared") == true }
        #expect(shared.count == 3)
        let places = (shared.first?["related"] as? [[String: Any]])?.compactMap { $0["place"] as? String }
        #expect(places == ["plant-a", "plant-b", "plant-c"])
        #expect(shared.first?["severity"] as? String == "high")
        let historian = findings.first { ($0["path"] as? String)?.hasSuffix("plant-b/historian/connection.properties") == true }
        let ownership = try #require(historian?["ownership"] as? [String: Any])
        #expect(ownership["identity_id"] as? String == "historian-collector")
        #expect(ownership["attributed_by"] as? String == "fingerprint")
        #expect(ownership["revocation_authority"] as? String == "OT security lead (Plant A)")
        let verdicts = Set(findings.flatMap { $0["verdicts"] as? [String] ?? [] })
        #expect(verdicts.isSuperset(of: ["expired", "vendor", "no-revoker", "shared"]))
        let stripe = findings.first { $0["rule_id"] as? String == "stripe-secret-key" }
        #expect((stripe?["ownership"] as? [String: Any])?["owner"] as? String == "@finance-tools")
    }

    @Test("--no-governance keeps ownership but judges no verdicts")
    func noGovernance() throws {
        let findings = try scanShare(["--no-governance"])
        #expect(findings.allSatisfy { ($0["verdicts"] as? [String] ?? []).isEmpty })
        #expect(findings.allSatisfy { $0["ownership"] is [String: Any] })
    }

    @Test("SARIF with ownership properties and related locations validates")
    func sarif() throws {
        let result = try CustosBinary.run(["scan", Self.share, "--format", "sarif"], in: PackageRoot.url.path)
        #expect(try SarifValidator.errors(in: result.stdout) == [])
        #expect(result.stdout.contains("\"revocationAuthority\""))
        #expect(result.stdout.contains("NHI9:2025 NHI Reuse"))
    }

    @Test("owners fingerprint reads the secret on stdin and prints the SHA-256 the registry stores")
    func fingerprint() throws {
        let result = try Command.run([CustosBinary.path, "owners", "fingerprint"], input: Data("hunter2-but-longer\n".utf8))
        #expect(result.status == 0)
        // printf 'hunter2-but-longer' | sha256sum
        #expect(result.stdout == "8cdefaf738d350cc8e2982c038b8b5b6d75d098e3a320af3612292b833c82bca\n")
        #expect(!result.stdout.contains("hunter2"))
    }

    @Test("owners check reports the fixture's expired identity, and a broken registry's line")
    func check() throws {
        let fixture = try CustosBinary.run(["owners", "check", "\(Self.share)/.custos/owners.yaml"], in: PackageRoot.url.path)
        #expect(fixture.status == 1)
        #expect(fixture.stderr.contains("identity 'scada-export' expired on 2024-06-30"))
        #expect(fixture.stdout.contains("4 identities, 2 contacts, 3 sites; 1 problem"))
        let tree = try TemporaryTree(["owners.yaml": "identities:\n  - id: a\n    kind: machine\n    owner: x\n    escalation: [ghost]\n"])
        let result = try CustosBinary.run(["owners", "check", tree.url("owners.yaml").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("owners.yaml:2"))
        #expect(result.stderr.contains("escalation contact 'ghost' is not defined"))
    }

    @Test("report --by-owner writes a Markdown and a self-contained HTML page, one section per owner")
    func byOwner() throws {
        let tree = try TemporaryTree()
        let result = try CustosBinary.run(["report", "--by-owner", Self.share, "--output-dir", tree.path], in: PackageRoot.url.path)
        #expect(result.status == 1)
        let html = try String(contentsOfFile: tree.url("owners.html").path, encoding: .utf8)
        let markdown = try String(contentsOfFile: tree.url("owners.md").path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script") && !html.contains("http-equiv"))
        #expect(markdown.contains("## OT Platform Team"))
        #expect(markdown.contains("Ask OT security lead (Plant A) to revoke it"))
        #expect(markdown.contains("### Shared credentials (revoking one affects every place)"))
    }
}

@Suite("Node-RED (end to end)")
struct NodeRedCommandTests {
    @Test("encrypted credentials are decrypted with the secret found beside them; a plaintext file is reported")
    func nodeRed() throws {
        let result = try CustosBinary.run(["scan", "fixtures/node-red", "--format", "jsonl"], in: PackageRoot.url.path)
        let findings = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let decrypted = findings.filter { $0["rule_id"] as? String == "node-red-decrypted-credential" }
        #expect(decrypted.count == 3)
        #expect(decrypted.allSatisfy { ($0["path"] as? String)?.hasSuffix("edge-gateway-1/flows_cred.json") == true })
        #expect(decrypted.contains { ($0["identity"] as? String)?.contains("(user mqtt_line3)") == true })
        #expect(findings.contains { $0["rule_id"] as? String == "node-red-plaintext-credential" && ($0["line"] as? Int) == 4 })
    }
}
