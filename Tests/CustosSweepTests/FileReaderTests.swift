@testable import CustosSweep
import CustosTestSupport
import Foundation
import GRDB
import Testing

@Suite("Sweep state: a worker's file reader")
struct FileReaderTests {
    /// Sets the stored finding count of `path` from another connection, as the sweep's writer does.
    func storeFindings(_ count: Int, for path: String, in statePath: String) throws {
        let queue = try DatabaseQueue(path: statePath)
        try queue.write { db in try db.execute(sql: "UPDATE files SET findings = ? WHERE path = ?", arguments: [count, path]) }
        try queue.close()
    }

    @Test("consecutive lookups share one snapshot; after endReading the writer's commits are seen")
    func snapshotEndsBeforeWork() throws {
        let share = try SweptShare(["a.txt": "a\n", "b.txt": "b\n"])
        try share.sweep()
        // No time bound here: only the lookups and endReading end the snapshot.
        let reader = try SQLiteFileReader(path: share.statePath, snapshotNanoseconds: .max)
        let a = share.path("a.txt")
        #expect(try reader.storedFile(at: a)?.findings == 0)

        try storeFindings(5, for: a, in: share.statePath)
        // Still in the snapshot the first lookup began: what the worker saw stays consistent.
        #expect(try reader.storedFile(at: share.path("b.txt")) != nil)
        #expect(try reader.storedFile(at: a)?.findings == 0)

        reader.endReading()
        #expect(try reader.storedFile(at: a)?.findings == 5)
    }

    @Test("a snapshot ends by itself after a bounded run of lookups")
    func snapshotIsBounded() throws {
        let share = try SweptShare(["a.txt": "a\n"])
        try share.sweep()
        let reader = try SQLiteFileReader(path: share.statePath, snapshotNanoseconds: .max)
        let a = share.path("a.txt")
        _ = try reader.storedFile(at: a)
        try storeFindings(3, for: a, in: share.statePath)
        var seen: [Int] = []
        for _ in 0..<SQLiteFileReader.lookupsPerSnapshot + 1 {
            seen.append(try reader.storedFile(at: a)?.findings ?? -1)
        }
        #expect(seen.first == 0)
        #expect(seen.last == 3)
        #expect(Set(seen).isSubset(of: [0, 3]))
    }

    @Test("a snapshot older than its time bound ends at the next lookup")
    func snapshotIsTimeBounded() throws {
        let share = try SweptShare(["a.txt": "a\n"])
        try share.sweep()
        let reader = try SQLiteFileReader(path: share.statePath, snapshotNanoseconds: 1_000_000)
        let a = share.path("a.txt")
        #expect(try reader.storedFile(at: a)?.findings == 0)
        try storeFindings(7, for: a, in: share.statePath)
        // Well past the bound (and past the coarse clock's few milliseconds of resolution).
        usleep(100_000)
        #expect(try reader.storedFile(at: a)?.findings == 7)
    }
}
