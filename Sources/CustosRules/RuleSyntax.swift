import CustosCore
import CustosYAML

/// One rule entry as written in YAML, before validation.
struct RuleSyntax {
    let entry: YAMLMapping

    init(_ entry: YAMLMapping) {
        self.entry = entry
    }

    static let knownKeys: Set<String> = [
        "id", "name", "description", "pattern", "keywords", "min_entropy", "confidence", "tags", "traits",
        "identity", "allow", "paths", "examples", "negative_examples", "references",
    ]

    /// Checks every field and returns the rule the engine can compile.
    func validated() throws(RuleError) -> Rule {
        let entry = try self.entry.required()
        try entry.rejectUnknownKeys(Self.knownKeys)
        let id = try entry.requiredString("id")
        guard id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
            throw entry.error("rule id '\(id)' may only use lowercase letters, digits, '-', '_' and '.'")
        }
        let pattern = try entry.requiredString("pattern")
        guard pattern.contains("?P<secret>") || pattern.contains("?<secret>") else {
            throw entry.error("rule '\(id)': the pattern needs a named group 'secret', as in (?P<secret>...)")
        }
        let keywords = try entry.strings("keywords")
        guard !keywords.isEmpty, keywords.allSatisfy({ !$0.isEmpty }) else {
            throw entry.error("rule '\(id)': list at least one non-empty keyword that occurs in every match")
        }
        let minEntropy = try entry.double("min_entropy") ?? 0
        guard (0...8).contains(minEntropy) else {
            throw entry.error("rule '\(id)': min_entropy is in bits per byte, between 0 and 8")
        }
        let confidenceText = try entry.string("confidence") ?? "medium"
        guard let confidence = Confidence(rawValue: confidenceText) else {
            throw entry.error("rule '\(id)': confidence must be high, medium or low, not '\(confidenceText)'")
        }
        var identity: IdentityPattern?
        if let block = entry.child("identity") {
            let block = try block.required()
            try block.rejectUnknownKeys(["pattern", "within"])
            let identityPattern = try block.requiredString("pattern")
            guard identityPattern.contains("?P<identity>") || identityPattern.contains("?<identity>") else {
                throw block.error("rule '\(id)': the identity pattern needs a named group 'identity'")
            }
            let within = try block.int("within") ?? 256
            guard (1...65_536).contains(within) else {
                throw block.error("rule '\(id)': within is a byte distance between 1 and 65536")
            }
            identity = IdentityPattern(pattern: identityPattern, within: within)
        }
        var traits = Set<RuleTrait>()
        for name in try entry.strings("traits") {
            guard let trait = RuleTrait(rawValue: name) else {
                let known = RuleTrait.allCases.map(\.rawValue).joined(separator: ", ")
                throw entry.error("rule '\(id)': unknown trait '\(name)'; traits are \(known) (see rules/README.md)")
            }
            traits.insert(trait)
        }
        return Rule(
            id: id,
            name: try entry.string("name") ?? id,
            description: try entry.string("description") ?? "",
            pattern: pattern,
            keywords: keywords,
            minEntropy: minEntropy,
            confidence: confidence,
            tags: try entry.strings("tags"),
            traits: traits,
            identity: identity,
            allow: try entry.strings("allow"),
            paths: try entry.strings("paths"),
            examples: try entry.strings("examples"),
            negativeExamples: try entry.strings("negative_examples"),
            references: try entry.strings("references"),
            source: entry.location)
    }
}
