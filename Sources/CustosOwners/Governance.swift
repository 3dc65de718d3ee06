import CustosCore

/// The governance findings custos raises about credentials it found, each with its OWASP
/// Non-Human Identities Top 10 (2025) category.
public enum GovernanceRule: String, CaseIterable, Sendable {
    case unowned = "custos.unowned-credential"
    case noRevocationAuthority = "custos.no-revocation-authority"
    case expired = "custos.expired-identity"
    case shared = "custos.shared-credential"
    case vendor = "custos.vendor-credential"

    /// OWASP NHI Top 10 (2025) category.
    public var owaspCategory: String {
        switch self {
        case .unowned, .noRevocationAuthority: "NHI1:2025 Improper Offboarding"
        case .expired: "NHI7:2025 Long-Lived Secrets"
        case .shared: "NHI9:2025 NHI Reuse"
        case .vendor: "NHI3:2025 Vulnerable Third-Party NHI"
        }
    }

    /// Metadata for reports, in the same shape as a detection rule.
    public var rule: RuleInfo {
        let (name, description, confidence): (String, String, Confidence) = switch self {
        case .unowned:
            ("Unowned credential", "A leaked credential that no registered identity claims: nobody is on record to revoke it (the authority gap). Register it in the owners registry with its owner and revocation authority.", .high)
        case .noRevocationAuthority:
            ("No revocation authority", "An owner is known for this credential (possibly only through CODEOWNERS), but nobody is named who may revoke it. Add revocation.authority and revocation.procedure to its identity.", .medium)
        case .expired:
            ("Expired identity or rotation overdue", "The identity behind this credential is past its expiry or rotate-by date and the credential is still present. Rotate it and update the registry.", .high)
        case .shared:
            ("Shared credential", "The same secret was found at several sites, repositories or vendors: revoking it affects every place listed (its blast radius). Issue one credential per place.", .medium)
        case .vendor:
            ("Vendor credential", "A vendor's or remote-access credential: review who at the vendor holds it, whether access is still needed, and how it is revoked.", .medium)
        }
        return RuleInfo(id: rawValue, name: name, description: description, confidence: confidence,
                        tags: ["owasp-nhi", owaspCategory],
                        references: ["https://owasp.org/www-project-non-human-identities-top-10/"],
                        source: "built-in governance", kind: .governance)
    }

    public static var rules: [RuleInfo] { allCases.map(\.rule) }
}

/// Attribution and governance over a whole scan result (shared credentials need every
/// finding at once).
public struct GovernanceAnalysis: Sendable {
    public let resolver: OwnershipResolver
    /// Rule ids whose findings are vendor or remote-access credentials by nature.
    public let vendorRuleIDs: Set<String>

    public init(resolver: OwnershipResolver, vendorRuleIDs: Set<String> = []) {
        self.resolver = resolver
        self.vendorRuleIDs = vendorRuleIDs
    }

    /// Attaches ownership to every finding and, when `governance` is on, appends the
    /// governance findings. Returns findings in report order.
    public func apply(to findings: [Finding], governance: Bool) -> [Finding] {
        var attributed = findings.map { finding -> Finding in
            var finding = finding
            finding.ownership = resolver.attribute(finding)
            return finding
        }
        guard governance else { return attributed }
        var derived: [Finding] = []
        for finding in attributed {
            guard let ownership = finding.ownership else { continue }
            switch ownership.attributedBy {
            case .none:
                derived.append(governanceFinding(.unowned, from: finding))
            case .codeowners, .fingerprint, .selector:
                if ownership.revocationAuthority == nil {
                    derived.append(governanceFinding(.noRevocationAuthority, from: finding))
                }
            }
            if ownership.expiry == .expired || ownership.expiry == .rotationOverdue {
                derived.append(governanceFinding(.expired, from: finding))
            }
            if ownership.kind == .vendorRemoteAccess || ownership.vendor != nil
                || vendorRuleIDs.contains(finding.ruleID) {
                derived.append(governanceFinding(.vendor, from: finding))
            }
        }
        derived += sharedCredentials(attributed)
        attributed += derived
        return attributed.sorted(by: Finding.reportOrder)
    }

    /// One finding per secret found at two or more places, listing all of them; medium at two
    /// places, high from three.
    private func sharedCredentials(_ findings: [Finding]) -> [Finding] {
        var bySecret: [String: [Finding]] = [:]
        for finding in findings {
            bySecret[Fingerprint.plainSHA256(finding.secret), default: []].append(finding)
        }
        var shared: [Finding] = []
        for group in bySecret.values {
            let places = Set(group.map(resolver.place))
            guard places.count >= 2 else { continue }
            let ordered = group.sorted(by: Finding.reportOrder)
            var finding = governanceFinding(.shared, from: ordered[0])
            finding.related = ordered.map { RelatedLocation(path: $0.path, line: $0.start.line, place: resolver.place(of: $0)) }
            finding.confidenceOverride = places.count >= 3 ? .high : .medium
            shared.append(finding)
        }
        return shared
    }

    private func governanceFinding(_ rule: GovernanceRule, from finding: Finding) -> Finding {
        var derived = finding
        derived.ruleID = rule.rawValue
        derived.fingerprint = Fingerprint(ruleID: rule.rawValue, secret: finding.secret)
        derived.related = []
        return derived
    }
}
