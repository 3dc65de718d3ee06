// Governance verdicts: what custos judges about a credential's stewardship (nobody owns it,
// nobody may revoke it, it is past its date, it is shared, it is a vendor's or a break-glass
// account, it was found outside its access window). A verdict is an attribute of the one
// finding for a secret at a place, never a finding of its own: a secret counts once in every
// format, a baseline that knows the finding silences its verdicts too, and `--fail-on` can
// still pick findings by verdict. Judging lives in CustosOwners; this is the vocabulary.

/// How urgent a finding is: the rule's confidence raised by its verdicts (a used break-glass
/// account is critical whatever rule found it).
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low, medium, high, critical

    public init(_ confidence: Confidence) {
        switch confidence {
        case .low: self = .low
        case .medium: self = .medium
        case .high: self = .high
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }
}

/// One governance judgement about a credential.
public enum GovernanceVerdict: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// No identity and no CODEOWNERS entry claims it: nobody is on record to revoke it.
    case unowned
    /// An owner is known but nobody is named who may revoke it.
    case noRevoker = "no-revoker"
    /// The identity is past its `expires` or `rotate_by` date.
    case expired
    /// The same secret is found at two or more places (sites, else scan roots).
    case shared
    /// A vendor's or remote-access credential.
    case vendor
    /// A break-glass account: any finding of it is critical, and it must be rotated after every use.
    case breakGlass = "break-glass"
    /// Found while the identity's access window (`access: {from, until}`) was closed.
    case outsideAccessWindow = "outside-access-window"

    public static func < (lhs: GovernanceVerdict, rhs: GovernanceVerdict) -> Bool {
        lhs.order < rhs.order
    }

    /// The order labels are shown in: the most urgent first.
    private var order: Int {
        switch self {
        case .breakGlass: 0
        case .unowned: 1
        case .noRevoker: 2
        case .expired: 3
        case .outsideAccessWindow: 4
        case .shared: 5
        case .vendor: 6
        }
    }

    /// The severity a finding has at least when it carries this verdict; `places` is the
    /// number of places a shared secret is found at.
    public func severity(places: Int = 0) -> Severity {
        switch self {
        case .breakGlass: .critical
        case .unowned, .expired, .outsideAccessWindow: .high
        case .shared: places >= 3 ? .high : .medium
        case .noRevoker, .vendor: .medium
        }
    }

    /// OWASP Non-Human Identities Top 10 (2025) category.
    public var owaspCategory: String {
        switch self {
        case .unowned, .noRevoker: "NHI1:2025 Improper Offboarding"
        case .expired: "NHI7:2025 Long-Lived Secrets"
        case .outsideAccessWindow: "NHI1:2025 Improper Offboarding"
        case .shared: "NHI9:2025 NHI Reuse"
        case .vendor: "NHI3:2025 Vulnerable Third-Party NHI"
        case .breakGlass: "NHI10:2025 Human Use of NHI"
        }
    }

    /// A label for people: `shared at 3 places`, `break-glass`.
    public func label(places: Int = 0) -> String {
        switch self {
        case .shared where places > 0: "shared at \(places) places"
        default: rawValue
        }
    }

    /// What the verdict asks of the people reading it, in one sentence.
    public var advice: String {
        switch self {
        case .unowned: "Nobody is registered for it: find who issued it, revoke it, then register its owner and revocation authority."
        case .noRevoker: "Nobody is named who may revoke it: agree on a revocation authority with the owner."
        case .expired: "The identity is past its expiry or rotation date: rotate it and update the registry."
        case .shared: "The same secret is used at several places: revoking it affects every one of them; issue one credential per place."
        case .vendor: "A vendor's credential: ask who at the vendor holds it and whether access is still needed."
        case .breakGlass: "A break-glass account: rotate it after every use, and find out who used it and why."
        case .outsideAccessWindow: "Found outside the identity's access window: the access should be closed; revoke it or renew the window."
        }
    }
}

extension Finding {
    /// How urgent the finding is: `ruleConfidence` (or the finding's own override) raised by
    /// its verdicts.
    public func severity(ruleConfidence: Confidence) -> Severity {
        let places = Set(related.map(\.place)).count
        return verdicts.reduce(Severity(confidenceOverride ?? ruleConfidence)) { max($0, $1.severity(places: places)) }
    }
}
