import CustosCore
import CustosSources
import Foundation

/// One place a finding was seen in a sweep, with everything a report needs and no secret.
public struct SweptLocation: Sendable, Hashable {
    public var fingerprint: String
    public var ruleID: String
    /// SHA-256 of the secret alone (what an owners registry stores; groups shared credentials).
    public var secretSHA256: String
    /// The secret as reports show it: a short prefix and the length.
    public var secretRedacted: String
    public var identity: String?
    /// The path as reports show it (an archive member as `backup.zip!/member`).
    public var path: String
    public var line: Int
    public var column: Int
    public var byteStart: Int
    /// The line with the secret redacted.
    public var snippet: String
    /// The registry site, else the scanned root's name.
    public var place: String
    public var ownership: Ownership?

    public init(_ finding: Finding, place: String, ownership: Ownership?) {
        fingerprint = finding.fingerprint.hex
        ruleID = finding.ruleID
        secretSHA256 = Fingerprint.plainSHA256(finding.secret)
        secretRedacted = SecretDisplay.redact(finding.secret)
        identity = finding.identity
        path = finding.path
        line = finding.start.line
        column = finding.start.column
        byteStart = finding.byteStart
        snippet = finding.snippet.render(secret: secretRedacted, others: .redacted)
        self.place = place
        self.ownership = ownership
    }
}

/// What a worker learned about one file, handed to the writer.
public enum FileResult: Sendable {
    /// Metadata as stored: not read.
    case unchanged(fileID: Int64)
    /// Metadata changed but the content hash did not: findings stay as they are.
    case contentUnchanged(fileID: Int64, metadata: FileStatus, bytesRead: Int64)
    /// Read and scanned; its locations replace the file's previous ones.
    case scanned(ScannedFile)
    /// Could not be read; the file keeps its previous findings and the error is recorded.
    case failed(FailedFile)
    /// A file an interrupted run of this sweep committed already, changed since: its new
    /// result replaces the old one, and the sweep's counts do not count the file twice.
    indirect case rechecked(FileResult)
}

public struct ScannedFile: Sendable {
    public var path: String
    public var root: String
    public var metadata: FileStatus
    /// Nil when the file was not read whole (larger than --max-file-size).
    public var digest: Data?
    public var bytesRead: Int64
    public var locations: [SweptLocation]
    /// Problems the scan met without failing (archive limits, undecryptable credentials).
    public var notes: [String]
}

public struct FailedFile: Sendable {
    public var path: String
    public var root: String
    public var existingID: Int64?
    public var metadata: FileStatus?
    public var message: String
}

/// The ownership block as the state stores it: JSON of `Ownership`, whose registry dates let
/// a report judge the expiry again on its own day.
extension Ownership {
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode(_ json: String?) -> Ownership? {
        guard let json else { return nil }
        return try? JSONDecoder().decode(Ownership.self, from: Data(json.utf8))
    }
}
