import CustosCore
import Foundation

/// Where a series of sweeps keeps its state: what the sweep logic needs and nothing of how it
/// is stored. `SweepState` keeps it in one SQLite file (the embedded default); a central store
/// (PostgreSQL, for a fleet of plants) implements the same calls, so lifecycle, resume and
/// reports stay one piece of code.
///
/// Workers never hold a transaction across work: each asks its own `StoredFileReader` about one
/// file at a time (a reader may keep one read snapshot over a short run of lookups, ended before
/// a large file is read), and only the sweep's single writer (`apply`, `finish`) writes.
public protocol SweepStore: Sendable {
    /// Where the state lives, for messages (a path, a database name).
    var location: String { get }
    /// Starts a sweep over `roots`, or takes up the unfinished one.
    func begin(roots: [String]) throws(SweepStateError) -> SweepTicket
    /// How many files the state holds under `roots`.
    func fileCount(roots: [String]) -> Int
    /// A reader for one worker.
    func makeFileReader() throws(SweepStateError) -> any StoredFileReader
    /// Commits one batch of worker results and its counts.
    func apply(_ batch: [FileResult], sweep: Int64, ownersDigest: String) throws(SweepStateError)
    /// The last step of a sweep, in one transaction: removed files, statuses, counts.
    func finish(_ ticket: SweepTicket, closing: SweepClosing) throws(SweepStateError) -> SweepOutcome
    /// What a report for people needs, judged on `today`.
    func history(today: IsoDay) throws(SweepStateError) -> SweepHistory
    /// Tidies storage after a sweep (folds SQLite's log back into the file).
    func compact()
}

/// Looks up files as the state last saw them, for one worker. Not shared between threads.
public protocol StoredFileReader: AnyObject {
    func storedFile(at path: String) throws(SweepStateError) -> StoredFile?
    /// Ends any read snapshot kept between lookups: called before a worker reads a large file
    /// and when it stops, so no snapshot is held through long work.
    func endReading()
}

extension StoredFileReader {
    public func endReading() {}
}
