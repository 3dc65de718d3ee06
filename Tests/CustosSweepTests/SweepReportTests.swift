import CustosCore
import CustosOwners
import CustosReport
@testable import CustosSweep
import CustosTestSupport
import Foundation
import GRDB
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
        #expect(report.summary.shared.map(\.sites) == [["plant-a", "plant-b"]])
        #expect(report.summary.shared.first?.secret == SecretDisplay.redact(shared))
        #expect(report.summary.shared.first?.places == 2)
        #expect(report.summary.oldestOpenDays == 0)
        // Triage order: the overdue token shared by two plants outranks the unowned one.
        #expect(report.sections.map(\.owner) == ["OT Platform Team", ""])
        let owned = try #require(report.sections.first?.items.first?.record)
        #expect(owned.ownership?.expiry == .rotationOverdue)
        #expect(owned.verdicts == [.expired, .shared])
        #expect(RevocationWording.sentence(owned.ownership) == "Ask OT security lead to revoke it following https://wiki.example.org/historian.")
        #expect(RevocationWording.escalation(owned.ownership) == "OT on-call engineer <+49 30 5550 1000>")
        #expect(report.report.authorityGap.map(\.identity) == ["unregistered"])

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
        #expect(html.components(separatedBy: "<circle").count - 1 == 2 * TimelineChart.series.count)
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
        #expect(Set(SweepReport(try share.history()).sections.map(\.owner)) == ["", "Historian Team"])
    }

    @Test("within an owner's section the most urgent finding comes first (triage), then by path")
    func order() throws {
        let share = try SweptShare(["a/old.env": "T=\(fakeToken())\n", "b/one.env": "T=\(fakeToken())\n"])
        try share.sweep()
        let section = try #require(SweepReport(try share.history()).sections.first)
        #expect(section.items.map(\.record.places.first?.path) == [share.path("a/old.env"), share.path("b/one.env")])
        #expect(section.items.allSatisfy { $0.record.status == .new })
    }

    @Test("custos who over the state: current places, past places with first and last sweep, by secret and by id")
    func whoStore() throws {
        let token = fakeToken()
        let share = try SweptShare(["a/x.env": "T=\(token)\n", "b/y.env": "T=\(token)\n"])
        try share.sweep()
        try share.remove("a/x.env")
        try share.sweep()
        let state = try SweepState.openForReading(path: share.statePath)
        #expect(try state.recordedRuleIDs() == ["github-classic-pat"])
        let bySecret = try state.records(secretSHA256: Fingerprint.plainSHA256(token))
        let record = try #require(bySecret.first)
        #expect(record.currentPlaces.map(\.path) == [share.path("b/y.env")])
        #expect(record.pastPlaces.map(\.path) == [share.path("a/x.env")])
        #expect(record.pastPlaces.first?.lastSeen?.sweep == 1)
        #expect(record.currentPlaces.first?.lastSeen?.sweep == 2)
        let id = FindingID.make(fingerprint: record.fingerprint, path: share.path("a/x.env"))
        #expect(try state.fingerprint(ofFindingID: id) == record.fingerprint)
        #expect(try state.records(fingerprints: [Fingerprint(ruleID: "github-classic-pat", secret: token).hex]).count == 1)
    }


    @Test("a schema 1 state (before place history) answers who with current places, and the next sweep migrates it")
    func migratesSchemaOne() throws {
        let token = fakeToken()
        let share = try SweptShare(["a/x.env": "T=\(token)\n"])
        try share.sweep()
        let queue = try DatabaseQueue(path: share.statePath)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TABLE place_history; DROP INDEX findings_by_secret; PRAGMA user_version = 1")
        }
        try queue.close()
        let old = try SweepState.openForReading(path: share.statePath)
        #expect(try old.records(secretSHA256: Fingerprint.plainSHA256(token)).first?.currentPlaces.count == 1)
        try share.write("b/y.env", "T=\(token)\n")
        try share.sweep()
        let migrated = try SweepState.openForReading(path: share.statePath)
        let record = try #require(try migrated.records(secretSHA256: Fingerprint.plainSHA256(token)).first)
        #expect(record.places.map(\.path) == [share.path("a/x.env"), share.path("b/y.env")])
        #expect(record.places.first?.firstSeen?.sweep == 1, "the migration starts the history from the finding's first sweep")
        let version = try DatabaseQueue(path: share.statePath).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(version == SweepState.schemaVersion)
    }
}
