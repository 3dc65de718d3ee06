import CustosEngine
import Foundation

/// The database compiled at build time for the built-in rules.
public enum BuiltinPatterns {
    /// The cache key of the embedded database (Vectorscan version, code path, every pattern).
    public static var key: String { BuiltinPatternImage.key }

    /// The embedded cache image (look-backs and the serialized database); nil if it cannot be decoded.
    public static var image: Data? { Data(base64Encoded: BuiltinPatternImage.base64, options: .ignoreUnknownCharacters) }

    /// Makes the embedded database available to every engine made afterwards: one built for
    /// exactly the built-in rules loads it instead of compiling.
    public static func register() {
        PrebuiltPatternDatabases.register(key: BuiltinPatternImage.key) { image }
    }
}
