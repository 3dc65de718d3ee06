// CustosOwners: answers "who owns this identity, and who may revoke it" for every finding.
// It reads the owners registry and CODEOWNERS, attributes findings (fingerprint, then
// selector, then CODEOWNERS), and derives governance findings that need the whole picture:
// unowned, no revocation authority, expired, shared across places, vendor credentials.
// It runs after the scan and never touches matching.

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

/// A plant, line, share or repository, recognised by path globs.
public struct Site: Sendable, Hashable {
    public var id: String
    public var paths: [PathGlob]
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
    public var contact: String?
    public var revocationAuthority: String?
    public var revocationProcedure: String?
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

/// The owners registry: identities, the contacts they escalate to, and the sites.
public struct OwnersRegistry: Sendable {
    public var identities: [Identity]
    public var contacts: [String: Contact]
    public var sites: [Site]

    public init(identities: [Identity] = [], contacts: [String: Contact] = [:], sites: [Site] = []) {
        self.identities = identities
        self.contacts = contacts
        self.sites = sites
    }

    /// The SHA-256 of a secret alone, as `custos owners fingerprint` prints it.
    public static func secretDigest(_ secret: String) -> String {
        Fingerprint.plainSHA256(secret)
    }
}
