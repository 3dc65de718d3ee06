@testable import CustosSweep
import CustosTestSupport
import Foundation
import GRDB
import Testing

@Suite("Sweep state: foreign, damaged and newer files are refused untouched")
struct StateFileTests {
    /// Opens `path` for a sweep and returns the error, checking the file was left as it was.
    func refusal(_ path: String) throws -> SweepStateError {
        let before = FileManager.default.contents(atPath: path)
        var caught: SweepStateError?
        do {
            _ = try SweepState.openForSweep(path: path)
        } catch {
            caught = error
        }
        #expect(FileManager.default.contents(atPath: path) == before, "a refused state must not be written to")
        return try #require(caught)
    }

    @Test("a file that is not SQLite says so and how to rebuild")
    func notADatabase() throws {
        let folder = try TemporaryTree(["state.db": String(repeating: "not a database, just text\n", count: 100)])
        let error = try refusal(folder.url("state.db").path)
        #expect(error == .notADatabase(path: folder.url("state.db").path))
        #expect(error.description.contains("is not a custos sweep state"))
        #expect(error.description.contains("move it away"))
        #expect(error.description.contains("a fresh state reads every file once and starts every finding as new"))
    }

    @Test("another program's SQLite database is foreign")
    func foreign() throws {
        let folder = try TemporaryTree()
        let path = folder.url("other.db").path
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        }
        try queue.close()
        let error = try refusal(path)
        #expect(error == .foreign(path: path, applicationID: 0))
        #expect(error.description.contains("a SQLite database of another program"))
    }

    @Test("a state from a newer custos is refused")
    func newer() throws {
        let share = try SweptShare(["a.txt": "a\n"])
        try share.sweep()
        let queue = try DatabaseQueue(path: share.statePath)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 99") }
        try queue.close()
        let error = try refusal(share.statePath)
        #expect(error == .newerSchema(path: share.statePath, found: 99, supported: SweepState.schemaVersion))
        #expect(error.description.contains("newer custos"))
    }

    @Test("a truncated state is damaged")
    func truncated() throws {
        let folder = try TemporaryTree()
        let path = folder.url("state.db").path
        try Data("SQLite form".utf8).write(to: URL(fileURLWithPath: path))
        let error = try refusal(path)
        guard case .corrupt = error else {
            Issue.record("expected a damaged-state error, got \(error)")
            return
        }
        #expect(error.description.contains("is damaged"))
    }

    @Test("a state held by a running sweep is in use")
    func inUse() throws {
        let folder = try TemporaryTree()
        let path = folder.url("state.db").path
        let held = try SweepState.openForSweep(path: path)
        #expect(throws: SweepStateError.inUse(path: path)) { _ = try SweepState.openForSweep(path: path) }
        _ = held
    }

    @Test("the state is WAL, carries custos' application id and schema version, and holds no secret")
    func format() throws {
        let token = fakeToken()
        let share = try SweptShare(["a.env": "T=\(token)\n"])
        try share.sweep()
        let queue = try DatabaseQueue(path: share.statePath)
        let (mode, application, version) = try queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA application_id"),
             try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        try queue.close()
        #expect(mode == "wal")
        #expect(application.map { UInt32(truncatingIfNeeded: $0) } == SweepState.applicationID)
        #expect(version == SweepState.schemaVersion)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: share.statePath))
        #expect(bytes.range(of: Data(token.utf8)) == nil)
        #expect(bytes.range(of: Data(token.dropFirst(8).utf8)) == nil)
    }
}
