import Crypto

/// A stable name for a secret found by a rule: SHA-256 over the rule id, a NUL byte and the
/// secret's bytes, in lowercase hex. It survives line moves and renames, changes when the
/// secret changes, and lets an owners registry name a secret without holding it.
public struct Fingerprint: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hex: String

    public init(hex: String) {
        self.hex = hex
    }

    public init<Bytes: Sequence>(ruleID: String, secret: Bytes) where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(data: Array(ruleID.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(secret))
        self.hex = Hex.encode(hasher.finalize())
    }

    public init(ruleID: String, secret: String) {
        self.init(ruleID: ruleID, secret: secret.utf8)
    }

    public var description: String { hex }

    public static func < (lhs: Fingerprint, rhs: Fingerprint) -> Bool { lhs.hex < rhs.hex }
}

/// SHA-256 of a sequence of text parts, each followed by a NUL byte, in lowercase hex.
public func sha256Hex(parts: [String]) -> String {
    var hasher = SHA256()
    for part in parts {
        hasher.update(data: Array(part.utf8))
        hasher.update(data: [0])
    }
    return Hex.encode(hasher.finalize())
}

extension Fingerprint {
    /// SHA-256 of the secret alone, in hex: what an owners registry stores, so an owner can
    /// register a credential without knowing which rule will find it.
    public static func plainSHA256(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Array(secret.utf8)))
    }
}
