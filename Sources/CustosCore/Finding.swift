// CustosCore: the shared vocabulary of custos — findings, fingerprints, warnings and scan
// summaries. Plain values with no I/O, so every other target can depend on it and tests can
// build them by hand. Matching lives in CustosEngine, reading in CustosSources.

/// How sure a rule is that what it matched is a live credential.
public enum Confidence: String, Sendable, Codable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (lhs: Confidence, rhs: Confidence) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }
}

/// A position a person can open: 1-based line, 1-based column in Unicode code points.
public struct TextPosition: Sendable, Hashable, Codable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// A secret found by a rule at one place.
public struct Finding: Sendable, Hashable {
    public var ruleID: String
    /// The path as the user named it (scan root joined with the relative path).
    public var path: String
    public var start: TextPosition
    public var end: TextPosition
    /// Byte offsets of the secret in the file: `byteStart..<byteEnd`.
    public var byteStart: Int
    public var byteEnd: Int
    /// The secret's bytes decoded as UTF-8 (invalid sequences replaced).
    public var secret: String
    /// Who holds the secret, when the rule can tell (an AWS key id, a database user).
    public var identity: String?
    public var fingerprint: Fingerprint
    /// The line holding the secret, trimmed to a window around it.
    public var snippet: Snippet
    /// For a secret found in git history: the blob and the commits that brought it in, the
    /// first being the one that introduced it. Nil for plain files.
    public var git: GitOrigin?
    /// Who owns the identity and who may revoke it; nil until attribution runs.
    public var ownership: Ownership?
    /// For governance findings: every place the same secret was found.
    public var related: [RelatedLocation] = []
    /// A severity set by the finding itself rather than its rule (a shared credential grows
    /// more severe with the number of places).
    public var confidenceOverride: Confidence?
    /// Where the secret sits inside the file's structure, for a finding in decoded or
    /// structured content: an XML element path (`Controller[Line3]/Tags/Tag[HMI_Password]`),
    /// a JSON path (`$.channels[0]["servermain.CHANNEL_NAME"]`), a SQLite cell
    /// (`DATASOURCES.PASSWORD[2]`), a block and variable of PLC source, or a decoded base64
    /// value. Nil when the line alone says it.
    public var logicalPath: String?

    public init(ruleID: String, path: String, start: TextPosition, end: TextPosition,
                byteStart: Int, byteEnd: Int, secret: String, identity: String?,
                fingerprint: Fingerprint, snippet: Snippet, git: GitOrigin? = nil) {
        self.ruleID = ruleID
        self.path = path
        self.start = start
        self.end = end
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.secret = secret
        self.identity = identity
        self.fingerprint = fingerprint
        self.snippet = snippet
        self.git = git
    }

    /// The order every report uses: path, then position, then rule.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.path != b.path { return a.path < b.path }
        if a.byteStart != b.byteStart { return a.byteStart < b.byteStart }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        if a.byteEnd != b.byteEnd { return a.byteEnd < b.byteEnd }
        return (a.git?.blob ?? "") < (b.git?.blob ?? "")
    }
}

/// The text around a secret on its line, kept so reports never re-read files.
public struct Snippet: Sendable, Hashable {
    /// Text before the secret on its line (possibly trimmed at the left).
    public var before: String
    /// Text after the secret on its line (possibly trimmed at the right).
    public var after: String

    public init(before: String, after: String) {
        self.before = before
        self.after = after
    }

    /// The line with the secret shown as `secret` (redacted or whole, the caller decides).
    public func render(secret: String) -> String {
        before + secret + after
    }
}

/// Where in git history a finding's blob came from.
public struct GitOrigin: Sendable, Hashable {
    /// The blob's object id (hex).
    public var blob: String
    /// Commits that added this blob at a path, oldest first; the first introduced it.
    public var commits: [CommitReference]

    public init(blob: String, commits: [CommitReference]) {
        self.blob = blob
        self.commits = commits
    }

    /// The commit that introduced the blob.
    public var introducedBy: CommitReference? { commits.first }
}

/// One commit that added a blob at a path.
public struct CommitReference: Sendable, Hashable {
    public var commit: String
    public var path: String
    public var author: String
    public var email: String
    /// Author time, ISO 8601 in UTC.
    public var date: String
    public var summary: String

    public init(commit: String, path: String, author: String, email: String, date: String, summary: String) {
        self.commit = commit
        self.path = path
        self.author = author
        self.email = email
        self.date = date
        self.summary = summary
    }
}
