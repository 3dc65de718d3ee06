import CustosCore
import CustosOwners
@testable import CustosSweep
import CustosTestSupport
import Foundation
import Testing

@Suite("Sweep report: owners, figures and the chart from the state")
struct SweepReportTests {
    /// Two plants share one registered token; a second token nobody registered sits in plant B.
    func plantShare() throws -> (SweptShare, shared: String, unowned: String) {
        let shared = fakeToken()
        let unowned = fakeToken()
        let share = try SweptShare([
            "plant-a/historian.ini": "token = \(shared)\n",
            "plant-b/historian.ini": "token = \(shared)\n",
            "plant-b/scripts/deploy.env": "GITHUB=\(unowned)\n",
        ])
        let yaml = """
            contacts:
              - { id: ot-oncall, name: OT on-call engineer, reach: "+49 30 5550 1000" }
            sites:
              - { id: plant-a, paths: ["plant-a/**"] }
              - { id: plant-b, paths: ["plant-b/**"] }
            identities:
              - id: historian-collector
                kind: service-account
                owner: OT Platform Team
                contact: ot-platform@example.org
                revocation: { authority: OT security lead, procedure: "https://wiki.example.org/historian" }
                escalation: [ot-oncall]
                rotate_by: 2020-01-01
                match:
                  fingerprints: ["\(Fingerprint.plainSHA256(shared))"]
            """
        try share.stateFolder.write("owners.yaml", yaml)
        share.registryPath = share.stateFolder.url("owners.yaml").path
        share.registry = try OwnersRegistryLoader.load(path: share.registryPath!)
        return (share, shared, unowned)
    }

    @Test("owners get their open findings with revocation and escalation; figures count owners, authorities and shared credentials")
    func figures() throws {
        let (share, shared, _) = try plantShare()
        try share.sweep()
        let report = SweepReport(try share.history())
        #expect(report.summary.open == 2)
        #expect(report.summary.withOwner == 1)
        #expect(report.summary.withRevocationAuthority == 1)
        #expect(report.summary.share(report.summary.withOwner) == 50)
        #expect(report.summary.shared == [SweepReport.SharedCredential(
            secretRedacted: SecretDisplay.redact(shared), rules: ["github-classic-pat"], places: ["plant-a", "plant-b"], locations: 2)])
        #expect(report.summary.oldestOpenDays == 0)
        #expect(report.sections.map(\.owner) == ["", "OT Platform Team"])
        let owned = try #require(report.sections.last?.findings.first)
        #expect(owned.ownership?.expiry == .rotationOverdue)
        #expect(SweepReport.revocation(owned.ownership) == "Ask OT security lead to revoke it following https://wiki.example.org/historian.")
        #expect(SweepReport.escalation(owned.ownership) == "OT on-call engineer <+49 30 5550 1000>")

        let markdown = report.markdown()
        #expect(markdown.contains("## OT Platform Team"))
        #expect(markdown.contains("| with a known owner | 1 (50 %) |"))
        #expect(markdown.contains("| identity authority gap (nobody may revoke) | 1 |"))
        #expect(markdown.contains("2: plant-a, plant-b"))
        #expect(!markdown.contains(shared))
    }

    @Test("the page is self-contained: no script, no remote resource, an inline SVG chart with one point per sweep and series")
    func selfContained() throws {
        let (share, shared, unowned) = try plantShare()
        try share.sweep()
        try share.remove("plant-b/scripts/deploy.env")
        try share.sweep()
        let html = SweepReport(try share.history()).html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("@import"))
        #expect(html.contains("<svg"))
        #expect(html.components(separatedBy: "<circle").count - 1 == 2 * SweepChart.series.count)
        #expect(html.contains("<title>sweep 2: 1 resolved</title>"))
        #expect(!html.contains(shared) && !html.contains(unowned))
    }

    @Test("editing the owners registry re-reads only the files that hold findings, and the owner follows")
    func registryChange() throws {
        let (share, _, _) = try plantShare()
        try share.write("plant-a/quiet.txt", "nothing\n")
        try share.sweep()
        let yaml = try String(contentsOfFile: share.registryPath!, encoding: .utf8)
            .replacingOccurrences(of: "owner: OT Platform Team", with: "owner: Historian Team")
        try share.stateFolder.write("owners.yaml", yaml)
        share.registry = try OwnersRegistryLoader.load(path: share.registryPath!)
        let outcome = try share.sweep()
        #expect(outcome.filesScanned == 3)
        #expect(outcome.filesUnchanged == 1)
        #expect((outcome.new, outcome.open) == (0, 2))
        #expect(SweepReport(try share.history()).sections.map(\.owner) == ["", "Historian Team"])
    }

    @Test("within an owner's section new findings come first, then reopened, then the ones still open")
    func order() throws {
        let share = try SweptShare(["a/old.env": "T=\(fakeToken())\n"])
        try share.sweep()
        try share.write("z/new.env", "T=\(fakeToken())\n")
        try share.sweep()
        let section = try #require(SweepReport(try share.history()).sections.first)
        #expect(section.findings.map(\.status) == [.new, .open])
        #expect(section.findings.first?.locations.first?.path == share.path("z/new.env"))
    }
}
