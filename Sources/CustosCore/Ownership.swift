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
    /// What the identity is for, in the registry's words.
    public var identityDescription: String?
    public var owner: String?
    /// Who stands in for the owner.
    public var secondaryOwner: String?
    public var contact: String?
    /// Who may revoke the credential.
    public var revocationAuthority: String?
    /// How: a runbook link or the system of record.
    public var revocationProcedure: String?
    /// Whom to call, in order, each as "name <how to reach>".
    public var escalation: [String]
    public var sites: [String]
    public var vendor: String?
    /// People in named roles, each as "name <how to reach>".
    public var roles: Roles
    /// The assets and workflows that use the identity (a line, a system, an integration).
    public var supports: [String]
    /// What revoking it does to production, what keeps production running meanwhile, and
    /// what must stay reachable for a safe shutdown.
    public var revocationImpact: RevocationImpact?
    public var fallback: String?
    public var keepReachable: [String]
    /// When vendor or maintenance access is meant to be open.
    public var access: AccessWindow?
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
        self.roles = Roles()
        self.supports = []
        self.keepReachable = []
        self.expires = expires
        self.rotateBy = rotateBy
        self.expiryDate = expiryDate
        self.expiry = expiry
    }

    public static let unowned = Ownership(attributedBy: .none)

    /// Whether anyone is named who may revoke it (an authority or a revoker).
    public var hasRevoker: Bool { revocationAuthority != nil || roles.revoker != nil }

    /// Who may revoke it, as people read it: the authority, else the revoker role.
    public var revoker: String? { revocationAuthority ?? roles.revoker }

    /// People in named roles around an identity.
    public struct Roles: Sendable, Hashable, Codable {
        /// Agrees to a revocation that affects production.
        public var approver: String?
        /// Carries out the revocation.
        public var revoker: String?
        /// Answers for what the identity serves.
        public var businessOwner: String?
        /// Whom to call at the vendor.
        public var vendorContact: String?

        public init(approver: String? = nil, revoker: String? = nil, businessOwner: String? = nil, vendorContact: String? = nil) {
            self.approver = approver
            self.revoker = revoker
            self.businessOwner = businessOwner
            self.vendorContact = vendorContact
        }

        /// Every role that is filled, as (role, person) in a fixed order.
        public var named: [(role: String, person: String)] {
            [("approver", approver), ("revoker", revoker), ("business owner", businessOwner), ("vendor contact", vendorContact)]
                .compactMap { role, person in person.map { (role, $0) } }
        }

        public var isEmpty: Bool { named.isEmpty }
    }

    enum CodingKeys: String, CodingKey {
        case attributedBy, identityID, kind, identityDescription, owner, secondaryOwner, contact
        case revocationAuthority, revocationProcedure, escalation, sites, vendor, roles, supports
        case revocationImpact, fallback, keepReachable, access, expires, rotateBy, expiryDate, expiry
    }

    /// Reads blocks stored by older versions too (a sweep state keeps them): every field added
    /// since defaults when missing.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        attributedBy = try values.decode(Attribution.self, forKey: .attributedBy)
        identityID = try values.decodeIfPresent(String.self, forKey: .identityID)
        kind = try values.decodeIfPresent(IdentityKind.self, forKey: .kind)
        identityDescription = try values.decodeIfPresent(String.self, forKey: .identityDescription)
        owner = try values.decodeIfPresent(String.self, forKey: .owner)
        secondaryOwner = try values.decodeIfPresent(String.self, forKey: .secondaryOwner)
        contact = try values.decodeIfPresent(String.self, forKey: .contact)
        revocationAuthority = try values.decodeIfPresent(String.self, forKey: .revocationAuthority)
        revocationProcedure = try values.decodeIfPresent(String.self, forKey: .revocationProcedure)
        escalation = try values.decodeIfPresent([String].self, forKey: .escalation) ?? []
        sites = try values.decodeIfPresent([String].self, forKey: .sites) ?? []
        vendor = try values.decodeIfPresent(String.self, forKey: .vendor)
        roles = try values.decodeIfPresent(Roles.self, forKey: .roles) ?? Roles()
        supports = try values.decodeIfPresent([String].self, forKey: .supports) ?? []
        revocationImpact = try values.decodeIfPresent(RevocationImpact.self, forKey: .revocationImpact)
        fallback = try values.decodeIfPresent(String.self, forKey: .fallback)
        keepReachable = try values.decodeIfPresent([String].self, forKey: .keepReachable) ?? []
        access = try values.decodeIfPresent(AccessWindow.self, forKey: .access)
        expires = try values.decodeIfPresent(IsoDay.self, forKey: .expires)
        rotateBy = try values.decodeIfPresent(IsoDay.self, forKey: .rotateBy)
        expiryDate = try values.decodeIfPresent(IsoDay.self, forKey: .expiryDate)
        expiry = try values.decodeIfPresent(ExpiryStatus.self, forKey: .expiry) ?? .unknown
    }

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

/// What revoking a credential does to production.
public enum RevocationImpact: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nothing stops: revoke at once.
    case safe
    /// Operations must agree first (something stops or degrades until it is rotated).
    case coordinate
    /// Only in a planned shutdown window.
    case shutdownWindow = "shutdown-window"

    /// The sentence a playbook opens the revocation step with.
    public var meaning: String {
        switch self {
        case .safe: "Revoking it stops nothing: revoke at once."
        case .coordinate: "Revoking it affects production: operations must agree first."
        case .shutdownWindow: "Revoking it stops production: revoke only in a planned shutdown window."
        }
    }
}

/// When vendor or maintenance access is meant to be open: from and until (both inclusive),
/// either may be open-ended.
public struct AccessWindow: Sendable, Hashable, Codable, CustomStringConvertible {
    public var from: IsoDay?
    public var until: IsoDay?

    public init(from: IsoDay?, until: IsoDay?) {
        self.from = from
        self.until = until
    }

    /// Whether `day` lies in the window.
    public func contains(_ day: IsoDay) -> Bool {
        if let from, day < from { return false }
        if let until, until < day { return false }
        return true
    }

    public var description: String {
        "\(from?.description ?? "…") to \(until?.description ?? "…")"
    }
}
