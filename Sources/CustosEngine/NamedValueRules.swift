// The rules named-value findings are reported under. A named value's finding comes from what
// the value is called and where it sits (CustosDecoders/NamedValues), not from a pattern, so
// these rules have no pattern: they give reports, selection (`--rule named-password`,
// `--exclude-rule named-values`) and fingerprints a stable id per kind of credential.

import CustosCore
import CustosDecoders
import CustosRules

/// The kinds of named-value findings, each reported under its own rule id.
public enum NamedValueRule: String, Sendable, CaseIterable {
    case password = "named-password"
    case secret = "named-secret"
    case token = "named-token"
    case authorization = "named-authorization"
    case psk = "named-psk"
    case community = "named-snmp-community"
    case privateKey = "named-private-key"
    case connectionString = "named-connection-string"
    /// Encrypted with a key every copy of a remote-access tool ships (TeamViewer, VNC, WinSCP).
    case remoteAccessPassword = "named-remote-access-password"
    /// Encrypted with a key every copy of the vendor's software ships (Cisco type 7, FortiOS).
    case reversiblePassword = "named-reversible-password"
    /// A password hash: reported only with `--include-hashes`.
    case passwordHash = "named-password-hash"

    /// The rule a classified value is reported under; nil when it is not reported at all.
    public static func rule(for value: ClassifiedValue) -> NamedValueRule? {
        switch value.verdict {
        case .credential:
            switch value.nameClass {
            case .password, .passphrase, .pin, .credential: .password
            case .secret, .cryptoKey: .secret
            case .apiKey, .token: .token
            case .authorization: .authorization
            case .psk: .psk
            case .community: .community
            case .privateKey: .privateKey
            case .connectionString: .connectionString
            case .passwordHash: .passwordHash
            }
        case let .publishedKeyEncryption(scheme, _):
            switch scheme {
            case .teamViewer, .vnc, .winSCP: .remoteAccessPassword
            case .ciscoType7, .junos9, .groupPolicyPreferences, .fortiOS, .websphereXor: .reversiblePassword
            }
        case .hash: .passwordHash
        case .notCredential: nil
        }
    }

    /// How sure a finding of this value is.
    public static func confidence(for value: ClassifiedValue) -> Confidence {
        switch value.verdict {
        case let .credential(confidence): confidence
        case .publishedKeyEncryption: .high
        // Reported only when asked for (`--include-hashes`), and then shown.
        case .hash: .medium
        case .notCredential: .low
        }
    }

    public var info: RuleInfo {
        let (name, description): (String, String) = switch self {
        case .password: ("Password named as one", "A value whose name says it is a password, PIN or login credential (`FTP_Pass`, `Kennwort`, `<Member Name=\"Password\">`, `--password=`), and which looks like one someone chose: not masked, empty, a reference, a hash or a placeholder.")
        case .secret: ("Secret named as one", "A value named as a secret or cryptographic key (`client_secret`, `EncryptionKey`, `ARRAY OF BYTE` key material) that looks generated.")
        case .token: ("API key or token named as one", "A value named as an API key or token that looks generated (length, mixed characters, entropy).")
        case .authorization: ("Authorization header credentials", "Credentials in an HTTP Authorization value (Basic user:password, Bearer token) written into a file or a command.")
        case .psk: ("Pre-shared key", "A Wi-Fi, IPsec or VPN pre-shared key named as one (`psk`, `wpa_passphrase`, `pre-shared-key`).")
        case .community: ("SNMP community string", "An SNMP community other than a vendor default: read or write access to the device's management plane.")
        case .privateKey: ("Private key named as one", "A private key value (WireGuard, SSH, TLS) under a name that says so.")
        case .connectionString: ("Connection string with a password", "A connection string or URL named as one that carries a password.")
        case .remoteAccessPassword: ("Remote-access password under a published key", "A remote-access tool's stored password (TeamViewer, VNC, WinSCP), encrypted with a key every copy of the software ships: anyone can decrypt it.")
        case .reversiblePassword: ("Password under a published key", "A device or vendor password stored with reversible encryption whose key is public (Cisco type 7, Junos $9$, Group Policy Preferences cpassword, older FortiOS ENC, WebSphere {xor}).")
        case .passwordHash: ("Password hash", "A stored password hash (crypt formats, bcrypt, PBKDF2, Cisco type 5/8/9, device SHA digests): open to offline cracking. Reported only with --include-hashes.")
        }
        return RuleInfo(id: rawValue, name: name, description: description, confidence: .medium,
                        tags: ["named-values", self == .remoteAccessPassword ? "vendor" : "credential"],
                        traits: self == .remoteAccessPassword ? [.vendor] : [],
                        source: "built-in named values (rules/vocabulary)", kind: .decoder)
    }

    /// Every named-value rule, as reports describe them.
    public static var rules: [RuleInfo] { allCases.map(\.info) }
}

/// Named-value scanning as a run configured it: the scanner (vocabulary and classifier) and
/// which of its rules are reported.
public struct NamedValueScanning: Sendable {
    public let scanner: NamedValueScanner
    public let enabled: Set<NamedValueRule>

    public init(scanner: NamedValueScanner, enabled: Set<NamedValueRule>) {
        self.scanner = scanner
        self.enabled = enabled
    }

    /// `vocabulary` with every rule but hashes (unless `includeHashes`), narrowed by
    /// `selection`; nil when the selection leaves no named-value rule.
    public static func using(_ vocabulary: CredentialVocabulary, selection: RuleSelection = RuleSelection(),
                             includeHashes: Bool = false) -> NamedValueScanning? {
        let enabled = Set(NamedValueRule.allCases.filter { rule in
            (rule != .passwordHash || includeHashes) && selection.keeps(rule.info)
        })
        guard !enabled.isEmpty else { return nil }
        var options = NamedValueScanner.Options()
        options.includeHashes = includeHashes
        return NamedValueScanning(scanner: NamedValueScanner(vocabulary: vocabulary, options: options), enabled: enabled)
    }
}
