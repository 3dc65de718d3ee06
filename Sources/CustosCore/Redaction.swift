/// How a report shows a secret: by default a short prefix and the length, never the whole.
public enum SecretDisplay: Sendable {
    case redacted
    case whole

    /// The text a report prints for `secret`.
    public func render(_ secret: String) -> String {
        switch self {
        case .whole: return secret
        case .redacted: return Self.redact(secret)
        }
    }

    /// `ghp_…(40 chars)`: up to four leading characters, fewer for short secrets, so that at
    /// most a quarter of the secret is ever shown.
    public static func redact(_ secret: String) -> String {
        let count = secret.count
        let shown = min(4, count / 4)
        let prefix = secret.prefix(shown)
            .map { $0.isNewline ? " " : String($0) }.joined()
        return "\(prefix)…(\(count) chars)"
    }
}
