import CustosCore
import Foundation

/// One scanned root (a share, a repository, a plant folder): findings below it are matched
/// with its CODEOWNERS and belong to it as a place when no site claims them.
public struct ScanRoot: Sendable {
    /// The root as findings' paths start with it ("" when they are relative to the root
    /// itself, as in git history).
    public var displayPath: String
    /// The root's folder, absolute and standardized.
    public var path: String
    /// The repository or share name selectors' `repositories` globs match, and its place name.
    public var name: String
    public var codeOwners: CodeOwners?

    public init(displayPath: String, path: String? = nil, name: String, codeOwners: CodeOwners?) {
        self.displayPath = displayPath
        self.path = RegistryPaths.absolute(path ?? (displayPath.isEmpty ? "." : displayPath))
        self.name = name
        self.codeOwners = codeOwners
    }
}

/// Attaches an ownership block to every finding: the registry's fingerprints first, then its
/// selectors (most specific wins, then file order), then CODEOWNERS.
///
/// Paths: a selector's or a site's `paths:` globs match a finding's path relative to the
/// registry's root, or relative to the site the finding lies in (a registry site with `root:`,
/// a `--site NAME=PATH`, or its scan root), so one registry serves any number of roots.
public struct OwnershipResolver: Sendable {
    public let registry: OwnersRegistry
    public let roots: [ScanRoot]
    /// Sites named on the command line (`--site NAME=PATH`): places below the registry's sites.
    public let extraSites: [Site]
    public let today: IsoDay

    public init(registry: OwnersRegistry, roots: [ScanRoot], extraSites: [Site] = [], today: IsoDay = .today) {
        self.registry = registry
        self.roots = roots.sorted { $0.displayPath.count > $1.displayPath.count }
        self.extraSites = extraSites.filter { $0.root != nil }
        self.today = today
        folderSites = (registry.sites + self.extraSites).filter { $0.root != nil }
            .sorted { ($0.root?.count ?? 0) > ($1.root?.count ?? 0) }
    }

    /// Sites with a folder, the deepest first.
    private let folderSites: [Site]

    /// The root a finding lies under and its path relative to that root.
    public func locate(_ path: String) -> (root: ScanRoot?, relative: String) {
        for root in roots {
            if root.displayPath.isEmpty { return (root, path) }
            if path == root.displayPath { return (root, path.split(separator: "/").last.map(String.init) ?? path) }
            if path.hasPrefix(root.displayPath + "/") {
                return (root, String(path.dropFirst(root.displayPath.count + 1)))
            }
        }
        return (nil, path)
    }

    /// The artifact's path, absolute (a git blob's path joined to its repository).
    func absolutePath(of finding: Finding) -> String {
        let artifact = finding.origin.artifactPath
        let (root, relative) = locate(artifact)
        if let root { return root.displayPath.isEmpty || artifact != root.displayPath ? root.path + "/" + relative : root.path }
        return RegistryPaths.absolute(artifact)
    }

    /// Every path `paths:` globs are tried against: relative to the registry's root, to the
    /// folder site holding the finding, and to its scan root. Members keep their chain
    /// (`backup.zip!/cfg/app.env`).
    func relativePaths(of finding: Finding) -> [String] {
        let absolute = absolutePath(of: finding)
        let inside = String(finding.path.dropFirst(finding.origin.artifactPath.count))
        var paths: [String] = []
        func add(_ relative: String?) {
            guard let relative, !paths.contains(relative + inside) else { return }
            paths.append(relative + inside)
        }
        if let root = registry.root { add(RegistryPaths.relative(absolute, to: root)) }
        if let site = folderSites.first(where: { RegistryPaths.relative(absolute, to: $0.root!) != nil }) {
            add(RegistryPaths.relative(absolute, to: site.root!))
        }
        if let root = locate(finding.origin.artifactPath).root { add(RegistryPaths.relative(absolute, to: root.path)) }
        return paths
    }

    /// The place a finding belongs to: the deepest registry site holding its folder, else the
    /// first registry site whose globs match it, else a `--site`, else its scan root's name.
    public func place(of finding: Finding) -> String {
        let absolute = absolutePath(of: finding)
        if let site = folderSites.first(where: { site in
            registry.sites.contains { $0.id == site.id } && RegistryPaths.relative(absolute, to: site.root!) != nil
        }) {
            return site.id
        }
        let paths = relativePaths(of: finding)
        for site in registry.sites where site.paths.contains(where: { glob in paths.contains { glob.matches($0) } }) {
            return site.id
        }
        if let site = extraSites.first(where: { RegistryPaths.relative(absolute, to: $0.root!) != nil || absolute == $0.root }) {
            return site.id
        }
        return locate(finding.origin.artifactPath).root?.name ?? finding.origin.artifactPath
    }

    public func attribute(_ finding: Finding) -> Ownership {
        let digest = Fingerprint.plainSHA256(finding.secret)
        if let identity = registry.identities.first(where: {
            $0.fingerprints.contains(digest) || $0.fingerprints.contains(finding.fingerprint.hex)
        }) {
            return ownership(identity, by: .fingerprint)
        }
        let (root, relative) = locate(finding.path)
        let paths = relativePaths(of: finding)
        var best: (identity: Identity, specificity: Int)?
        for identity in registry.identities where matches(identity.selector, finding, paths: paths, root: root) {
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

    /// Attribution of a recorded finding (no secret at hand): by the secret's SHA-256 or the
    /// fingerprint the registry names, else the ownership the store recorded.
    public func attribute(_ record: FindingRecord) -> Ownership? {
        if let identity = registry.identities.first(where: { identity in
            identity.fingerprints.contains(record.fingerprint) || record.secretSHA256.map(identity.fingerprints.contains) == true
        }) {
            return ownership(identity, by: .fingerprint)
        }
        if let id = record.ownership?.identityID, let identity = registry.identities.first(where: { $0.id == id }) {
            return ownership(identity, by: record.ownership?.attributedBy ?? .selector)
        }
        return record.ownership?.judgingExpiry(today: today)
    }

    private func matches(_ selector: IdentitySelector, _ finding: Finding, paths: [String], root: ScanRoot?) -> Bool {
        guard !selector.isEmpty else { return false }
        if !selector.rules.isEmpty && !selector.rules.contains(finding.ruleID) { return false }
        if !selector.identities.isEmpty {
            // The identity a rule names (a key id beside a secret), or the finding itself when
            // what was found is an identifier (an AWS access key id).
            let names = [finding.identity, finding.secret].compactMap { $0 }
            guard selector.identities.contains(where: { glob in names.contains { glob.matches($0) } }) else { return false }
        }
        if !selector.paths.isEmpty && !selector.paths.contains(where: { glob in paths.contains { glob.matches($0) } }) {
            return false
        }
        if !selector.repositories.isEmpty {
            guard let root, selector.repositories.contains(where: { $0.matches(root.name) }) else { return false }
        }
        return true
    }

    /// The ownership block of `identity`, with contacts resolved to how to reach them.
    public func ownership(_ identity: Identity, by attribution: Ownership.Attribution) -> Ownership {
        var block = Ownership(
            attributedBy: attribution, identityID: identity.id, kind: identity.kind, owner: identity.owner,
            contact: identity.contact, revocationAuthority: identity.revocationAuthority,
            revocationProcedure: identity.revocationProcedure,
            escalation: identity.escalation.compactMap { registry.contacts[$0]?.display },
            sites: identity.sites, vendor: identity.vendor,
            expires: identity.expires, rotateBy: identity.rotateBy)
        block.identityDescription = identity.description.isEmpty ? nil : identity.description
        block.secondaryOwner = identity.secondaryOwner
        let person = { (id: String?) in id.flatMap { registry.contacts[$0]?.display } }
        block.roles = Ownership.Roles(approver: person(identity.roles.approver), revoker: person(identity.roles.revoker),
                                      businessOwner: person(identity.roles.businessOwner),
                                      vendorContact: person(identity.roles.vendorContact))
        block.supports = identity.supports
        block.revocationImpact = identity.revocationImpact
        block.fallback = identity.fallback
        block.keepReachable = identity.keepReachable
        block.access = identity.access
        return block.judgingExpiry(today: today)
    }
}
