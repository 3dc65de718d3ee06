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
    public static func load(path: String) throws(OwnersError) -> OwnersRegistry {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OwnersError(location: path, message: "cannot read the owners registry")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(yaml: String, source: String) throws(OwnersError) -> OwnersRegistry {
        do {
            return try parseOrThrow(yaml: yaml, source: source)
        } catch {
            throw OwnersError(error)
        }
    }

    static let identityKeys: Set<String> = [
        "id", "kind", "description", "owner", "contact", "revocation", "escalation", "sites", "vendor",
        "created", "expires", "rotate_by", "match",
    ]

    private static func parseOrThrow(yaml: String, source: String) throws(LocatedError) -> OwnersRegistry {
        guard let document = try YAMLMapping.parse(yaml, source: source) else { return OwnersRegistry() }
        let root = try document.required()
        try root.rejectUnknownKeys(["identities", "contacts", "sites"])
        var registry = OwnersRegistry()
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
            try entry.rejectUnknownKeys(["id", "paths"])
            let id = try entry.requiredString("id")
            guard siteIDs.insert(id).inserted else { throw entry.error("duplicate site id '\(id)'") }
            registry.sites.append(Site(id: id, paths: try entry.strings("paths").map(PathGlob.init)))
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
        if let revocation = entry.child("revocation") {
            let revocation = try revocation.required()
            try revocation.rejectUnknownKeys(["authority", "procedure"])
            authority = try revocation.string("authority")
            procedure = try revocation.string("procedure")
        }
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
        return Identity(
            id: id, kind: kind, description: try entry.string("description") ?? "",
            owner: try entry.requiredString("owner"), contact: try entry.string("contact"),
            revocationAuthority: authority, revocationProcedure: procedure,
            escalation: try entry.strings("escalation"), sites: try entry.strings("sites"),
            vendor: try entry.string("vendor"), created: try day("created"),
            expires: try day("expires"), rotateBy: try day("rotate_by"),
            fingerprints: fingerprints, selector: selector, source: entry.location)
    }
}

/// What `custos owners check` reports beyond parse errors: things valid YAML can still get wrong.
public enum OwnersRegistryCheck {
    public static func problems(in registry: OwnersRegistry, today: IsoDay = .today) -> [String] {
        var problems: [String] = []
        for identity in registry.identities {
            if let expires = identity.expires, expires < today {
                problems.append("\(identity.source): identity '\(identity.id)' expired on \(expires): rotate or remove it")
            }
            if let rotateBy = identity.rotateBy, rotateBy < today {
                problems.append("\(identity.source): identity '\(identity.id)' was due for rotation on \(rotateBy)")
            }
            if identity.fingerprints.isEmpty && identity.selector.isEmpty {
                problems.append("\(identity.source): identity '\(identity.id)' has no match: add fingerprints or a selector, or no finding can be attributed to it")
            }
            for site in identity.sites where !registry.sites.isEmpty && !registry.sites.contains(where: { $0.id == site }) {
                problems.append("\(identity.source): identity '\(identity.id)' names site '\(site)', which is not defined under sites")
            }
        }
        return problems
    }
}
