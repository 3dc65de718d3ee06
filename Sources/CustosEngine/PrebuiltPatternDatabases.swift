import CustosRules
import Foundation
import Synchronization

/// Vectorscan databases compiled when custos was built, each under the cache key of the
/// patterns it holds: a fresh machine or CI container starts as fast as a warm one, and only
/// rule sets the build did not foresee (`--rules`, a narrowed selection) are compiled and cached.
///
/// The command line registers the built-in rules' image (`BuiltinPatterns` in `CustosBuiltinRules`) before
/// any engine is made; an image whose key no rule set asks for is never decoded.
public enum PrebuiltPatternDatabases {
    private static let images = Mutex<[String: @Sendable () -> Data?]>([:])

    /// Makes an image available under `key`; `image` runs at most once per engine that asks.
    public static func register(key: String, image: @escaping @Sendable () -> Data?) {
        images.withLock { $0[key] = image }
    }

    static func image(for key: String) -> Data? {
        guard let load = images.withLock({ $0[key] }) else { return nil }
        return load()
    }

    /// The key under which `ruleSet`'s database is cached and looked up.
    public static func key(for ruleSet: RuleSet) -> String {
        PatternDatabase.cacheKey(patterns: ruleSet.rules.map(\.pattern))
    }

    /// The cache key and image of `ruleSet`'s Vectorscan database, compiled now: what the
    /// build-time tool embeds.
    public static func compile(_ ruleSet: RuleSet) throws(EngineError) -> (key: String, image: Data) {
        try PatternDatabase.compiledImage(patterns: ruleSet.rules.map(\.pattern))
    }
}
