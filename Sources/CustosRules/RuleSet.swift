import CustosCore
public import CustosYAML

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

    /// Ids of the generic rules (trait `generic`), which give way to specific ones.
    public var genericRuleIDs: Set<String> { Set(rules.filter(\.isGeneric).map(\.id)) }

    /// The rules a selection keeps, in the same order. Ids and tags are matched as globs
    /// (`github-*`, `generic`); an empty `only` keeps every rule.
    public func selecting(_ selection: RuleSelection) throws(RuleError) -> RuleSet {
        try RuleSet(rules.filter(selection.keeps))
    }

    public func rule(withID id: String) -> Rule? {
        rules.first { $0.id == id }
    }

    /// SHA-256 over every rule's compiled parts, in order.
    public var digest: String {
        sha256Hex(parts: rules.flatMap { [$0.id, $0.pattern] })
    }
}

/// A problem in a rule file, with the place to fix.
public typealias RuleError = LocatedError

/// Which rules a run keeps: `--rule`, `--exclude-rule` and `--min-confidence`.
public struct RuleSelection: Sendable {
    /// Rule ids, tags or traits (globs); when not empty, a rule must match one of them.
    public var only: [String]
    /// Rule ids or tags (globs) that drop a rule.
    public var excluded: [String]
    public var minimumConfidence: Confidence

    public init(only: [String] = [], excluded: [String] = [], minimumConfidence: Confidence = .low) {
        self.only = only
        self.excluded = excluded
        self.minimumConfidence = minimumConfidence
    }

    public var isEmpty: Bool { only.isEmpty && excluded.isEmpty && minimumConfidence == .low }

    func keeps(_ rule: Rule) -> Bool {
        keeps(id: rule.id, tags: rule.tags, traits: rule.traits, confidence: rule.confidence)
    }

    /// Whether a rule that is not a pattern (a decoder's, a named-value kind) is selected.
    public func keeps(_ rule: RuleInfo) -> Bool {
        keeps(id: rule.id, tags: rule.tags, traits: rule.traits, confidence: rule.confidence)
    }

    private func keeps(id: String, tags: [String], traits: Set<RuleTrait>, confidence: Confidence) -> Bool {
        func named(by patterns: [String]) -> Bool {
            patterns.map(PathGlob.init).contains { glob in
                glob.matches(id) || tags.contains { glob.matches($0) } || traits.contains { glob.matches($0.rawValue) }
            }
        }
        if !only.isEmpty && !named(by: only) { return false }
        if named(by: excluded) { return false }
        return confidence >= minimumConfidence
    }

    /// Selectors that name no rule at all in `rules`: almost always a typo worth a warning.
    public func unmatchedSelectors(in rules: [Rule]) -> [String] {
        (only + excluded).filter { selector in
            let glob = PathGlob(selector)
            return !rules.contains { rule in
                glob.matches(rule.id) || rule.tags.contains { glob.matches($0) } || rule.traits.contains { glob.matches($0.rawValue) }
            }
        }
    }
}
