import CustosCore
import CustosYAML
import Foundation

/// A problem in an owners registry, with the place to fix it.
public struct OwnersError: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var message: String

    init(_ error: LocatedError) {
        location = error.location
        message = error.message
    }

    init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
}

/// Reads and validates an owners registry file.
public enum OwnersRegistryLoader {
    /// Reads the registry at `path`; its root (what `paths:` are relative to) is the folder
    /// holding `.custos/`, else the file's folder, unless the file says `root:`.
    public static func load(path: String) throws(OwnersError) -> OwnersRegistry {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OwnersError(location: path, message: "cannot read the owners registry")
        }
        let folder = (RegistryPaths.absolute(path) as NSString).deletingLastPathComponent
        return try parse(yaml: String(decoding: data, as: UTF8.self), source: path,
                         root: RegistryPaths.describedRoot(ofRegistryAt: path), folder: folder)
    }

    /// `root` is the folder `paths:` are relative to by default; `folder` is where relative
    /// `root:` values in the file start from.
    public static func parse(yaml: String, source: String, root: String? = nil, folder: String? = nil) throws(OwnersError) -> OwnersRegistry {
        do {
            return try parseOrThrow(yaml: yaml, source: source, root: root, folder: folder ?? root)
        } catch {
            throw OwnersError(error)
        }
    }

    static let identityKeys: Set<String> = [
        "id", "kind", "description", "owner", "owners", "contact", "revocation", "escalation", "sites", "vendor",
        "created", "expires", "rotate_by", "access", "supports", "match",
    ]

    private static func parseOrThrow(yaml: String, source: String, root rootFolder: String?, folder: String?) throws(LocatedError) -> OwnersRegistry {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") || folder == nil ? path : (folder! as NSString).appendingPathComponent(path)
        }
        guard let document = try YAMLMapping.parse(yaml, source: source) else { return OwnersRegistry(root: rootFolder) }
        let root = try document.required()
        try root.rejectUnknownKeys(["identities", "contacts", "sites", "root"])
        var registry = OwnersRegistry(root: try root.string("root").map(resolve) ?? rootFolder)
        for entry in try root.sequence("contacts") ?? [] {
            let entry = try entry.required()
            try entry.rejectUnknownKeys(["id", "name", "reach"])
            let id = try entry.requiredString("id")
            guard registry.contacts[id] == nil else { throw entry.error("duplicate contact id '\(id)'") }
            registry.contacts[id] = Contact(id: id, name: try entry.string("name") ?? id, reach: try entry.string("reach") ?? "")
        }
        var siteIDs = Set<String>()
        for entry in try root.sequence("sites") ?? [] {
            let entry = try entry.required()
            try entry.rejectUnknownKeys(["id", "paths", "root"])
            let id = try entry.requiredString("id")
            guard siteIDs.insert(id).inserted else { throw entry.error("duplicate site id '\(id)'") }
            let site = Site(id: id, paths: try entry.strings("paths").map(PathGlob.init), root: try entry.string("root").map(resolve))
            guard site.root != nil || !site.paths.isEmpty else {
                throw entry.error("site '\(id)' needs root: (its folder) or paths: (globs relative to the registry's root)")
            }
            registry.sites.append(site)
        }
        var identityIDs: [String: String] = [:]
        for entry in try root.sequence("identities") ?? [] {
            let identity = try parseIdentity(entry.required())
            if let first = identityIDs[identity.id] {
                throw entry.error("duplicate identity id '\(identity.id)' (first defined at \(first))")
            }
            identityIDs[identity.id] = identity.source
            for contact in identity.escalation where registry.contacts[contact] == nil {
                throw entry.error("identity '\(identity.id)': escalation contact '\(contact)' is not defined under contacts")
            }
            for (role, contact) in identity.roles.named where registry.contacts[contact] == nil {
                throw entry.error("identity '\(identity.id)': owners.\(role) '\(contact)' is not defined under contacts")
            }
            registry.identities.append(identity)
        }
        return registry
    }

    private static func parseIdentity(_ entry: YAMLMapping) throws(LocatedError) -> Identity {
        try entry.rejectUnknownKeys(identityKeys)
        let id = try entry.requiredString("id")
        let kindText = try entry.requiredString("kind")
        guard let kind = IdentityKind(rawValue: kindText) else {
            throw entry.error("identity '\(id)': kind must be one of \(IdentityKind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(kindText)'")
        }
        var authority: String?
        var procedure: String?
        var impact: RevocationImpact?
        var fallback: String?
        var keepReachable: [String] = []
        if let revocation = entry.child("revocation") {
            let revocation = try revocation.required()
            try revocation.rejectUnknownKeys(["authority", "procedure", "impact", "fallback", "keep_reachable"])
            authority = try revocation.string("authority")
            procedure = try revocation.string("procedure")
            if let text = try revocation.string("impact") {
                guard let value = RevocationImpact(rawValue: text) else {
                    throw revocation.error("identity '\(id)': impact must be one of \(RevocationImpact.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
                }
                impact = value
            }
            fallback = try revocation.string("fallback")
            keepReachable = try revocation.strings("keep_reachable")
        }
        var owner = try entry.string("owner")
        var secondary: String?
        var roles = IdentityRoles()
        if let owners = entry.child("owners") {
            let owners = try owners.required()
            try owners.rejectUnknownKeys(["primary", "secondary", "approver", "revoker", "business_owner", "vendor_contact"])
            if let primary = try owners.string("primary") {
                if let owner, owner != primary {
                    throw owners.error("identity '\(id)': owner '\(owner)' and owners.primary '\(primary)' differ; keep one")
                }
                owner = primary
            }
            secondary = try owners.string("secondary")
            roles = IdentityRoles(approver: try owners.string("approver"), revoker: try owners.string("revoker"),
                                  businessOwner: try owners.string("business_owner"),
                                  vendorContact: try owners.string("vendor_contact"))
        }
        guard let owner, !owner.isEmpty else { throw entry.error("identity '\(id)': missing required key 'owner' (or owners.primary)") }
        var selector = IdentitySelector()
        var fingerprints = Set<String>()
        if let match = entry.child("match") {
            let match = try match.required()
            try match.rejectUnknownKeys(["fingerprints", "rules", "identities", "paths", "repositories"])
            for fingerprint in try match.strings("fingerprints") {
                let normalized = fingerprint.lowercased()
                guard normalized.count == 64, normalized.allSatisfy(\.isHexDigit) else {
                    throw match.error("identity '\(id)': '\(fingerprint)' is not a SHA-256 fingerprint (64 hex digits); make one with `custos owners fingerprint`")
                }
                fingerprints.insert(normalized)
            }
            selector.rules = try match.strings("rules")
            selector.identities = try match.strings("identities").map(PathGlob.init)
            selector.paths = try match.strings("paths").map(PathGlob.init)
            selector.repositories = try match.strings("repositories").map(PathGlob.init)
        }
        func day(_ key: String) throws(LocatedError) -> IsoDay? {
            guard let text = try entry.string(key) else { return nil }
            guard let day = IsoDay(text) else {
                throw entry.error("identity '\(id)': \(key) must be a date as YYYY-MM-DD, not '\(text)'")
            }
            return day
        }
        var access: AccessWindow?
        if let window = entry.child("access") {
            let window = try window.required()
            try window.rejectUnknownKeys(["from", "until"])
            func windowDay(_ key: String) throws(LocatedError) -> IsoDay? {
                guard let text = try window.string(key) else { return nil }
                guard let day = IsoDay(text) else {
                    throw window.error("identity '\(id)': \(key) must be a date as YYYY-MM-DD, not '\(text)'")
                }
                return day
            }
            access = AccessWindow(from: try windowDay("from"), until: try windowDay("until"))
            if let from = access?.from, let until = access?.until, until < from {
                throw window.error("identity '\(id)': access ends (\(until)) before it starts (\(from))")
            }
            if access?.from == nil && access?.until == nil { throw window.error("identity '\(id)': access needs from:, until: or both") }
        }
        var identity = Identity(
            id: id, kind: kind, description: try entry.string("description") ?? "",
            owner: owner, contact: try entry.string("contact"),
            revocationAuthority: authority, revocationProcedure: procedure,
            escalation: try entry.strings("escalation"), sites: try entry.strings("sites"),
            vendor: try entry.string("vendor"), created: try day("created"),
            expires: try day("expires"), rotateBy: try day("rotate_by"),
            fingerprints: fingerprints, selector: selector, source: entry.location)
        identity.secondaryOwner = secondary
        identity.roles = roles
        identity.revocationImpact = impact
        identity.fallback = fallback
        identity.keepReachable = keepReachable
        identity.supports = try entry.strings("supports")
        identity.access = access
        return identity
    }
}

/// What `custos owners check` reports beyond parse errors: things valid YAML can still get wrong.
public enum OwnersRegistryCheck {
    /// `ruleIDs`: the rules custos runs, to catch selectors naming a rule that does not exist
    /// (nil: not checked).
    public static func problems(in registry: OwnersRegistry, today: IsoDay = .today, ruleIDs: Set<String>? = nil) -> [String] {
        var problems: [String] = []
        let rootText = registry.root ?? "the registry's folder"
        func neverMatching(_ glob: PathGlob) -> String? {
            let pattern = glob.pattern
            if pattern.hasPrefix("/") {
                return "is absolute, but paths: match relative to the registry's root (\(rootText)) or a site's root: write it relative, or give the site a root:"
            }
            if pattern == ".." || pattern.hasPrefix("../") || pattern.contains("/../") {
                return "climbs out with '..', but paths: match below the registry's root (\(rootText)) or a site's root"
            }
            if pattern.isEmpty { return "is empty" }
            return nil
        }
        for site in registry.sites {
            for glob in site.paths {
                if let why = neverMatching(glob) { problems.append("site '\(site.id)': path '\(glob.pattern)' can never match: it \(why)") }
            }
        }
        for identity in registry.identities {
            let at = "\(identity.source): identity '\(identity.id)'"
            if let expires = identity.expires, expires < today {
                problems.append("\(at) expired on \(expires): rotate or remove it")
            }
            if let rotateBy = identity.rotateBy, rotateBy < today {
                problems.append("\(at) was due for rotation on \(rotateBy)")
            }
            if let until = identity.access?.until, until < today {
                problems.append("\(at): its access window closed on \(until): revoke the access or renew the window")
            }
            if identity.fingerprints.isEmpty && identity.selector.isEmpty {
                problems.append("\(at) has no match: add fingerprints or a selector, or no finding can be attributed to it")
            }
            for site in identity.sites where !registry.sites.isEmpty && !registry.sites.contains(where: { $0.id == site }) {
                problems.append("\(at) names site '\(site)', which is not defined under sites")
            }
            for glob in identity.selector.paths {
                if let why = neverMatching(glob) { problems.append("\(at): match.paths '\(glob.pattern)' can never match: it \(why)") }
            }
            for glob in identity.selector.repositories where glob.pattern.contains("/") {
                problems.append("\(at): match.repositories '\(glob.pattern)' can never match: it is compared with a scanned root's name, which has no '/'")
            }
            for glob in identity.selector.identities where glob.pattern.isEmpty {
                problems.append("\(at): match.identities has an empty pattern, which can never match")
            }
            if let ruleIDs {
                for rule in identity.selector.rules where !ruleIDs.contains(rule) {
                    let near = ruleIDs.filter { $0.hasPrefix(String(rule.prefix(4))) }.sorted().prefix(3)
                    problems.append("\(at): match.rules names '\(rule)', which is no rule custos runs" +
                                    (near.isEmpty ? " (see custos rules list)" : " (did you mean \(near.joined(separator: ", "))?)"))
                }
            }
            if identity.kind == .breakGlass && identity.revocationAuthority == nil && identity.roles.revoker == nil {
                problems.append("\(at) is a break-glass account with nobody to rotate it after use: add revocation.authority or owners.revoker")
            }
            if identity.revocationImpact == .shutdownWindow && identity.fallback == nil && identity.keepReachable.isEmpty {
                problems.append("\(at): revocation needs a shutdown window but says neither fallback: nor keep_reachable:")
            }
        }
        return problems
    }
}
