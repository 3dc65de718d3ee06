/// What went wrong with a sweep's state file, said so that the person at the terminal knows
/// what to do next.
public enum SweepStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a SQLite database at all.
    case notADatabase(path: String)
    /// A SQLite database, but another program's (or custos' own of another kind).
    case foreign(path: String, applicationID: UInt32)
    /// Written by a newer custos with a schema this one does not know.
    case newerSchema(path: String, found: Int, supported: Int)
    /// SQLite reports damage (a torn copy, a truncated file, disk errors).
    case corrupt(path: String, detail: String)
    /// Another sweep holds the state.
    case inUse(path: String)
    /// `custos report --state` on a file that does not exist.
    case missing(path: String)
    /// Any other failure of the database (disk full, permissions, …).
    case database(path: String, detail: String)

    /// How to start over, said with every error that needs it.
    static func rebuild(_ path: String) -> String {
        "Nothing was changed. Pass another --state, or move it away (mv '\(path)' '\(path).broken') and run the "
            + "sweep again: a fresh state reads every file once and starts every finding as new."
    }

    public var description: String {
        switch self {
        case let .notADatabase(path):
            "\(path) is not a custos sweep state (not a SQLite database). " + Self.rebuild(path)
        case let .foreign(path, id):
            "\(path) is a SQLite database of another program (application id 0x\(String(id, radix: 16))), not a custos sweep state. "
                + Self.rebuild(path)
        case let .newerSchema(path, found, supported):
            "\(path) was written by a newer custos (state schema \(found); this one knows up to \(supported)). "
                + "Use that custos, or " + Self.rebuild(path).dropFirst("Nothing was changed. Pass another --state, or ".count)
        case let .corrupt(path, detail):
            "\(path) is damaged (\(detail)). " + Self.rebuild(path)
        case let .inUse(path):
            "\(path) is in use by another sweep; wait for it to finish (or stop it) and run again."
        case let .missing(path):
            "\(path) does not exist: run `custos sweep ROOT --state \(path)` first."
        case let .database(path, detail):
            "cannot use the state \(path): \(detail)"
        }
    }
}
