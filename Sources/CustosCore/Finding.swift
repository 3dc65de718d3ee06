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

/// A secret found by a rule at one place.
public struct Finding: Sendable, Hashable {
    public var ruleID: String
    /// What holds the secret, where in it, and where in its structure.
    public var location: Location
    /// The secret's bytes decoded as UTF-8 (invalid sequences replaced), in the form a rule
    /// reads it (entities, escapes and encodings resolved).
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
    /// For a shared credential: every place the same secret was found (this one included).
    public var related: [RelatedLocation] = []
    /// Governance verdicts about the credential (unowned, shared, break-glass, …), most urgent
    /// first; empty until governance runs.
    public var verdicts: [GovernanceVerdict] = []
    /// The site or scan root the finding belongs to, once places are judged (after the scan).
    public var place: String?
    /// A severity set by the finding itself rather than its rule (a shared credential grows
    /// more severe with the number of places).
    public var confidenceOverride: Confidence?
    /// Other rules that reported the same secret at the same place (the finding names them
    /// rather than repeating itself).
    public var alsoReportedBy: [String] = []
    /// Further occurrences of the same secret in the same blob under the same rule, folded
    /// into this finding so memory stays flat in the number of repeats.
    public var repeats: Repeats?

    public init(ruleID: String, location: Location, secret: String, identity: String?,
                fingerprint: Fingerprint, snippet: Snippet, git: GitOrigin? = nil) {
        self.ruleID = ruleID
        self.location = location
        self.secret = secret
        self.identity = identity
        self.fingerprint = fingerprint
        self.snippet = snippet
        self.git = git
    }

    /// A finding in a plain file, built by hand (tests, decoders that locate their own values).
    public init(ruleID: String, path: String, start: TextPosition, end: TextPosition,
                byteStart: Int, byteEnd: Int, secret: String, identity: String?,
                fingerprint: Fingerprint, snippet: Snippet, git: GitOrigin? = nil) {
        let origin: Origin = if let git { .gitBlob(id: git.blob, path: path) } else { .file(path) }
        self.init(ruleID: ruleID,
                  location: Location(origin: origin, span: Span(byteStart: byteStart, byteEnd: byteEnd, start: start, end: end)),
                  secret: secret, identity: identity, fingerprint: fingerprint, snippet: snippet, git: git)
    }

    /// What holds the secret.
    public var origin: Origin {
        get { location.origin }
        set { location.origin = newValue }
    }

    /// The location as people read it (`backup.zip!/cfg/app.env`); rendered from `origin`.
    public var path: String { location.origin.display }

    public var start: TextPosition {
        get { location.span.start }
        set { location.span.start = newValue }
    }

    public var end: TextPosition {
        get { location.span.end }
        set { location.span.end = newValue }
    }

    /// Byte offsets of the secret in the bytes of its origin: `byteStart..<byteEnd`.
    public var byteStart: Int {
        get { location.span.byteStart }
        set { location.span.byteStart = newValue }
    }

    public var byteEnd: Int {
        get { location.span.byteEnd }
        set { location.span.byteEnd = newValue }
    }

    public var logicalPath: String? {
        get { location.logicalPath }
        set { location.logicalPath = newValue }
    }

    /// The order every report uses: path, then position, then rule.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        let pathA = a.path, pathB = b.path
        if pathA != pathB { return pathA < pathB }
        if a.byteStart != b.byteStart { return a.byteStart < b.byteStart }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        if a.byteEnd != b.byteEnd { return a.byteEnd < b.byteEnd }
        return (a.git?.blob ?? "") < (b.git?.blob ?? "")
    }
}

/// Occurrences of one secret beyond the first, in the same blob and under the same rule.
public struct Repeats: Sendable, Hashable {
    /// Occurrences folded in (the finding itself not counted).
    public var count: Int
    /// The last line where one was seen.
    public var lastLine: Int
    /// The first few further lines, for people to check.
    public var sampleLines: [Int]

    public static let maxSamples = 5

    public init(count: Int = 0, lastLine: Int = 0, sampleLines: [Int] = []) {
        self.count = count
        self.lastLine = lastLine
        self.sampleLines = sampleLines
    }

    public mutating func add(line: Int) {
        count += 1
        lastLine = max(lastLine, line)
        if sampleLines.count < Self.maxSamples { sampleLines.append(line) }
    }
}

/// The text around a secret on its line, kept so reports never re-read files.
public struct Snippet: Sendable, Hashable {
    /// Text before the secret on its line (possibly trimmed at the left).
    public var before: String
    /// Text after the secret on its line (possibly trimmed at the right).
    public var after: String
    /// Other secrets in `before` and `after` (as UTF-8 offsets into each), which a redacted
    /// report must hide too: a line can hold several secrets, or the same one twice.
    public var maskedBefore: [Range<Int>] = []
    public var maskedAfter: [Range<Int>] = []

    public init(before: String, after: String) {
        self.before = before
        self.after = after
    }

    /// The line with the secret shown as `secret` and the other secrets on it shown as
    /// `display` shows secrets (redacted, or whole with `--no-redact`).
    public func render(secret: String, others display: SecretDisplay) -> String {
        let mask = { (text: String) in display.render(text) }
        return Self.apply(maskedBefore, to: before, mask) + secret + Self.apply(maskedAfter, to: after, mask)
    }

    private static func apply(_ ranges: [Range<Int>], to text: String, _ mask: (String) -> String) -> String {
        guard !ranges.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var output = ""
        var cursor = 0
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let lower = max(cursor, min(range.lowerBound, bytes.count))
            let upper = min(max(range.upperBound, lower), bytes.count)
            guard upper > lower else { continue }
            output += String(decoding: bytes[cursor..<lower], as: UTF8.self)
            output += mask(String(decoding: bytes[lower..<upper], as: UTF8.self))
            cursor = upper
        }
        output += String(decoding: bytes[cursor...], as: UTF8.self)
        return output
    }

    /// Marks every occurrence of `secret` in `before` and `after` as masked.
    public mutating func mask(occurrencesOf secret: String) {
        let needle = Array(secret.utf8)
        guard needle.count >= Self.minimumMaskedLength else { return }
        Self.occurrences(of: needle, in: before, into: &maskedBefore)
        Self.occurrences(of: needle, in: after, into: &maskedAfter)
    }

    /// Shorter values are not searched for in snippets (they would mask ordinary words).
    public static let minimumMaskedLength = 4

    private static func occurrences(of needle: [UInt8], in text: String, into ranges: inout [Range<Int>]) {
        let haystack = Array(text.utf8)
        guard haystack.count >= needle.count else { return }
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<index + needle.count].elementsEqual(needle) {
                let range = index..<index + needle.count
                if !ranges.contains(where: { $0.overlaps(range) }) { ranges.append(range) }
                index += needle.count
            } else {
                index += 1
            }
        }
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
