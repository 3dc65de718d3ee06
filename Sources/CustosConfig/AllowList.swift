// The allow list of `.custos.yaml`: conditions read from YAML and checked against findings.
// It owns the meaning of every `allow:` key and nothing else: finding paths are given to it as
// the scan reported them, and it never reads files. Trade-off: plain linear checks per finding
// (a few per finding, after the scan) over indexes, since findings are few and lists short.

public import CustosCore
import Crypto
import CustosYAML

/// The `allow:` section: findings a team has decided are not leaks. Applied to findings after
/// the scan, by every mode alike (see `apply(to:roots:)`).
///
/// The top-level conditions drop a finding when any one of them holds, for every rule. Each
/// `scoped` entry applies to some rules only, or needs all its conditions at once (gitleaks's
/// `targetRules` and `condition = "AND"`).
public struct AllowList: Sendable {
    public var conditions = AllowConditions()
    public var scoped: [ScopedAllow] = []

    public init() {}

    public init(conditions: AllowConditions, scoped: [ScopedAllow] = []) {
        self.conditions = conditions
        self.scoped = scoped
    }

    public var isEmpty: Bool { conditions.isEmpty && scoped.isEmpty }

    /// The findings no condition allows, in the same order, and how many were allowed.
    /// Paths are compared relative to the scan root: a finding's path that starts with one of
    /// `roots` (as `custos scan ROOT` reports it) is taken relative to it. A finding is never
    /// changed.
    public func apply(to findings: [Finding], roots: [String] = []) -> (kept: [Finding], allowed: Int) {
        guard !isEmpty else { return (findings, 0) }
        let roots = RootPrefixes(roots)
        var kept: [Finding] = []
        kept.reserveCapacity(findings.count)
        for finding in findings where reason(for: finding, roots: roots) == nil {
            kept.append(finding)
        }
        return (kept, findings.count - kept.count)
    }

    /// Why `finding` is allowed (`allow.stopwords: 'example'`), or nil when it is not.
    public func reason(for finding: Finding, roots: [String] = []) -> String? {
        reason(for: finding, roots: RootPrefixes(roots))
    }

    func reason(for finding: Finding, roots: RootPrefixes) -> String? {
        let subject = AllowSubject(finding, roots: roots)
        if let why = conditions.firstMatch(subject) { return "allow.\(why)" }
        for (index, entry) in scoped.enumerated() where entry.covers(finding.ruleID) {
            switch entry.match {
            case .any:
                if let why = entry.conditions.firstMatch(subject) { return "allow.scoped[\(index)].\(why)" }
            case .all:
                if entry.conditions.allMatch(subject) { return "allow.scoped[\(index)] (all conditions)" }
            }
        }
        return nil
    }

    static let conditionKeys: Set<String> = [
        "paths", "path_regexes", "values", "regexes", "line_regexes", "stopwords", "fingerprints", "sha1",
        "commits", "locations",
    ]

    init(_ section: YAMLMapping) throws(ConfigError) {
        try section.rejectUnknownKeys(Self.conditionKeys.union(["scoped"]))
        conditions = try AllowConditions(section)
        scoped = try (section.sequence("scoped") ?? []).map { entry throws(ConfigError) in
            try ScopedAllow(entry.required())
        }
    }
}

/// An allow entry for some rules, or one that needs every condition it lists.
public struct ScopedAllow: Sendable {
    /// Rule ids (globs such as `internal-*`); empty means every rule.
    public var rules: [String]
    public var match: AllowMatch
    public var conditions: AllowConditions
    private let ruleGlobs: [PathGlob]

    public init(rules: [String], match: AllowMatch = .any, conditions: AllowConditions) {
        self.rules = rules
        self.match = match
        self.conditions = conditions
        ruleGlobs = rules.map(PathGlob.init)
    }

    func covers(_ ruleID: String) -> Bool {
        ruleGlobs.isEmpty || ruleGlobs.contains { $0.matches(ruleID) }
    }

    init(_ entry: YAMLMapping) throws(ConfigError) {
        try entry.rejectUnknownKeys(AllowList.conditionKeys.union(["rules", "match"]))
        let matchText = try entry.string("match") ?? "any"
        guard let match = AllowMatch(rawValue: matchText) else {
            throw entry.error("match is any (one condition drops a finding) or all (every listed condition must hold), not '\(matchText)'")
        }
        let conditions = try AllowConditions(entry)
        guard !conditions.isEmpty else {
            throw entry.error("this scoped allow entry lists no condition (paths, regexes, stopwords, …)")
        }
        self.init(rules: try entry.strings("rules"), match: match, conditions: conditions)
    }
}

/// Whether one condition of an entry is enough, or all must hold.
public enum AllowMatch: String, Sendable, CaseIterable {
    case any, all
}

/// What can mark a finding as allowed. Each non-empty list is one condition.
public struct AllowConditions: Sendable {
    /// Gitignore-style globs on the path, relative to the scan root or repository.
    public var paths: [PathGlob] = []
    /// Regexes on the path (gitleaks's allowlist `paths` are regexes).
    public var pathRegexes: [PeerRegex] = []
    /// Exact secrets (public test values, documentation examples).
    public var values: Set<String> = []
    /// Regexes searched in the secret.
    public var regexes: [PeerRegex] = []
    /// Regexes searched in the line holding the secret, as the finding keeps it (up to 80
    /// characters on either side of the secret).
    public var lineRegexes: [PeerRegex] = []
    /// Words that, anywhere in the secret and in any case, mark it as not a leak; stored lowercased.
    public var stopwords: [String] = []
    /// custos fingerprints (lowercase hex).
    public var fingerprints: Set<String> = []
    /// SHA-1 of the secret in hex, as detect-secrets' `hashed_secret` holds it.
    public var sha1: Set<String> = []
    /// Commit ids (or prefixes of at least 7 digits): a finding in history is allowed when
    /// every commit that added it is one of these.
    public var commits: [String] = []
    /// Single places: a path and line, optionally one rule and one commit.
    public var locations: [AllowedLocation] = []

    public init() {}

    public var isEmpty: Bool {
        paths.isEmpty && pathRegexes.isEmpty && values.isEmpty && regexes.isEmpty && lineRegexes.isEmpty
            && stopwords.isEmpty && fingerprints.isEmpty && sha1.isEmpty && commits.isEmpty && locations.isEmpty
    }

    /// The first condition that holds, named for messages.
    func firstMatch(_ subject: AllowSubject) -> String? {
        for condition in Condition.allCases where isListed(condition) {
            if let detail = holds(condition, subject) { return "\(condition.key): \(detail)" }
        }
        return nil
    }

    /// Whether every listed condition holds (and at least one is listed).
    func allMatch(_ subject: AllowSubject) -> Bool {
        var listed = 0
        for condition in Condition.allCases where isListed(condition) {
            listed += 1
            if holds(condition, subject) == nil { return false }
        }
        return listed > 0
    }

    enum Condition: CaseIterable {
        case paths, pathRegexes, values, regexes, lineRegexes, stopwords, fingerprints, sha1, commits, locations

        var key: String {
            switch self {
            case .paths: "paths"
            case .pathRegexes: "path_regexes"
            case .values: "values"
            case .regexes: "regexes"
            case .lineRegexes: "line_regexes"
            case .stopwords: "stopwords"
            case .fingerprints: "fingerprints"
            case .sha1: "sha1"
            case .commits: "commits"
            case .locations: "locations"
            }
        }
    }

    func isListed(_ condition: Condition) -> Bool {
        switch condition {
        case .paths: !paths.isEmpty
        case .pathRegexes: !pathRegexes.isEmpty
        case .values: !values.isEmpty
        case .regexes: !regexes.isEmpty
        case .lineRegexes: !lineRegexes.isEmpty
        case .stopwords: !stopwords.isEmpty
        case .fingerprints: !fingerprints.isEmpty
        case .sha1: !sha1.isEmpty
        case .commits: !commits.isEmpty
        case .locations: !locations.isEmpty
        }
    }

    /// What matched (for messages), or nil when the condition does not hold. Values, secrets
    /// and hashes are never echoed.
    func holds(_ condition: Condition, _ subject: AllowSubject) -> String? {
        switch condition {
        case .paths:
            return paths.first { glob in subject.paths.contains { glob.matches($0) } }.map { "'\($0.pattern)'" }
        case .pathRegexes:
            return pathRegexes.first { regex in subject.paths.contains { regex.matches($0) } }.map { "'\($0.pattern)'" }
        case .values:
            return values.contains(subject.finding.secret) ? "the secret is listed" : nil
        case .regexes:
            return regexes.first { $0.matches(subject.finding.secret) }.map { "'\($0.pattern)'" }
        case .lineRegexes:
            let line = subject.line
            return lineRegexes.first { $0.matches(line) }.map { "'\($0.pattern)'" }
        case .stopwords:
            let secret = subject.finding.secret.lowercased()
            return stopwords.first { secret.contains($0) }.map { "'\($0)'" }
        case .fingerprints:
            return fingerprints.contains(subject.finding.fingerprint.hex) ? "the fingerprint is listed" : nil
        case .sha1:
            return sha1.contains(subject.sha1) ? "the secret's SHA-1 is listed" : nil
        case .commits:
            guard let commits = subject.finding.git?.commits, !commits.isEmpty else { return nil }
            let allowed = commits.allSatisfy { reference in self.commits.contains { CommitID.same($0, reference.commit) } }
            return allowed ? "every commit that added it is listed" : nil
        case .locations:
            return locations.first { $0.matches(subject) }.map(\.description)
        }
    }

    init(_ section: YAMLMapping) throws(ConfigError) {
        paths = try section.strings("paths").map(PathGlob.init)
        pathRegexes = try Self.regexes(section, "path_regexes")
        values = Set(try section.strings("values"))
        regexes = try Self.regexes(section, "regexes")
        lineRegexes = try Self.regexes(section, "line_regexes")
        stopwords = try section.strings("stopwords").map { $0.lowercased() }
        if let index = stopwords.firstIndex(of: "") {
            throw (try section.sequence("stopwords"))?[index].error("an empty stopword would allow every secret")
                ?? section.error("an empty stopword would allow every secret")
        }
        fingerprints = Set(try Self.hexes(section, "fingerprints", digits: 64, what: "a custos fingerprint (64 hex digits)"))
        sha1 = Set(try Self.hexes(section, "sha1", digits: 40, what: "a SHA-1 (40 hex digits)"))
        commits = try section.strings("commits").map { $0.lowercased() }
        for (index, commit) in commits.enumerated() where !CommitID.isValid(commit) {
            throw (try section.sequence("commits"))?[index].error("'\(commit)' is not a commit id (7 to 40 hex digits)")
                ?? section.error("'\(commit)' is not a commit id")
        }
        locations = try (section.sequence("locations") ?? []).map { item throws(ConfigError) in
            try AllowedLocation(item.required())
        }
    }

    private static func regexes(_ section: YAMLMapping, _ key: String) throws(ConfigError) -> [PeerRegex] {
        let items = try section.sequence(key) ?? []
        var compiled: [PeerRegex] = []
        for (index, pattern) in try section.strings(key).enumerated() {
            do {
                compiled.append(try PeerRegex(pattern))
            } catch {
                throw items[index].error(error.message)
            }
        }
        return compiled
    }

    private static func hexes(_ section: YAMLMapping, _ key: String, digits: Int, what: String) throws(ConfigError) -> [String] {
        let items = try section.sequence(key) ?? []
        var values: [String] = []
        for (index, text) in try section.strings(key).enumerated() {
            let hex = text.lowercased()
            guard hex.utf8.count == digits, hex.allSatisfy(\.isHexDigit) else {
                throw items[index].error("'\(text)' is not \(what)")
            }
            values.append(hex)
        }
        return values
    }
}

/// One place allowed by hand: what `.gitleaksignore` records.
public struct AllowedLocation: Sendable, Hashable, CustomStringConvertible {
    /// Relative to the scan root or repository, as a finding shows it.
    public var path: String
    public var line: Int
    /// Only this rule's finding there; nil for any rule.
    public var rule: String?
    /// Only when a commit that added the finding is this one; nil for any.
    public var commit: String?

    public init(path: String, line: Int, rule: String? = nil, commit: String? = nil) {
        self.path = path
        self.line = line
        self.rule = rule
        self.commit = commit?.lowercased()
    }

    public var description: String {
        "\(commit.map { "\($0):" } ?? "")\(path):\(line)\(rule.map { " (\($0))" } ?? "")"
    }

    func matches(_ subject: AllowSubject) -> Bool {
        let finding = subject.finding
        guard finding.start.line == line else { return false }
        if let rule, rule != finding.ruleID { return false }
        if let commit {
            guard let references = finding.git?.commits,
                  let reference = references.first(where: { CommitID.same(commit, $0.commit) }) else { return false }
            return reference.path == path || subject.paths.contains(path)
        }
        return subject.paths.contains(path) || (finding.git?.commits.contains { $0.path == path } ?? false)
    }

    init(_ item: YAMLMapping) throws(ConfigError) {
        try item.rejectUnknownKeys(["path", "line", "rule", "commit"])
        let path = try item.requiredString("path")
        guard let line = try item.int("line"), line >= 1 else {
            throw item.error("a location needs a line (1 or more)")
        }
        let commit = try item.string("commit")
        if let commit, !CommitID.isValid(commit.lowercased()) {
            throw item.error("'\(commit)' is not a commit id (7 to 40 hex digits)")
        }
        self.init(path: ScanPath.normalized(path), line: line, rule: try item.string("rule"), commit: commit)
    }
}

/// A finding as the allow conditions look at it, with what they need computed once.
struct AllowSubject {
    let finding: Finding
    /// The paths a glob or regex may match: the finding's place relative to the scan root, and
    /// the file holding it when it sits inside an archive or database.
    let paths: [String]

    init(_ finding: Finding, roots: RootPrefixes) {
        self.finding = finding
        let display = roots.relative(finding.path)
        let artifact = roots.relative(finding.origin.artifactPath)
        paths = display == artifact ? [display] : [display, artifact]
    }

    var line: String {
        finding.snippet.before + finding.secret + finding.snippet.after
    }

    var sha1: String {
        Hex.encode(Insecure.SHA1.hash(data: Array(finding.secret.utf8)))
    }
}

/// Scan roots as prefixes to strip from finding paths, longest first.
struct RootPrefixes {
    private let prefixes: [String]

    init(_ roots: [String]) {
        prefixes = roots.compactMap { root -> String? in
            var root = root
            while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
            if root.isEmpty || root == "." { return nil }
            return root == "/" ? "/" : root + "/"
        }.sorted { $0.count > $1.count }
    }

    func relative(_ path: String) -> String {
        for prefix in prefixes where path.hasPrefix(prefix) {
            return ScanPath.normalized(String(path.dropFirst(prefix.count)))
        }
        return ScanPath.normalized(path)
    }
}

enum ScanPath {
    /// Without leading `./` and `/` repeats, as globs expect.
    static func normalized(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        return String(path)
    }
}

enum CommitID {
    static func isValid(_ id: String) -> Bool {
        (7...40).contains(id.utf8.count) && id.allSatisfy(\.isHexDigit)
    }

    /// Whether two ids name the same commit: equal, or one a prefix (of 7 or more digits) of the other.
    static func same(_ a: String, _ b: String) -> Bool {
        let a = a.lowercased(), b = b.lowercased()
        guard min(a.utf8.count, b.utf8.count) >= 7 else { return a == b }
        return a.hasPrefix(b) || b.hasPrefix(a)
    }
}
