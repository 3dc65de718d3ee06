import CustosCore
@testable import CustosSweep
import CustosTestSupport
import Foundation
import Testing

@Suite("Sweep: finding lifecycle and incremental reads")
struct LifecycleTests {
    @Test("a finding goes new → open → resolved → reopened → open as its secret leaves and comes back")
    func lifecycle() throws {
        let token = fakeToken()
        let share = try SweptShare(["plant-a/app.env": "TOKEN=\(token)\n", "plant-a/readme.txt": "nothing here\n"])

        let first = try share.sweep()
        #expect((first.new, first.open, first.resolved, first.reopened) == (1, 1, 0, 0))
        #expect(try share.history().openFindings.map(\.status) == [.new])

        let second = try share.sweep()
        #expect((second.new, second.open, second.resolved, second.reopened) == (0, 1, 0, 0))
        #expect(try share.history().openFindings.map(\.status) == [.open])

        try share.write("plant-a/app.env", "TOKEN=moved-to-a-vault\n")
        let third = try share.sweep()
        #expect((third.new, third.open, third.resolved, third.reopened) == (0, 0, 1, 0))
        #expect(try share.history().openFindings.isEmpty)

        try share.write("plant-a/app.env", "TOKEN=\(token)\n# someone pasted it back\n")
        let fourth = try share.sweep()
        #expect((fourth.new, fourth.open, fourth.resolved, fourth.reopened) == (0, 1, 0, 1))
        let reopened = try #require(try share.history().openFindings.first)
        #expect(reopened.status == .reopened)
        #expect(reopened.timesReopened == 1)
        #expect(reopened.firstSeen == (try share.history().sweeps.first?.startedAt))

        let fifth = try share.sweep()
        #expect((fifth.new, fifth.open, fifth.reopened) == (0, 1, 0))
        #expect(try share.history().openFindings.map(\.status) == [.open])
    }

    @Test("a removed file resolves its findings")
    func removedFile() throws {
        let share = try SweptShare(["a.env": "TOKEN=\(fakeToken())\n", "b.env": "TOKEN=\(fakeToken())\n"])
        try share.sweep()
        try share.remove("a.env")
        let outcome = try share.sweep()
        #expect(outcome.filesRemoved == 1)
        #expect((outcome.resolved, outcome.open) == (1, 1))
        #expect(try share.history().openFindings.flatMap(\.locations).map(\.path) == [share.path("b.env")])
    }

    @Test("an unchanged share is not read again: every file is skipped on its metadata")
    func unchangedIsNotRead() throws {
        var files: [String: String] = [:]
        for index in 0..<40 { files["folder-\(index % 4)/file-\(index).ini"] = "value = \(index)\n" }
        files["folder-0/secret.env"] = "TOKEN=\(fakeToken())\n"
        let share = try SweptShare(files)
        let first = try share.sweep()
        #expect(first.filesScanned == 41)
        #expect(first.bytesRead > 0)
        let second = try share.sweep()
        #expect(second.filesSeen == 41)
        #expect(second.filesUnchanged == 41)
        #expect(second.filesScanned == 0)
        #expect(second.bytesRead == 0)
    }

    @Test("a file whose metadata changed but whose bytes did not is hashed, not scanned, and keeps its finding as it was")
    func touchedFile() throws {
        let share = try SweptShare(["app.env": "TOKEN=\(fakeToken())\n"])
        try share.sweep()
        try share.touch("app.env", secondsAgo: 3600)
        let outcome = try share.sweep()
        #expect(outcome.filesContentUnchanged == 1)
        #expect(outcome.filesScanned == 0)
        #expect((outcome.new, outcome.open, outcome.resolved) == (0, 1, 0))
    }

    @Test("a secret moving to another file stays one open finding, at its new location")
    func movedSecret() throws {
        let token = fakeToken()
        let share = try SweptShare(["old/config.ini": "token = \(token)\n", "new/config.ini": "empty = true\n"])
        try share.sweep()
        let before = try #require(try share.history().openFindings.first)

        try share.write("old/config.ini", "token = see vault\n")
        try share.write("new/config.ini", "empty = false\n\ntoken = \(token)\n")
        let outcome = try share.sweep()
        #expect((outcome.new, outcome.open, outcome.resolved, outcome.reopened) == (0, 1, 0, 0))
        let findings = try share.history().openFindings
        #expect(findings.count == 1)
        let after = try #require(findings.first)
        #expect(after.fingerprint == before.fingerprint)
        #expect(after.status == .open)
        #expect(after.firstSeen == before.firstSeen)
        #expect(after.locations.map(\.path) == [share.path("new/config.ini")])
        #expect(after.locations.map(\.line) == [3])
    }

    @Test("the same secret in two files is one finding with two locations; removing one copy keeps it open")
    func sameSecretTwice() throws {
        let token = fakeToken()
        let share = try SweptShare(["a/x.env": "T=\(token)\n", "b/y.env": "T=\(token)\n"])
        let first = try share.sweep()
        #expect(first.new == 1)
        #expect(try share.history().openFindings.first?.locations.count == 2)
        try share.remove("a/x.env")
        let second = try share.sweep()
        #expect((second.open, second.resolved) == (1, 0))
        #expect(try share.history().openFindings.first?.locations.map(\.path) == [share.path("b/y.env")])
    }

    @Test("a file that becomes unreadable is an error, recorded and reported; its finding stays open until it can be read")
    func unreadableFile() throws {
        let token = fakeToken()
        let share = try SweptShare(["locked/plc.cfg": "password_token=\(token)\n", "other.txt": "fine\n"])
        try share.sweep()
        try share.write("locked/plc.cfg", "password_token=\(token)\nchanged=1\n")
        share.unreadable = ["locked/plc.cfg"]

        let blocked = try share.sweep()
        #expect(blocked.errors == 1)
        #expect((blocked.open, blocked.resolved) == (1, 0))
        let problems = try share.history().problems
        #expect(problems == [SweepProblem(path: share.path("locked/plc.cfg"), message: "cannot open: Permission denied")])

        let again = try share.sweep()
        #expect(again.errors == 1, "an unreadable file is tried again at every sweep")

        share.unreadable = []
        let readable = try share.sweep()
        #expect(readable.errors == 0)
        #expect(readable.filesScanned == 1)
        #expect((readable.open, readable.resolved, readable.new) == (1, 0, 0))
        #expect(try share.history().problems.isEmpty)
    }

    @Test("a root that suddenly lists no files (an unmounted share) keeps its findings instead of resolving them all")
    func unmountedShare() throws {
        let share = try SweptShare(["a.env": "T=\(fakeToken())\n", "b.txt": "b\n"])
        try share.sweep()
        try share.remove("a.env")
        try share.remove("b.txt")
        let outcome = try share.sweep()
        #expect((outcome.open, outcome.resolved, outcome.filesRemoved) == (1, 0, 0))
        #expect(try share.history().problems.contains { $0.path == share.root && $0.message.contains("is the share mounted?") })
    }
}

@Suite("Sweep progress line")
struct ProgressLineTests {
    @Test("files, rate, throughput, the current folder and what is left at the current rate")
    func line() {
        let progress = SweepProgress(filesDone: 12_345, filesRead: 1_234, bytesRead: 40 * 1_048_576, seconds: 5,
                                     currentFolder: "plant-a", expectedFiles: 24_690)
        #expect(progress.line == "12,345 files (1,234 read) · 2,469 files/s · 8.0 MB/s · plant-a · ~5s left")
    }

    @Test("a first sweep has nothing to estimate from")
    func firstSweep() {
        let progress = SweepProgress(filesDone: 10, filesRead: 10, bytesRead: 0, seconds: 1, currentFolder: "", expectedFiles: 0)
        #expect(progress.line == "10 files (10 read) · 10 files/s · 0.0 MB/s · first sweep: no estimate")
        #expect(SweepProgress.duration(3_725) == "1h 02m")
    }
}

@Suite("Sweep: Node-RED credentials")
struct NodeRedSweepTests {
    @Test("an encrypted flows_cred.json is decrypted with the secret of the settings.js beside it; a plaintext one is reported")
    func nodeRed() throws {
        let share = try SweptShare()
        for folder in ["edge-gateway-1", "edge-gateway-2"] {
            let source = PackageRoot.url.appendingPathComponent("fixtures/node-red/\(folder)")
            for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
                try share.share.write("\(folder)/\(name)", Data(contentsOf: source.appendingPathComponent(name)))
            }
        }
        try share.sweep()
        let findings = try share.history().openFindings
        let decrypted = findings.filter { $0.ruleID == "node-red-decrypted-credential" }
        #expect(decrypted.count == 3)
        #expect(decrypted.allSatisfy { $0.locations.map(\.path) == [share.path("edge-gateway-1/flows_cred.json")] })
        #expect(findings.contains { $0.ruleID == "node-red-plaintext-credential" })
    }
}
