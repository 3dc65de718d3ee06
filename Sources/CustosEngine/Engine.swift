import CustosCore
import CustosRules
import Foundation

/// A rule set compiled for scanning: one Vectorscan database for all rules plus, per rule,
/// the PCRE2 patterns that confirm a candidate and extract its secret. Build it once per run
/// and share it; every worker makes its own `Scanner` from it.
public final class Engine: Sendable {
    public let ruleSet: RuleSet
    /// Nil when no pattern rule runs (only named values, `--rule named-values`).
    let database: PatternDatabase?
    let rules: [CompiledRule]
    let maxCaptureCount: Int
    /// Whether inline allow comments silence findings (off for an audit).
    public let honorsAllowComments: Bool
    /// Named-value scanning (credentials found by what they are called), nil when off.
    public let namedValues: NamedValueScanning?
    /// Which findings a scan reports (`--min-confidence`), and each rule's confidence.
    public let confidenceGate: ConfidenceGate

    /// Compiles `ruleSet`. With a `cacheDirectory`, the Vectorscan database is loaded from
    /// there when the rules are unchanged, and saved there after a compile.
    public init(ruleSet: RuleSet, cacheDirectory: URL? = Engine.defaultCacheDirectory,
                honorsAllowComments: Bool = true,
                namedValues: NamedValueScanning? = nil,
                minimumConfidence: Confidence = .low) throws(EngineError) {
        self.ruleSet = ruleSet
        self.honorsAllowComments = honorsAllowComments
        self.namedValues = namedValues
        var ruleConfidence = Dictionary(ruleSet.rules.map { ($0.id, $0.confidence) }, uniquingKeysWith: { first, _ in first })
        for rule in NamedValueRule.allCases { ruleConfidence[rule.rawValue] = rule.info.confidence }
        confidenceGate = ConfidenceGate(minimum: minimumConfidence, ruleConfidence: ruleConfidence,
                                        contextRules: Set(ruleSet.rules.filter { $0.isGeneric || $0.traits.contains(.chosenPassword) }.map(\.id))
                                            .union(NamedValueRule.allCases.map(\.rawValue)))
        var compiled: [CompiledRule] = []
        for rule in ruleSet.rules {
            compiled.append(try CompiledRule(rule))
        }
        rules = compiled
        maxCaptureCount = compiled.map(\.maxCaptureCount).max() ?? 1
        do {
            database = ruleSet.rules.isEmpty ? nil
                : try PatternDatabase(patterns: ruleSet.rules.map(\.pattern), cacheDirectory: cacheDirectory)
        } catch let EngineError.patternRejected(index, message) {
            let rule = ruleSet.rules[index]
            throw .invalidRule(ruleID: rule.id, source: rule.source,
                               message: "Vectorscan cannot compile the pattern: \(message)")
        }
    }

    /// `$XDG_CACHE_HOME/custos` or `~/.cache/custos`; nil when neither can be named.
    public static var defaultCacheDirectory: URL? {
        let environment = ProcessInfo.processInfo.environment
        if let override = environment["CUSTOS_CACHE_DIR"] {
            return override.isEmpty ? nil : URL(fileURLWithPath: override)
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("custos")
        }
        if let home = environment["HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home).appendingPathComponent(".cache/custos")
        }
        return nil
    }

    /// The part of `pattern` the Vectorscan pass runs (every match of the pattern holds a
    /// match of it); PCRE2 confirms candidates with the whole pattern.
    public static func prefilterPattern(for pattern: String) -> String {
        PrefilterWidening.widen(pattern)
    }

    /// A scanner for one worker thread.
    public func makeScanner() -> SecretScanner {
        let scanner = SecretScanner(engine: self)
        scanner.honorsAllowComments = honorsAllowComments
        return scanner
    }

    /// Whether the rule's pattern had to be compiled as a looser prefilter.
    public func isPrefiltered(ruleIndex: Int) -> Bool {
        database?.prefiltered[ruleIndex] ?? false
    }
}

/// One rule with its patterns compiled.
struct CompiledRule: Sendable {
    let rule: Rule
    let regex: ConfirmingRegex
    let secretGroup: Int
    /// An `identity` group in the main pattern.
    let identityGroup: Int?
    /// A separate pattern searched near the match for the identity.
    let identityRegex: ConfirmingRegex?
    let identityRegexGroup: Int
    let identityWithin: Int
    let allow: [(pattern: String, regex: ConfirmingRegex)]
    let keywords: [[UInt8]]
    let paths: [PathGlob]
    /// Placeholder checks include the short, weak markers (rules below high confidence).
    let strictPlaceholders: Bool
    let isGeneric: Bool

    var maxCaptureCount: Int {
        ([regex.captureCount, identityRegex?.captureCount ?? 0] + allow.map(\.regex.captureCount)).max() ?? 1
    }

    init(_ rule: Rule) throws(EngineError) {
        func compile(_ pattern: String, what: String) throws(EngineError) -> ConfirmingRegex {
            do {
                return try ConfirmingRegex(pattern: pattern)
            } catch {
                throw .invalidRule(ruleID: rule.id, source: rule.source,
                                   message: "\(what) is not valid PCRE2 at offset \(error.offset): \(error.message)")
            }
        }
        self.rule = rule
        regex = try compile(rule.pattern, what: "the pattern")
        guard let secretGroup = regex.groupNumber(named: "secret") else {
            throw .invalidRule(ruleID: rule.id, source: rule.source, message: "the pattern has no group named 'secret'")
        }
        self.secretGroup = secretGroup
        identityGroup = regex.groupNumber(named: "identity")
        if let identity = rule.identity {
            let identityRegex = try compile(identity.pattern, what: "the identity pattern")
            self.identityRegex = identityRegex
            identityRegexGroup = identityRegex.groupNumber(named: "identity") ?? 0
            identityWithin = identity.within
        } else {
            identityRegex = nil
            identityRegexGroup = 0
            identityWithin = 0
        }
        var allow: [(String, ConfirmingRegex)] = []
        for pattern in rule.allow {
            allow.append((pattern, try compile(pattern, what: "the allow pattern '\(pattern)'")))
        }
        self.allow = allow
        keywords = rule.keywords.map { Array($0.lowercased().utf8) }
        paths = rule.paths.map(PathGlob.init)
        strictPlaceholders = rule.confidence != .high
        isGeneric = rule.isGeneric
    }

    func applies(toPath path: String) -> Bool {
        paths.isEmpty || paths.contains { $0.matches(path) }
    }
}
