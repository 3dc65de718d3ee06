// gitleaks v8 configurations in custos terms. Owns the mapping of gitleaks keys; TOML syntax
// is TOMLReader's, regex analysis PatternShape's. Trade-off: where gitleaks's meaning cannot be
// kept exactly, the import keeps the safer side (report more, allow less) and says so in a note.

import CustosCore
import CustosYAML
import Foundation

/// Reads a gitleaks v8 configuration (`.gitleaks.toml`) into custos terms:
/// - `[[rules]]` become custos rules: the `secretGroup` (or the group gitleaks would use) is
///   named `secret`, keywords come from gitleaks or from a literal every match holds, `entropy`
///   becomes `min_entropy`, a simple `path` regex becomes `paths` globs;
/// - the global `[allowlist]` / `[[allowlists]]` become `allow:` (paths are regexes in gitleaks,
///   so they become `path_regexes`); rule allowlists and those with `targetRules` or
///   `condition = "AND"` become `allow: scoped:` entries;
/// - `[extend] path` is followed (two levels, as gitleaks does); `useDefault` means custos's
///   built-in rules stand in for gitleaks's defaults.
/// Keys are matched case-insensitively, as gitleaks's configuration loader does.
struct GitleaksConfigReader {
    let source: String
    var reserved: Set<String>

    var rules: [DraftRule] = []
    /// Original id → imported id.
    var ruleIDs: [String: String] = [:]
    var allow = AllowDraft()
    var scoped: [ScopedDraft] = []
    var notes: [ImportNote] = []
    /// Ids defined by the extending file, which win over extended ones; and disabled ids.
    private var definedIDs: Set<String> = []
    private var disabledIDs: Set<String> = []
    private var allowCounts: [String: Int] = [:]

    init(source: String, reserved: Set<String>) {
        self.source = source
        self.reserved = reserved
    }

    var allowSummary: String {
        let parts = allowCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let scopedText = scoped.isEmpty ? "" : "; \(scoped.count) scoped allow entr\(scoped.count == 1 ? "y" : "ies")"
        return (parts.isEmpty ? "no global allowlist" : "allow: " + parts.joined(separator: ", ")) + scopedText
    }

    mutating func dropScopes(forRule id: String) {
        scoped.removeAll { $0.rules == [id] }
    }

    /// Gitleaks follows `[extend] path` this deep.
    static let maximumExtendDepth = 2

    /// Reads one file; `readFile` reads the file `[extend] path` names.
    mutating func read(_ text: String, depth: Int, file: String? = nil,
                       readFile: (String) -> String?) throws(ConfigError) {
        let file = file ?? source
        let root = try TOMLReader.parse(text, source: file)
        let document = KeyedTable(root, file: file)
        for key in document.unknownKeys(["title", "description", "extend", "rules", "allowlist", "allowlists"]) {
            notes.append(ImportNote(document.location(key), .skipped, "unknown key '\(key)' (not a gitleaks setting)"))
        }
        var extendPath: (path: String, line: Int)?
        if let extend = document["extend"] {
            guard let table = extend.table else {
                throw ConfigError(location: "\(file):\(extend.line)", message: "[extend] must be a table")
            }
            extendPath = readExtend(KeyedTable(table, file: file), file: file, depth: depth)
        }
        if let rulesValue = document["rules"] {
            for (index, item) in (rulesValue.array ?? []).enumerated() {
                guard let table = item.table else {
                    notes.append(ImportNote("\(file):\(item.line)", .skipped, "rules[\(index)] is not a table"))
                    continue
                }
                readRule(KeyedTable(table, file: file), depth: depth)
            }
            if rulesValue.array == nil {
                notes.append(ImportNote("\(file):\(rulesValue.line)", .skipped, "'rules' must be an array of tables ([[rules]])"))
            }
        }
        if document["allowlist"] != nil && document["allowlists"] != nil {
            notes.append(ImportNote(document.location("allowlist"), .approximated,
                                    "[allowlist] and [[allowlists]] together are refused by gitleaks; both were imported"))
        }
        for key in ["allowlist", "allowlists"] {
            guard let value = document[key] else { continue }
            let tables = value.table.map { [$0] } ?? (value.array ?? []).compactMap(\.table)
            if tables.isEmpty {
                notes.append(ImportNote("\(file):\(value.line)", .skipped, "'\(key)' must be a table"))
            }
            for table in tables {
                readAllowlist(KeyedTable(table, file: file), rule: nil, global: true)
            }
        }
        if let extendPath {
            let target = PathText.join(PathText.folder(of: file), extendPath.path)
            if let extended = readFile(target) {
                try read(extended, depth: depth + 1, file: target, readFile: readFile)
            } else {
                notes.append(ImportNote("\(file):\(extendPath.line)", .skipped, "[extend] path '\(extendPath.path)' cannot be read (looked for \(target))"))
            }
        }
    }

    /// Notes what `[extend]` asks; returns the path to follow, if any.
    mutating func readExtend(_ extend: KeyedTable, file: String, depth: Int) -> (String, Int)? {
        for key in extend.unknownKeys(["path", "url", "usedefault", "disabledrules"]) {
            notes.append(ImportNote(extend.location(key), .skipped, "unknown key '\(key)' in [extend]"))
        }
        if extend["usedefault"].map({ $0.kind == .boolean(true) }) ?? false {
            notes.append(ImportNote(extend.location("usedefault"), .approximated,
                                    "[extend] useDefault: custos runs its own built-in rules in place of gitleaks's default rules"))
        }
        if let url = extend["url"]?.string {
            notes.append(ImportNote(extend.location("url"), .skipped, "[extend] url '\(url)' is not fetched; download it and import it with --from"))
        }
        for value in extend["disabledrules"]?.array ?? [] {
            guard let id = value.string else { continue }
            disabledIDs.insert(id)
            notes.append(ImportNote("\(file):\(value.line)", .approximated,
                                    "disabled rule '\(id)': gitleaks rule ids are not custos rule ids; to turn off a custos rule, add it to rules: exclude:"))
        }
        guard let path = extend["path"]?.string else { return nil }
        guard depth < Self.maximumExtendDepth else {
            notes.append(ImportNote(extend.location("path"), .skipped, "[extend] path '\(path)' is nested too deep (gitleaks follows \(Self.maximumExtendDepth) levels)"))
            return nil
        }
        return (path, extend["path"]?.line ?? 0)
    }

    // MARK: Rules

    mutating func readRule(_ rule: KeyedTable, depth: Int) {
        let at = "\(rule.file):\(rule.line)"
        for key in rule.unknownKeys(["id", "description", "regex", "secretgroup", "entropy", "keywords", "path", "tags",
                                     "allowlist", "allowlists", "required", "skipreport"]) {
            notes.append(ImportNote(rule.location(key), .skipped, "unknown key '\(key)' in a rule"))
        }
        guard let originalID = rule["id"]?.string, !originalID.isEmpty else {
            notes.append(ImportNote(at, .skipped, "a rule without an id"))
            return
        }
        if depth > 0 {
            if definedIDs.contains(originalID) {
                notes.append(ImportNote(at, .approximated, "rule '\(originalID)' from the extended file is replaced by the extending file's rule of that id (gitleaks merges their fields)"))
                return
            }
            if disabledIDs.contains(originalID) {
                notes.append(ImportNote(at, .skipped, "rule '\(originalID)' is disabled by [extend] disabledRules"))
                return
            }
        } else {
            guard !definedIDs.contains(originalID) else {
                notes.append(ImportNote(at, .skipped, "rule '\(originalID)' is defined twice; the first definition was imported"))
                return
            }
        }
        definedIDs.insert(originalID)
        if rule["skipreport"]?.kind == .boolean(true) {
            notes.append(ImportNote(at, .skipped, "rule '\(originalID)' has skipReport: it only serves other rules' [[rules.required]]"))
            return
        }
        guard let regex = rule["regex"]?.string, !regex.isEmpty else {
            let what = rule["path"] != nil ? "it matches file paths only; custos rules match content" : "it has no regex"
            notes.append(ImportNote(at, .skipped, "rule '\(originalID)': \(what)"))
            return
        }
        var id = Self.custosID(originalID)
        if id != originalID {
            notes.append(ImportNote(at, .approximated, "rule '\(originalID)' is imported as '\(id)' (custos ids use lowercase letters, digits, '-', '_' and '.')"))
        }
        if reserved.contains(id) {
            let renamed = "gitleaks-\(id)"
            notes.append(ImportNote(at, .approximated, "rule '\(originalID)' is imported as '\(renamed)': custos has a rule '\(id)' already"))
            id = renamed
        }
        guard !reserved.contains(id) else {
            notes.append(ImportNote(at, .skipped, "rule '\(originalID)': the id '\(id)' is taken"))
            return
        }
        guard let pattern = secretPattern(regex, rule: rule, id: originalID, at: at) else { return }
        guard let keywords = keywords(for: rule, regex: regex, id: originalID, at: at) else { return }
        var minEntropy = 0.0
        if let entropy = rule["entropy"] {
            switch entropy.kind {
            case let .float(value): minEntropy = value
            case let .integer(value): minEntropy = Double(value)
            default:
                notes.append(ImportNote(rule.location("entropy"), .approximated, "rule '\(originalID)': entropy is not a number; ignored"))
            }
            if !(0...8).contains(minEntropy) {
                notes.append(ImportNote(rule.location("entropy"), .approximated, "rule '\(originalID)': entropy \(minEntropy) is outside 0…8 bits per byte; clamped"))
                minEntropy = min(max(minEntropy, 0), 8)
            }
        }
        var paths: [String] = []
        if let pathRegex = rule["path"]?.string {
            if let globs = PatternShape.globs(forPathRegex: pathRegex) {
                paths = globs
            } else {
                notes.append(ImportNote(rule.location("path"), .approximated,
                                        "rule '\(originalID)': path '\(pathRegex)' is not a simple path pattern, so the rule runs on every path"))
            }
        }
        if rule["required"] != nil {
            notes.append(ImportNote(rule.location("required"), .approximated,
                                    "rule '\(originalID)': [[rules.required]] is not enforced; the rule reports without the other rules' matches nearby"))
        }
        let tags = (rule["tags"]?.array ?? []).compactMap(\.string)
        let description = rule["description"]?.string ?? ""
        reserved.insert(id)
        ruleIDs[originalID] = id
        rules.append(DraftRule(id: id, name: description.isEmpty ? originalID : description, description: description,
                               pattern: pattern, keywords: keywords, minEntropy: minEntropy,
                               tags: Self.uniqued(tags.map { $0.lowercased() } + ["gitleaks", "imported"]),
                               paths: paths, origin: at))
        if let single = rule["allowlist"] {
            if let table = single.table { readAllowlist(KeyedTable(table, file: rule.file), rule: id, global: false) }
            if rule["allowlists"] != nil {
                notes.append(ImportNote(rule.location("allowlist"), .approximated,
                                        "rule '\(originalID)': [rules.allowlist] and [[rules.allowlists]] together are refused by gitleaks; both were imported"))
            }
        }
        for item in rule["allowlists"]?.array ?? [] {
            if let table = item.table { readAllowlist(KeyedTable(table, file: rule.file), rule: id, global: false) }
        }
    }

    /// The regex with a group named `secret` where gitleaks takes the secret from.
    mutating func secretPattern(_ regex: String, rule: KeyedTable, id: String, at: String) -> String? {
        let groups = PatternShape.capturingGroups(Array(regex.unicodeScalars)).count
        var secretGroup = 0
        if let value = rule["secretgroup"] {
            guard case let .integer(number) = value.kind, number >= 0, number <= Int64(groups) else {
                notes.append(ImportNote(rule.location("secretgroup"), .skipped,
                                        "rule '\(id)': secretGroup must name one of the regex's \(groups) capturing groups"))
                return nil
            }
            secretGroup = Int(number)
        }
        if secretGroup == 0 && groups == 0 {
            return "(?P<secret>" + regex + ")"
        }
        if secretGroup == 0 {
            // gitleaks takes the first group that captured something.
            if groups > 1 {
                notes.append(ImportNote(at, .approximated,
                                        "rule '\(id)': no secretGroup and \(groups) groups: gitleaks takes the first non-empty one, custos takes group 1; set secretGroup to choose"))
            }
            secretGroup = 1
        }
        guard let named = PatternShape.namingGroup(secretGroup, in: regex) else {
            notes.append(ImportNote(at, .skipped, "rule '\(id)': cannot find capturing group \(secretGroup) in the regex"))
            return nil
        }
        return named
    }

    /// gitleaks's keywords, or a literal every match holds; nil (and a note) when neither.
    mutating func keywords(for rule: KeyedTable, regex: String, id: String, at: String) -> [String]? {
        let given = Self.uniqued((rule["keywords"]?.array ?? []).compactMap(\.string).map { $0.lowercased() }.filter { !$0.isEmpty })
        let literals = PatternShape.literals(regex)
        let visible = literals.map { found in
            given.filter { keyword in found.all.contains { $0.lowercased().contains(keyword) } }
        } ?? given
        if !given.isEmpty && !visible.isEmpty { return given }
        let derived = PatternShape.requiredLiteral(regex)
        if given.isEmpty {
            guard let derived else {
                notes.append(ImportNote(at, .skipped,
                                        "rule '\(id)': no keywords, and the regex has no literal of 3 or more characters that every match holds; add keywords = [...] to the rule and import again"))
                return nil
            }
            notes.append(ImportNote(at, .approximated, "rule '\(id)': no keywords in gitleaks; custos looks for '\(derived)', which every match holds"))
            return [derived]
        }
        // None of gitleaks's keywords is visible in the pattern: gitleaks looks for them anywhere
        // in the file, custos inside the match.
        if let derived {
            notes.append(ImportNote(at, .approximated,
                                    "rule '\(id)': keywords \(given) need not occur in a match (custos looks inside the match), so custos looks for '\(derived)', which every match holds"))
            return [derived]
        }
        notes.append(ImportNote(at, .approximated,
                                "rule '\(id)': custos finds a match only when one of the keywords \(given) occurs inside it (gitleaks looks anywhere in the file)"))
        return given
    }

    // MARK: Allowlists

    mutating func readAllowlist(_ list: KeyedTable, rule: String?, global: Bool) {
        let at = "\(list.file):\(list.line)"
        var known: Set<String> = ["description", "condition", "commits", "paths", "regextarget", "regexes", "stopwords"]
        if global { known.insert("targetrules") }
        for key in list.unknownKeys(known) {
            notes.append(ImportNote(list.location(key), .skipped, "unknown key '\(key)' in an allowlist"))
        }
        let match: AllowMatch
        switch (list["condition"]?.string ?? "").uppercased() {
        case "", "OR", "||": match = .any
        case "AND", "&&": match = .all
        case let other:
            notes.append(ImportNote(list.location("condition"), .skipped, "allowlist condition '\(other)' is neither AND nor OR; the allowlist was not imported"))
            return
        }
        let description = list["description"]?.string
        let origin = [at, description].compactMap { $0 }.joined(separator: " ")
        var draft = AllowDraft()
        for value in list["paths"]?.array ?? [] {
            guard let pattern = compiled(value, what: "path regex", file: list.file) else { continue }
            draft.pathRegexes.append(DraftItem(pattern, comment: "\(list.file):\(value.line)"))
        }
        let target = list["regextarget"]?.string ?? ""
        for value in list["regexes"]?.array ?? [] {
            guard let pattern = compiled(value, what: "regex", file: list.file) else { continue }
            let item = DraftItem(pattern, comment: "\(list.file):\(value.line)")
            switch target {
            case "", "secret": draft.regexes.append(item)
            case "line": draft.lineRegexes.append(item)
            case "match":
                draft.lineRegexes.append(item)
            default:
                notes.append(ImportNote(list.location("regextarget"), .skipped, "regexTarget '\(target)' is not secret, match or line; its regexes were not imported"))
            }
        }
        if target == "match" && !(list["regexes"]?.array ?? []).isEmpty {
            notes.append(ImportNote(list.location("regextarget"), .approximated,
                                    "regexTarget = \"match\": custos keeps no match text, so these regexes are searched in the line (allow: line_regexes)"))
        }
        for value in list["stopwords"]?.array ?? [] {
            guard let word = value.string, !word.isEmpty else { continue }
            draft.stopwords.append(DraftItem(word, comment: "\(list.file):\(value.line)"))
        }
        for value in list["commits"]?.array ?? [] {
            guard let commit = value.string?.lowercased(), CommitID.isValid(commit) else {
                notes.append(ImportNote("\(list.file):\(value.line)", .skipped, "commit '\(value.string ?? "?")' is not a commit id"))
                continue
            }
            draft.commits.append(DraftItem(commit, comment: "\(list.file):\(value.line)"))
        }
        guard !draft.isEmpty else {
            notes.append(ImportNote(at, .skipped, "an allowlist with nothing custos can use"))
            return
        }
        var rules = rule.map { [$0] } ?? []
        if global, let targets = list["targetrules"]?.array {
            for value in targets {
                guard let target = value.string else { continue }
                if let imported = ruleIDs[target] {
                    rules.append(imported)
                } else {
                    notes.append(ImportNote("\(list.file):\(value.line)", .skipped,
                                            "allowlist target rule '\(target)' is not a rule of this file; custos has other rule ids, so the allowlist was not applied to it"))
                }
            }
            if rules.isEmpty {
                notes.append(ImportNote(at, .skipped, "an allowlist whose target rules custos does not have"))
                return
            }
        }
        let effectiveMatch: AllowMatch = draft.conditionKinds > 1 ? match : .any
        for (key, count) in [("path regexes", draft.pathRegexes.count), ("regexes", draft.regexes.count),
                             ("line regexes", draft.lineRegexes.count), ("stopwords", draft.stopwords.count),
                             ("commits", draft.commits.count)] where count > 0 && rules.isEmpty && effectiveMatch == .any {
            allowCounts[key, default: 0] += count
        }
        if rules.isEmpty && effectiveMatch == .any {
            allow.merge(draft)
        } else {
            scoped.append(ScopedDraft(rules: rules, match: effectiveMatch, allow: draft, comment: origin))
        }
    }

    /// The pattern text when it compiles; a note otherwise.
    mutating func compiled(_ value: TOMLValue, what: String, file: String) -> String? {
        guard let pattern = value.string else {
            notes.append(ImportNote("\(file):\(value.line)", .skipped, "a \(what) that is not a string"))
            return nil
        }
        do {
            _ = try PeerRegex(pattern)
            return pattern
        } catch {
            notes.append(ImportNote("\(file):\(value.line)", .skipped, "\(what) \(error)"))
            return nil
        }
    }

    /// A gitleaks id as a custos id: lowercase, other characters replaced by `-`.
    static func custosID(_ id: String) -> String {
        String(id.lowercased().map { character -> Character in
            character.isASCII && (character.isLetter || character.isNumber || "-_.".contains(character)) ? character : "-"
        })
    }

    static func uniqued(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}

/// A TOML table read with case-insensitive keys, as gitleaks's loader (viper) reads them.
struct KeyedTable {
    let table: TOMLTable
    let file: String
    private let byLowercased: [String: String]

    init(_ table: TOMLTable, file: String) {
        self.table = table
        self.file = file
        var keys: [String: String] = [:]
        for key in table.keys where keys[key.lowercased()] == nil { keys[key.lowercased()] = key }
        byLowercased = keys
    }

    var line: Int { table.line }

    subscript(key: String) -> TOMLValue? {
        byLowercased[key].flatMap { table[$0] }
    }

    /// Keys not in `known` (lowercase names), as the file spells them.
    func unknownKeys(_ known: Set<String>) -> [String] {
        table.keys.filter { !known.contains($0.lowercased()) }
    }

    func location(_ key: String) -> String {
        let value = self[key.lowercased()] ?? table[key]
        return "\(file):\(value?.line ?? table.line)"
    }
}
