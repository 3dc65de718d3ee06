// What an import writes, as text: the draft of a `.custos.yaml` and of a rules file, with a
// comment beside each value naming where it came from. Owns the YAML rendering (every scalar
// quoted); validation is `ScanConfiguration`'s and `RuleLoader`'s, which the tests run on it.

import Foundation

/// A configuration being written by an importer: plain text values, each with a comment
/// saying where it came from, rendered as a reviewed-looking `.custos.yaml`. Kept apart from
/// `ScanConfiguration` (what a scan runs) because an import writes text for people to read and
/// edit; the tests parse the rendered text back to prove it is valid.
public struct ConfigDraft: Sendable {
    public var exclude: [DraftItem] = []
    /// Rule files to reference under `rules: paths:`, relative to the configuration.
    public var rulePaths: [DraftItem] = []
    public var allow = AllowDraft()
    public var scoped: [ScopedDraft] = []

    public init() {}

    public var isEmpty: Bool { exclude.isEmpty && rulePaths.isEmpty && allow.isEmpty && scoped.isEmpty }
}

/// One value and the note written beside it.
public struct DraftItem: Sendable, Hashable {
    public var value: String
    public var comment: String?

    public init(_ value: String, comment: String? = nil) {
        self.value = value
        self.comment = comment
    }
}

/// Allow conditions as text (see `AllowConditions` for their meaning).
public struct AllowDraft: Sendable {
    public var paths: [DraftItem] = []
    public var pathRegexes: [DraftItem] = []
    public var regexes: [DraftItem] = []
    public var lineRegexes: [DraftItem] = []
    public var stopwords: [DraftItem] = []
    public var sha1: [DraftItem] = []
    public var commits: [DraftItem] = []
    public var locations: [DraftLocation] = []

    public init() {}

    public var isEmpty: Bool {
        paths.isEmpty && pathRegexes.isEmpty && regexes.isEmpty && lineRegexes.isEmpty && stopwords.isEmpty
            && sha1.isEmpty && commits.isEmpty && locations.isEmpty
    }

    /// How many kinds of condition are listed (`match: all` only means something with two).
    var conditionKinds: Int {
        [paths, pathRegexes, regexes, lineRegexes, stopwords, sha1, commits].filter { !$0.isEmpty }.count
            + (locations.isEmpty ? 0 : 1)
    }

    mutating func merge(_ other: AllowDraft) {
        paths += other.paths
        pathRegexes += other.pathRegexes
        regexes += other.regexes
        lineRegexes += other.lineRegexes
        stopwords += other.stopwords
        sha1 += other.sha1
        commits += other.commits
        locations += other.locations
    }

    /// Lists with the same value twice keep the first.
    mutating func removeDuplicates() {
        func unique(_ items: [DraftItem]) -> [DraftItem] {
            var seen = Set<String>()
            return items.filter { seen.insert($0.value).inserted }
        }
        paths = unique(paths)
        pathRegexes = unique(pathRegexes)
        regexes = unique(regexes)
        lineRegexes = unique(lineRegexes)
        stopwords = unique(stopwords)
        sha1 = unique(sha1)
        commits = unique(commits)
        var seen = Set<String>()
        locations = locations.filter { seen.insert("\($0.commit ?? ""):\($0.path):\($0.line):\($0.rule ?? "")").inserted }
    }
}

public struct DraftLocation: Sendable, Hashable {
    public var path: String
    public var line: Int
    public var rule: String?
    public var commit: String?
    public var comment: String?
}

public struct ScopedDraft: Sendable {
    public var rules: [String]
    public var match: AllowMatch
    public var allow: AllowDraft
    public var comment: String?
}

/// A rule converted from a peer tool, as text for a custos rules file.
public struct DraftRule: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var pattern: String
    public var keywords: [String]
    public var minEntropy: Double
    public var tags: [String]
    public var paths: [String]
    /// Where it came from (`.gitleaks.toml:14`), written as a comment.
    public var origin: String

    /// A rules file holding this rule alone (what a rule check compiles).
    public var rulesFile: String { YAMLText.rulesFile([self], header: []) }
}

/// Renders drafts as YAML. Every scalar is quoted, so no value can change meaning (`no`,
/// `1e3`, `*.env`, a leading `!`).
enum YAMLText {
    static func quote(_ text: String) -> String {
        let needsEscapes = text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) }
        guard needsEscapes else { return "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    out += String(format: "\\x%02X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A comment's text on one line.
    static func comment(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "" }
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "  # " + flat
    }

    static func list(_ key: String, _ items: [DraftItem], indent: String) -> [String] {
        guard !items.isEmpty else { return [] }
        return ["\(indent)\(key):"] + items.map { "\(indent)  - \(quote($0.value))\(comment($0.comment))" }
    }

    static func allow(_ draft: AllowDraft, indent: String) -> [String] {
        var lines: [String] = []
        lines += list("paths", draft.paths, indent: indent)
        lines += list("path_regexes", draft.pathRegexes, indent: indent)
        lines += list("regexes", draft.regexes, indent: indent)
        lines += list("line_regexes", draft.lineRegexes, indent: indent)
        lines += list("stopwords", draft.stopwords, indent: indent)
        lines += list("commits", draft.commits, indent: indent)
        lines += list("sha1", draft.sha1, indent: indent)
        if !draft.locations.isEmpty {
            lines.append("\(indent)locations:")
            for location in draft.locations {
                lines.append("\(indent)  - path: \(quote(location.path))\(comment(location.comment))")
                lines.append("\(indent)    line: \(location.line)")
                if let rule = location.rule { lines.append("\(indent)    rule: \(quote(rule))") }
                if let commit = location.commit { lines.append("\(indent)    commit: \(quote(commit))") }
            }
        }
        return lines
    }

    static func configuration(_ draft: ConfigDraft, header: [String]) -> String {
        var lines = header.map { "# \($0)" }
        if !lines.isEmpty { lines.append("") }
        if !draft.exclude.isEmpty {
            lines += list("exclude", draft.exclude, indent: "")
            lines.append("")
        }
        if !draft.rulePaths.isEmpty {
            lines.append("rules:")
            lines += list("paths", draft.rulePaths, indent: "  ")
            lines.append("")
        }
        if !draft.allow.isEmpty || !draft.scoped.isEmpty {
            lines.append("allow:")
            lines += allow(draft.allow, indent: "  ")
            if !draft.scoped.isEmpty {
                lines.append("  scoped:")
                for entry in draft.scoped {
                    var body: [String] = []
                    if !entry.rules.isEmpty {
                        body.append("rules: [\(entry.rules.map(quote).joined(separator: ", "))]")
                    }
                    if entry.match == .all { body.append("match: all") }
                    body += allow(entry.allow, indent: "")
                    guard let first = body.first else { continue }
                    if let note = entry.comment { lines.append("    # " + note.split(whereSeparator: \.isNewline).joined(separator: " ")) }
                    lines.append("    - \(first)")
                    lines += body.dropFirst().map { "      \($0)" }
                }
            }
            lines.append("")
        }
        return lines.joined(separator: "\n") + (lines.last == "" ? "" : "\n")
    }

    static func rulesFile(_ rules: [DraftRule], header: [String]) -> String {
        var lines = header.map { "# \($0)" }
        if !lines.isEmpty { lines.append("") }
        lines.append("rules:")
        for rule in rules {
            lines.append("  # from \(rule.origin)")
            lines.append("  - id: \(quote(rule.id))")
            lines.append("    name: \(quote(rule.name))")
            if !rule.description.isEmpty { lines.append("    description: \(quote(rule.description))") }
            lines.append("    pattern: \(quote(rule.pattern))")
            lines.append("    keywords: [\(rule.keywords.map(quote).joined(separator: ", "))]")
            if rule.minEntropy > 0 { lines.append("    min_entropy: \(number(rule.minEntropy))") }
            lines.append("    confidence: medium")
            if !rule.tags.isEmpty { lines.append("    tags: [\(rule.tags.map(quote).joined(separator: ", "))]") }
            if !rule.paths.isEmpty { lines.append("    paths: [\(rule.paths.map(quote).joined(separator: ", "))]") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(format: "%.1f", value) : String(format: "%g", value)
    }
}
