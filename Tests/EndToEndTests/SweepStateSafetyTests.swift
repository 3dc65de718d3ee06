import CustosTestSupport
import Foundation
import Testing

/// Issue 11: the sweep state's promises — never inside the swept tree whatever the path says,
/// and a report reads it without writing a byte.
@Suite("Sweep state safety (end to end)", .serialized)
struct SweepStateSafetyTests {
    @Test("--state or --report reached through a symbolic link into the swept tree is refused")
    func stateThroughSymlinkIsRefused() throws {
        let share = try TemporaryTree(["plant/a.ini": "token=\(fakeToken)\n"])
        let outside = try TemporaryTree()
        #expect(symlink(share.url("plant").path, outside.url("looks-elsewhere").path) == 0)
        for arguments in [["--state", outside.url("looks-elsewhere/state.db").path],
                          ["--state", outside.url("state.db").path, "--report", outside.url("looks-elsewhere/report").path]] {
            let result = try CustosBinary.run(["sweep", share.url("plant").path] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("inside the swept folder"))
        }
        #expect(!FileManager.default.fileExists(atPath: share.url("plant/state.db").path))
        #expect(!FileManager.default.fileExists(atPath: share.url("plant/report").path))
    }

    @Test("report --state reads the state without writing to it or beside it")
    func reportReadsOnly() throws {
        let share = try TemporaryTree(["plant/a.ini": "token=\(fakeToken)\n"])
        let stateFolder = try TemporaryTree()
        let state = stateFolder.url("shares.db").path
        let swept = try CustosBinary.run(["sweep", share.url("plant").path, "--state", state])
        #expect(swept.status == 1, "\(swept.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: state))
        let listing = try FileManager.default.contentsOfDirectory(atPath: stateFolder.path).sorted()
        var info = stat()
        #expect(stat(state, &info) == 0)
        let modified = info.st_mtim
        let report = try CustosBinary.run(["report", "--state", state, "--output-dir", TemporaryTree.outside("report")])
        #expect(report.status == 1, "\(report.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: stateFolder.path).sorted() == listing,
                "no -wal or -shm file appears beside the state")
        #expect(stat(state, &info) == 0 && info.st_mtim.tv_sec == modified.tv_sec && info.st_mtim.tv_nsec == modified.tv_nsec)
    }
}

extension SweepStateSafetyTests {
    @Test("a truncated state is refused, and not a byte of it or beside it changes")
    func truncatedStateIsRefusedUntouched() throws {
        let share = try TemporaryTree(["plant/a.ini": "token=\(fakeToken)\n"])
        for index in 0..<300 { try share.write("plant/f\(index).ini", "value=\(index)\n") }
        let stateFolder = try TemporaryTree()
        let state = stateFolder.url("shares.db").path
        #expect(try CustosBinary.run(["sweep", share.url("plant").path, "--state", state]).status == 1)
        let whole = try Data(contentsOf: URL(fileURLWithPath: state))
        let truncated = whole.prefix(whole.count / 2)
        try truncated.write(to: URL(fileURLWithPath: state))
        let listing = try FileManager.default.contentsOfDirectory(atPath: stateFolder.path).sorted()
        let result = try CustosBinary.run(["sweep", share.url("plant").path, "--state", state])
        #expect(result.status == 2)
        #expect(result.stderr.contains("shares.db"), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == truncated)
        #expect(try FileManager.default.contentsOfDirectory(atPath: stateFolder.path).sorted() == listing)
    }
}
