import CustosCore

/// Why the engine could not be built from a rule set.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// Pattern `index` of the compiled list could not be compiled.
    case patternRejected(index: Int, message: String)
    /// A rule's pattern or one of its helper patterns is not valid PCRE2.
    case invalidRule(ruleID: String, source: String, message: String)
    case vectorscan(String)

    public var description: String {
        switch self {
        case let .patternRejected(index, message):
            return "pattern \(index) cannot be compiled by Vectorscan: \(message)"
        case let .invalidRule(ruleID, source, message):
            return "\(source): rule '\(ruleID)': \(message)"
        case let .vectorscan(message):
            return "Vectorscan: \(message)"
        }
    }
}

/// SHA-256 over text parts, shared by the cache key and anything else that needs a name for
/// a compiled artefact.
func stableDigest(_ parts: [String]) -> String {
    sha256Hex(parts: parts)
}
