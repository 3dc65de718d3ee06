import CustosCore
@testable import CustosSweep
import CustosTestSupport
import Foundation
import GRDB
import Testing

@Suite("Resuming an interrupted sweep")
struct ResumeTests {
    /// Makes the state's last sweep look interrupted: its files committed, the sweep not finished.
    func interrupt(_ share: SweptShare) throws {
        let queue = try DatabaseQueue(path: share.statePath)
        try queue.write { db in
            try db.execute(sql: "UPDATE sweeps SET finished_at = NULL WHERE id = (SELECT max(id) FROM sweeps)")
        }
        try queue.close()
    }

    @Test("a file committed before the interruption and changed while the sweep was down is read again (issue 11)")
    func committedFilesAreRechecked() throws {
        let first = fakeToken()
        let second = fakeToken()
        let share = try SweptShare(["plant/a.ini": "token=\(first)\n", "plant/b.ini": "nothing\n"])
        try share.sweep()
        try interrupt(share)
        try share.write("plant/b.ini", "token=\(second)\nmore\n")
        let resumed = try share.sweep()
        #expect(resumed.resumed)
        #expect(resumed.filesSeen == 2, "the rechecked file is not counted twice")
        let open = try share.history().openFindings
        #expect(open.count == 2, "the secret written while the sweep was down is found in the resumed sweep")
    }

    @Test("an unchanged file committed before the interruption is neither read nor counted again")
    func unchangedCommittedFilesAreSkipped() throws {
        let share = try SweptShare(["plant/a.ini": "token=\(fakeToken())\n"])
        try share.sweep()
        try interrupt(share)
        let resumed = try share.sweep()
        #expect(resumed.resumed)
        #expect(resumed.filesScanned == 1, "scanned once, before the interruption")
        #expect(resumed.bytesRead > 0)
    }
}
