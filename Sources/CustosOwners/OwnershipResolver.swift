import CustosCore

/// One scanned root (a share, a repository, a plant folder): findings below it are matched
/// with its CODEOWNERS and named by it when no registry site claims them.
public struct ScanRoot: Sendable {
    /// The root as findings' paths start with it ("" for the current directory).
    public var displayPath: String
    /// The repository or share name selectors' `repositories` globs match.
    public var name: String
    public var codeOwners: CodeOwners?

    public init(displayPath: String, name: String, codeOwners: CodeOwners?) {
        self.displayPath = displayPath
        self.name = name
        self.codeOwners = codeOwners
    }
}

/// Attaches an ownership block to every finding: the registry's fingerprints first, then its
/// selectors (most specific wins, then file order), then CODEOWNERS.
public struct OwnershipResolver: Sendable {
    public let registry: OwnersRegistry
    public let roots: [ScanRoot]
    public let today: IsoDay

    public init(registry: OwnersRegistry, roots: [ScanRoot], today: IsoDay = .today) {
        self.registry = registry
        self.roots = roots
        self.today = today
    }

    /// The root a finding lies under and its path relative to that root.
    public func locate(_ path: String) -> (root: ScanRoot?, relative: String) {
        for root in roots.sorted(by: { $0.displayPath.count > $1.displayPath.count }) {
            if root.displayPath.isEmpty { return (root, path) }
            if path == root.displayPath { return (root, path.split(separator: "/").last.map(String.init) ?? path) }
            if path.hasPrefix(root.displayPath + "/") {
                return (root, String(path.dropFirst(root.displayPath.count + 1)))
            }
        }
        return (nil, path)
    }

    /// The place a finding belongs to: the first registry site whose globs match it, else its
    /// scan root's name.
    public func place(of finding: Finding) -> String {
        let (root, relative) = locate(finding.path)
        for site in registry.sites where site.paths.contains(where: { $0.matches(relative) || $0.matches(finding.path) }) {
            return site.id
        }
        return root?.name ?? finding.path
    }

    public func attribute(_ finding: Finding) -> Ownership {
        let digest = Fingerprint.plainSHA256(finding.secret)
        if let identity = registry.identities.first(where: {
            $0.fingerprints.contains(digest) || $0.fingerprints.contains(finding.fingerprint.hex)
        }) {
            return ownership(identity, by: .fingerprint)
        }
        let (root, relative) = locate(finding.path)
        var best: (identity: Identity, specificity: Int)?
        for identity in registry.identities where matches(identity.selector, finding, relative: relative, root: root) {
            if best == nil || identity.selector.specificity > best!.specificity {
                best = (identity, identity.selector.specificity)
            }
        }
        if let best { return ownership(best.identity, by: .selector) }
        if let owners = root?.codeOwners?.owners(of: relative), !owners.isEmpty {
            return Ownership(attributedBy: .codeowners, owner: owners.joined(separator: " "))
        }
        return .unowned
    }

    private func matches(_ selector: IdentitySelector, _ finding: Finding, relative: String, root: ScanRoot?) -> Bool {
        guard !selector.isEmpty else { return false }
        if !selector.rules.isEmpty && !selector.rules.contains(finding.ruleID) { return false }
        if !selector.identities.isEmpty {
            // The identity a rule names (a key id beside a secret), or the finding itself when
            // what was found is an identifier (an AWS access key id).
            let names = [finding.identity, finding.secret].compactMap { $0 }
            guard selector.identities.contains(where: { glob in names.contains { glob.matches($0) } }) else { return false }
        }
        if !selector.paths.isEmpty && !selector.paths.contains(where: { $0.matches(relative) || $0.matches(finding.path) }) {
            return false
        }
        if !selector.repositories.isEmpty {
            guard let root, selector.repositories.contains(where: { $0.matches(root.name) }) else { return false }
        }
        return true
    }

    private func ownership(_ identity: Identity, by attribution: Ownership.Attribution) -> Ownership {
        Ownership(
            attributedBy: attribution, identityID: identity.id, kind: identity.kind, owner: identity.owner,
            contact: identity.contact, revocationAuthority: identity.revocationAuthority,
            revocationProcedure: identity.revocationProcedure,
            escalation: identity.escalation.compactMap { registry.contacts[$0]?.display },
            sites: identity.sites, vendor: identity.vendor,
            expires: identity.expires, rotateBy: identity.rotateBy)
            .judgingExpiry(today: today)
    }
}
