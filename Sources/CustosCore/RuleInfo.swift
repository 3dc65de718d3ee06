/// A behaviour the code attaches to a rule, declared under `traits:` in the rule's YAML and
/// checked when rules load (an unknown trait is an error naming the file and line). Tags, by
/// contrast, are free labels for people and for `--rule`/`--exclude-rule` selection.
public enum RuleTrait: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// A catch-all assignment rule (`password = …`): it gives way to a specific rule that
    /// reports the same secret, and to what a decoded value says.
    case generic
    /// The secret is reported in an encoded form (an HTTP Basic header's base64): when it
    /// decodes to text, the decoded text speaks for it.
    case encoded
    /// What it finds belongs to a vendor or a remote-access path: ownership reports flag it
    /// as a vendor credential.
    case vendor
    /// The secret is a password someone chose, known by where it stands (a URL's user
    /// information, a Basic header, a registry login), not by a format its issuer makes: in
    /// test and documentation files its findings are low, as named values' are.
    case chosenPassword = "chosen-password"

    public static func < (lhs: RuleTrait, rhs: RuleTrait) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What kind of check produced a result.
public enum RuleKind: String, Sendable, Hashable, Codable {
    /// A pattern rule from a rules file.
    case detection
    /// A decoder that finds credentials itself (Node-RED credentials it decrypted, a named
    /// value a structured file gives).
    case decoder
    /// A verdict about a credential's governance (unowned, shared, expired).
    case governance
}

/// How reports describe the rule behind any result: a detection rule, a decoder or a
/// governance check. Reporters and ownership need only this, never the rule's patterns.
public struct RuleInfo: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var confidence: Confidence
    public var tags: [String]
    public var traits: Set<RuleTrait>
    public var references: [String]
    /// Where it was defined: `rules/github.yaml:12`, `built-in decoder`.
    public var source: String
    public var kind: RuleKind

    public init(id: String, name: String, description: String = "", confidence: Confidence = .medium,
                tags: [String] = [], traits: Set<RuleTrait> = [], references: [String] = [],
                source: String = "", kind: RuleKind = .detection) {
        self.id = id
        self.name = name
        self.description = description
        self.confidence = confidence
        self.tags = tags
        self.traits = traits
        self.references = references
        self.source = source
        self.kind = kind
    }

    public var isGeneric: Bool { traits.contains(.generic) }
}

/// The rules a report can describe, by id.
public struct RuleCatalog: Sendable {
    public private(set) var byID: [String: RuleInfo]

    public init(_ rules: [RuleInfo]) {
        byID = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(id: String) -> RuleInfo? { byID[id] }

    public mutating func add(_ rules: [RuleInfo]) {
        for rule in rules where byID[rule.id] == nil { byID[rule.id] = rule }
    }

    /// Ids of the rules with `trait`.
    public func ids(with trait: RuleTrait) -> Set<String> {
        Set(byID.values.filter { $0.traits.contains(trait) }.map(\.id))
    }
}
