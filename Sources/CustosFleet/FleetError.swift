/// Why the fleet database could not be used, in words an operator can act on.
public enum FleetError: Error, Sendable, CustomStringConvertible {
    /// The URL or a connection setting is wrong.
    case badAddress(String)
    /// The server could not be reached or refused the login.
    case connection(address: String, detail: String)
    /// The database holds a newer custos schema than this binary knows.
    case newerSchema(found: Int, known: Int)
    /// A statement failed (the transaction was rolled back: nothing of it was written).
    case query(String)
    /// The local sweep state could not be read.
    case state(String)

    public var description: String {
        switch self {
        case let .badAddress(detail):
            "fleet database address: \(detail)"
        case let .connection(address, detail):
            "cannot connect to \(address): \(detail)"
        case let .newerSchema(found, known):
            "the fleet database has custos schema \(found), this custos knows up to \(known): upgrade custos on this host"
        case let .query(detail):
            "fleet database: \(detail)"
        case let .state(detail):
            "sweep state: \(detail)"
        }
    }
}
