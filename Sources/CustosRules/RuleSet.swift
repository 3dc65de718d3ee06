import CustosCore

/// The rules one scan runs, in a fixed order, with a digest that changes whenever anything
/// the engine compiles changes (used to key the compiled-database cache).
public struct RuleSet: Sendable {
    public let rules: [Rule]

    /// Builds a set, rejecting duplicate ids (the first definition's location is named).
    public init(_ rules: [Rule]) throws(RuleError) {
        var seen: [String: String] = [:]
        for rule in rules {
            if let first = seen[rule.id] {
                throw RuleError(location: rule.source,
                                message: "rule id '\(rule.id)' is already defined at \(first); ids must be unique")
            }
            seen[rule.id] = rule.source
        }
        self.rules = rules
    }

    public var count: Int { rules.count }

    /// Ids of the generic rules (tag `generic`), which give way to specific ones.
    public var genericRuleIDs: Set<String> { Set(rules.filter(\.isGeneric).map(\.id)) }

    public func rule(withID id: String) -> Rule? {
        rules.first { $0.id == id }
    }

    /// SHA-256 over every rule's compiled parts, in order.
    public var digest: String {
        sha256Hex(parts: rules.flatMap { [$0.id, $0.pattern] })
    }
}

/// A problem in a rule file, with the place to fix it.
public struct RuleError: Error, Sendable, CustomStringConvertible {
    /// `file:line` or `file`.
    public var location: String
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String {
        location.isEmpty ? message : "\(location): \(message)"
    }
}
