// CustosRules: what a detection rule is, how it is read from YAML and validated, and the set
// of rules a scan runs. It owns no matching: CustosEngine compiles these rules and runs them.
// The YAML is parsed into a faithful syntax tree (with line numbers) before validation, so
// every error can point at the file and line a rule author has to fix.

import CustosCore

/// A validated detection rule: everything the engine needs to find and confirm one kind of
/// secret, and everything a report needs to explain it.
public struct Rule: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    /// PCRE2/Vectorscan pattern with a named group `secret` (and optionally `identity`).
    public var pattern: String
    /// Literals of which at least one must occur, case-insensitively, in the matched text.
    public var keywords: [String]
    /// Minimum Shannon entropy of the secret, in bits per byte.
    public var minEntropy: Double
    public var confidence: Confidence
    /// Free labels for people and for rule selection.
    public var tags: [String]
    /// Behaviours the code attaches to the rule (see `RuleTrait`).
    public var traits: Set<RuleTrait>
    public var identity: IdentityPattern?
    /// Regexes on the secret that mark a match as harmless.
    public var allow: [String]
    /// Path globs the rule is limited to; empty means every path.
    public var paths: [String]
    public var examples: [String]
    public var negativeExamples: [String]
    public var references: [String]
    /// Where the rule was defined, for messages: `rules/github.yaml:12`.
    public var source: String

    public init(id: String, name: String, description: String = "", pattern: String,
                keywords: [String], minEntropy: Double = 0, confidence: Confidence = .medium,
                tags: [String] = [], traits: Set<RuleTrait> = [], identity: IdentityPattern? = nil, allow: [String] = [],
                paths: [String] = [], examples: [String] = [], negativeExamples: [String] = [],
                references: [String] = [], source: String = "") {
        self.id = id
        self.name = name
        self.description = description
        self.pattern = pattern
        self.keywords = keywords
        self.minEntropy = minEntropy
        self.confidence = confidence
        self.tags = tags
        self.traits = traits
        self.identity = identity
        self.allow = allow
        self.paths = paths
        self.examples = examples
        self.negativeExamples = negativeExamples
        self.references = references
        self.source = source
    }

    /// Generic rules (trait `generic`) give way to a specific rule that matched the same secret.
    public var isGeneric: Bool { traits.contains(.generic) }

    /// How reports describe this rule.
    public var info: RuleInfo {
        RuleInfo(id: id, name: name, description: description, confidence: confidence, tags: tags,
                 traits: traits, references: references, source: source, kind: .detection)
    }
}

/// A second pattern searched near a match to name the identity holding the secret, such as
/// the AWS access key id next to a secret access key.
public struct IdentityPattern: Sendable, Hashable {
    /// Pattern with a named group `identity`.
    public var pattern: String
    /// Bytes searched on either side of the match.
    public var within: Int

    public init(pattern: String, within: Int) {
        self.pattern = pattern
        self.within = within
    }
}
