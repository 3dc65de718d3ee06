/// Who owns the identity behind a finding and who may revoke it: attached after the scan,
/// never used for matching.
public struct Ownership: Sendable, Hashable, Codable {
    /// How the owner was found, most specific first.
    public enum Attribution: String, Sendable, Hashable, Codable {
        /// The registry names this secret's fingerprint.
        case fingerprint
        /// A registry selector (rule, identity pattern, path, repository) matched.
        case selector
        /// Only CODEOWNERS names an owner for the path: no identity, no revocation authority.
        case codeowners
        /// Nobody claims it.
        case none
    }

    /// Whether the identity is past its expiry or rotation date.
    public enum ExpiryStatus: String, Sendable, Hashable, Codable {
        case unknown, valid, expired
        case rotationOverdue = "rotation-overdue"
    }

    public var attributedBy: Attribution
    public var identityID: String?
    public var kind: IdentityKind?
    public var owner: String?
    public var contact: String?
    /// Who may revoke the credential.
    public var revocationAuthority: String?
    /// How: a runbook link or the system of record.
    public var revocationProcedure: String?
    /// Whom to call, in order, each as "name <how to reach>".
    public var escalation: [String]
    public var sites: [String]
    public var vendor: String?
    /// The identity's `expires` and `rotate_by` dates (YYYY-MM-DD), kept so the status can be
    /// judged again on another day (a sweep's report).
    public var expires: IsoDay?
    public var rotateBy: IsoDay?
    /// The date the status was judged by: `expires`, or `rotate_by` when it decided.
    public var expiryDate: IsoDay?
    public var expiry: ExpiryStatus

    public init(attributedBy: Attribution, identityID: String? = nil, kind: IdentityKind? = nil, owner: String? = nil,
                contact: String? = nil, revocationAuthority: String? = nil, revocationProcedure: String? = nil,
                escalation: [String] = [], sites: [String] = [], vendor: String? = nil,
                expires: IsoDay? = nil, rotateBy: IsoDay? = nil,
                expiryDate: IsoDay? = nil, expiry: ExpiryStatus = .unknown) {
        self.attributedBy = attributedBy
        self.identityID = identityID
        self.kind = kind
        self.owner = owner
        self.contact = contact
        self.revocationAuthority = revocationAuthority
        self.revocationProcedure = revocationProcedure
        self.escalation = escalation
        self.sites = sites
        self.vendor = vendor
        self.expires = expires
        self.rotateBy = rotateBy
        self.expiryDate = expiryDate
        self.expiry = expiry
    }

    public static let unowned = Ownership(attributedBy: .none)

    /// This block with its expiry judged on `today`: past
    /// `expires` is expired; otherwise past `rotate_by` is rotation-overdue.
    public func judgingExpiry(today: IsoDay) -> Ownership {
        var judged = self
        judged.expiry = .unknown
        judged.expiryDate = nil
        if let expires {
            judged.expiryDate = expires
            judged.expiry = expires < today ? .expired : .valid
        }
        if judged.expiry != .expired, let rotateBy {
            judged.expiryDate = rotateBy
            if rotateBy < today { judged.expiry = .rotationOverdue } else if judged.expiry == .unknown { judged.expiry = .valid }
        }
        return judged
    }
}

/// Another place the same secret was found (for shared-credential findings).
public struct RelatedLocation: Sendable, Hashable {
    public var path: String
    public var line: Int
    /// The site, repository or share the place belongs to.
    public var place: String

    public init(path: String, line: Int, place: String) {
        self.path = path
        self.line = line
        self.place = place
    }
}
