import CustosCore
import Foundation

/// One place a finding was seen in a sweep, with everything a report needs and no secret.
struct SweptLocation: Sendable, Hashable {
    var fingerprint: String
    var ruleID: String
    /// SHA-256 of the secret alone (what an owners registry stores; groups shared credentials).
    var secretSHA256: String
    /// The secret as reports show it: a short prefix and the length.
    var secretRedacted: String
    var identity: String?
    /// The path as reports show it (an archive member as `backup.zip!/member`).
    var path: String
    var line: Int
    var column: Int
    var byteStart: Int
    /// The line with the secret redacted.
    var snippet: String
    /// The registry site, else the scanned root's name.
    var place: String
    var ownership: StoredOwnership?

    init(_ finding: Finding, place: String, ownership: StoredOwnership?) {
        fingerprint = finding.fingerprint.hex
        ruleID = finding.ruleID
        secretSHA256 = Fingerprint.plainSHA256(finding.secret)
        secretRedacted = SecretDisplay.redact(finding.secret)
        identity = finding.identity
        path = finding.path
        line = finding.start.line
        column = finding.start.column
        byteStart = finding.byteStart
        snippet = finding.snippet.render(secret: secretRedacted)
        self.place = place
        self.ownership = ownership
    }
}

/// What a worker learned about one file, handed to the writer.
enum FileResult: Sendable {
    /// Metadata as stored: not read.
    case unchanged(fileID: Int64)
    /// Metadata changed but the content hash did not: findings stay as they are.
    case contentUnchanged(fileID: Int64, metadata: FileMetadata, bytesRead: Int64)
    /// Read and scanned; its locations replace the file's previous ones.
    case scanned(ScannedFile)
    /// Could not be read; the file keeps its previous findings and the error is recorded.
    case failed(FailedFile)
}

struct ScannedFile: Sendable {
    var path: String
    var root: String
    var metadata: FileMetadata
    /// Nil when the file was not read whole (larger than --max-file-size).
    var digest: Data?
    var bytesRead: Int64
    var locations: [SweptLocation]
    /// Problems the scan met without failing (archive limits, undecryptable credentials).
    var notes: [String]
}

struct FailedFile: Sendable {
    var path: String
    var root: String
    var existingID: Int64?
    var metadata: FileMetadata?
    var message: String
}

/// The ownership block as the state stores it (JSON), with the identity's dates so the expiry
/// status can be judged again on the day a report is made.
public struct StoredOwnership: Codable, Sendable, Hashable {
    public var attributedBy: String
    public var identityID: String?
    public var kind: String?
    public var owner: String?
    public var contact: String?
    public var revocationAuthority: String?
    public var revocationProcedure: String?
    public var escalation: [String]
    public var sites: [String]
    public var vendor: String?
    public var expires: String?
    public var rotateBy: String?

    init(_ ownership: Ownership, expires: String?, rotateBy: String?) {
        attributedBy = ownership.attributedBy.rawValue
        identityID = ownership.identityID
        kind = ownership.kind
        owner = ownership.owner
        contact = ownership.contact
        revocationAuthority = ownership.revocationAuthority
        revocationProcedure = ownership.revocationProcedure
        escalation = ownership.escalation
        sites = ownership.sites
        vendor = ownership.vendor
        self.expires = expires
        self.rotateBy = rotateBy
    }

    /// The ownership block, its expiry judged on `today` (YYYY-MM-DD) with the registry's
    /// rule: past `expires` is expired, else past `rotate_by` is rotation-overdue.
    public func ownership(today: String) -> Ownership {
        var expiry = Ownership.ExpiryStatus.unknown
        var date: String?
        if let expires {
            date = expires
            expiry = expires < today ? .expired : .valid
        }
        if expiry != .expired, let rotateBy {
            date = rotateBy
            if rotateBy < today { expiry = .rotationOverdue } else if expiry == .unknown { expiry = .valid }
        }
        return Ownership(attributedBy: Ownership.Attribution(rawValue: attributedBy) ?? .none, identityID: identityID,
                         kind: kind, owner: owner, contact: contact, revocationAuthority: revocationAuthority,
                         revocationProcedure: revocationProcedure, escalation: escalation, sites: sites, vendor: vendor,
                         expiryDate: date, expiry: expiry)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode(_ json: String?) -> StoredOwnership? {
        guard let json else { return nil }
        return try? JSONDecoder().decode(StoredOwnership.self, from: Data(json.utf8))
    }
}
