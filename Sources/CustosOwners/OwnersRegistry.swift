// CustosOwners: answers "who owns this identity, who may revoke it, and what breaks if we do"
// for every finding. It reads the owners registry (and imports one from an inventory CSV) and
// CODEOWNERS, attributes findings (fingerprint, then selector, then CODEOWNERS), judges the
// governance verdicts that need the whole picture (unowned, no revoker, expired, shared across
// places, vendor, break-glass, outside the access window) as attributes of each finding, and
// looks one secret up in any store of findings for `custos who`. It runs after the scan and
// never touches matching; rendering is CustosReport's.

import CustosCore
import Foundation

/// Someone to call.
public struct Contact: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Phone, e-mail, pager: how to reach them.
    public var reach: String

    public var display: String { reach.isEmpty ? name : "\(name) <\(reach)>" }
}

/// A plant, line, share or repository: a folder (`root:`, or `--site NAME=PATH`) and/or path
/// globs relative to the registry's root.
public struct Site: Sendable, Hashable {
    public var id: String
    public var paths: [PathGlob]
    /// The site's folder, absolute and standardized; findings below it belong to the site and
    /// selectors' `paths:` match relative to it.
    public var root: String?

    public init(id: String, paths: [PathGlob] = [], root: String? = nil) {
        self.id = id
        self.paths = paths
        self.root = root.map(RegistryPaths.absolute)
    }
}

/// What ties findings to an identity besides its fingerprints. Every list that is present
/// must match (each list is any-of); an empty selector matches nothing.
public struct IdentitySelector: Sendable, Hashable {
    public var rules: [String] = []
    /// Globs on the finding's identity (an AWS key id, a user name, a service-account e-mail).
    public var identities: [PathGlob] = []
    public var paths: [PathGlob] = []
    public var repositories: [PathGlob] = []

    public var isEmpty: Bool { rules.isEmpty && identities.isEmpty && paths.isEmpty && repositories.isEmpty }

    /// How many criteria the selector uses: more is more specific.
    public var specificity: Int {
        [rules.isEmpty, identities.isEmpty, paths.isEmpty, repositories.isEmpty].filter { !$0 }.count
    }
}

/// One registered non-human identity.
public struct Identity: Sendable, Hashable {
    public var id: String
    public var kind: IdentityKind
    public var description: String
    public var owner: String
    public var secondaryOwner: String?
    public var contact: String?
    public var revocationAuthority: String?
    public var revocationProcedure: String?
    public var revocationImpact: RevocationImpact?
    /// What keeps production running while the credential is revoked.
    public var fallback: String?
    /// Systems that must stay reachable for a safe shutdown.
    public var keepReachable: [String] = []
    /// The assets and workflows that use the identity.
    public var supports: [String] = []
    /// Contact ids in named roles.
    public var roles = IdentityRoles()
    /// When vendor or maintenance access is meant to be open.
    public var access: AccessWindow?
    /// Contact ids, in the order to call them.
    public var escalation: [String]
    public var sites: [String]
    public var vendor: String?
    public var created: IsoDay?
    public var expires: IsoDay?
    public var rotateBy: IsoDay?
    /// SHA-256 fingerprints: of the secret alone (`custos owners fingerprint`) or a
    /// finding's fingerprint (rule and secret).
    public var fingerprints: Set<String>
    public var selector: IdentitySelector
    /// Where the identity was defined, for messages.
    public var source: String
}

/// Contact ids of the people in named roles around an identity.
public struct IdentityRoles: Sendable, Hashable {
    public var approver: String?
    public var revoker: String?
    public var businessOwner: String?
    public var vendorContact: String?

    public init(approver: String? = nil, revoker: String? = nil, businessOwner: String? = nil, vendorContact: String? = nil) {
        self.approver = approver
        self.revoker = revoker
        self.businessOwner = businessOwner
        self.vendorContact = vendorContact
    }

    /// (registry key, contact id) for every role that is filled.
    public var named: [(key: String, contact: String)] {
        [("approver", approver), ("revoker", revoker), ("business_owner", businessOwner), ("vendor_contact", vendorContact)]
            .compactMap { key, id in id.map { (key, $0) } }
    }
}

/// The owners registry: identities, the contacts they escalate to, and the sites.
public struct OwnersRegistry: Sendable {
    public var identities: [Identity]
    public var contacts: [String: Contact]
    public var sites: [Site]
    /// The folder selectors' and sites' `paths:` are relative to (absolute): the folder holding
    /// `.custos/` for `ROOT/.custos/owners.yaml`, else the registry file's folder, else `root:`.
    public var root: String?

    public init(identities: [Identity] = [], contacts: [String: Contact] = [:], sites: [Site] = [], root: String? = nil) {
        self.identities = identities
        self.contacts = contacts
        self.sites = sites
        self.root = root.map(RegistryPaths.absolute)
    }

    /// The SHA-256 of a secret alone, as `custos owners fingerprint` prints it.
    public static func secretDigest(_ secret: String) -> String {
        Fingerprint.plainSHA256(secret)
    }
}

/// Paths as the registry compares them: absolute and standardized, without a trailing slash.
public enum RegistryPaths {
    public static func absolute(_ path: String) -> String {
        var standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        while standardized.count > 1 && standardized.hasSuffix("/") { standardized.removeLast() }
        return standardized
    }

    /// `path` relative to `folder` when it lies below it (both absolute).
    public static func relative(_ path: String, to folder: String) -> String? {
        if folder == "/" { return String(path.dropFirst()) }
        guard path.hasPrefix(folder + "/") else { return nil }
        return String(path.dropFirst(folder.count + 1))
    }

    /// The folder a registry file describes: `ROOT` for `ROOT/.custos/owners.yaml`, else the
    /// file's own folder.
    public static func describedRoot(ofRegistryAt file: String) -> String {
        let folder = (absolute(file) as NSString).deletingLastPathComponent
        return (folder as NSString).lastPathComponent == ".custos" ? (folder as NSString).deletingLastPathComponent : folder
    }
}
