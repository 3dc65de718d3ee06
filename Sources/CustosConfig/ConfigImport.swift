// `custos config import` without the command line: the sources a team has, read in order,
// merged into one draft with notes. The readers of each format live beside it; writing files
// and compiling converted rules are left to the caller (the command passes an engine check).

public import CustosYAML
import CustosCore
import Foundation

/// `custos config import`: reads the files teams already keep for gitleaks and detect-secrets
/// and writes one `.custos.yaml` (plus a rules file for converted gitleaks rules), saying what
/// came over, what changed meaning and what did not come over.
///
/// Whole-file problems (not TOML, not JSON) are errors; a single rule or allowlist entry that
/// cannot be converted is a note, and the rest is imported.
public struct ConfigImport {
    /// The file names looked for in the current folder when no `--from` is given.
    public static let defaultSources = [".gitleaks.toml", ".gitleaksignore", ".secrets.baseline"]
    /// The rules file written beside the configuration.
    public static let rulesFileName = "custos-imported-rules.yaml"

    /// Rule ids that exist already (the built-in rules): an imported rule with one of them is
    /// renamed `gitleaks-<id>`, so the rule set stays free of duplicates.
    public var reservedRuleIDs: Set<String>
    /// Compiles one converted rule (given as a rules file holding it alone) and returns why it
    /// cannot run, or nil. The command line checks with the engine; without a check every
    /// converted rule is kept.
    public var ruleCheck: ((DraftRule) -> String?)?

    var draft = ConfigDraft()
    var rules: [DraftRule] = []
    /// Original gitleaks rule id → the id it was imported under.
    var ruleIDs: [String: String] = [:]
    var notes: [ImportNote] = []
    var summaries: [String] = []
    var sources: [String] = []
    /// `.gitleaksignore` entries, resolved against the imported rules at the end.
    var pendingLocations: [(location: DraftLocation, gitleaksRule: String)] = []

    public init(reservedRuleIDs: Set<String> = [], ruleCheck: ((DraftRule) -> String?)? = nil) {
        self.reservedRuleIDs = reservedRuleIDs
        self.ruleCheck = ruleCheck
    }

    /// Which importer reads a file, by its name.
    public enum SourceKind: Sendable, CaseIterable {
        case gitleaksConfig, gitleaksIgnore, detectSecretsBaseline

        public init?(path: String) {
            let name = PathText.name(of: path)
            if name.hasSuffix(".toml") {
                self = .gitleaksConfig
            } else if name == ".gitleaksignore" || name.hasSuffix(".gitleaksignore") {
                self = .gitleaksIgnore
            } else if name.hasSuffix(".baseline") || name.hasSuffix(".json") {
                self = .detectSecretsBaseline
            } else {
                return nil
            }
        }
    }

    /// Imports the file at `path` (its kind told by its name); `readFile` reads it and any
    /// file it extends.
    public mutating func add(path: String, readFile: (String) -> String?) throws(ConfigError) {
        guard let kind = SourceKind(path: path) else {
            throw ConfigError(location: path, message: "not a file custos imports: name a .gitleaks.toml, .gitleaksignore or .secrets.baseline")
        }
        guard let text = readFile(path) else {
            throw ConfigError(location: path, message: "cannot read the file as UTF-8 text")
        }
        switch kind {
        case .gitleaksConfig:
            try addGitleaksConfig(text, source: path, readFile: readFile)
        case .gitleaksIgnore:
            addGitleaksIgnore(text, source: path)
        case .detectSecretsBaseline:
            try addDetectSecretsBaseline(text, source: path)
        }
    }

    /// Imports a `.gitleaks.toml`'s text. `readFile` reads what `[extend] path` names.
    public mutating func addGitleaksConfig(_ text: String, source: String,
                                           readFile: (String) -> String? = { _ in nil }) throws(ConfigError) {
        var reader = GitleaksConfigReader(source: source, reserved: reservedRuleIDs.union(rules.map(\.id)))
        try reader.read(text, depth: 0, readFile: readFile)
        sources.append(source)
        var converted = 0
        for rule in reader.rules {
            if let check = ruleCheck, let problem = check(rule) {
                notes.append(ImportNote(rule.origin, .skipped, "rule '\(rule.id)' does not compile as a custos rule: \(problem)"))
                reader.dropScopes(forRule: rule.id)
                continue
            }
            rules.append(rule)
            converted += 1
        }
        for (original, imported) in reader.ruleIDs where rules.contains(where: { $0.id == imported }) {
            ruleIDs[original] = imported
        }
        notes += reader.notes
        draft.allow.merge(reader.allow)
        draft.scoped += reader.scoped
        summaries.append("\(source): \(converted) rule\(converted == 1 ? "" : "s") converted; \(reader.allowSummary)")
    }

    /// Imports a `.gitleaksignore`'s text.
    public mutating func addGitleaksIgnore(_ text: String, source: String) {
        sources.append(source)
        var count = 0
        for (offset, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let at = "\(source):\(offset + 1)"
            guard let entry = GitleaksIgnoreEntry(line) else {
                notes.append(ImportNote(at, .skipped, "'\(line)' is not commit:file:rule:line or file:rule:line"))
                continue
            }
            var location = DraftLocation(path: entry.path, line: entry.line, rule: nil, commit: entry.commit)
            location.comment = at
            pendingLocations.append((location, entry.rule))
            count += 1
        }
        summaries.append("\(source): \(count) location\(count == 1 ? "" : "s") → allow.locations")
    }

    /// Imports a detect-secrets `.secrets.baseline`'s text.
    public mutating func addDetectSecretsBaseline(_ text: String, source: String) throws(ConfigError) {
        var reader = DetectSecretsBaselineReader(source: source)
        try reader.read(text)
        sources.append(source)
        notes += reader.notes
        draft.exclude += reader.exclude
        draft.allow.merge(reader.allow)
        summaries.append("\(source): \(reader.summary)")
    }

    /// The configuration and rules file to write. `rulesFile` is the rules file's name
    /// relative to the configuration.
    public func result(rulesFile: String = ConfigImport.rulesFileName) -> ImportResult {
        var draft = self.draft
        var notes = self.notes
        for (var location, gitleaksRule) in pendingLocations {
            if let imported = ruleIDs[gitleaksRule] {
                location.rule = imported
            } else {
                location.comment = [location.comment, "gitleaks rule \(gitleaksRule): custos names its rules differently, so any finding on this line is allowed"]
                    .compactMap { $0 }.joined(separator: "; ")
            }
            draft.allow.locations.append(location)
        }
        if pendingLocations.contains(where: { ruleIDs[$0.gitleaksRule] == nil }) {
            notes.append(ImportNote(sources.first { ConfigImport.SourceKind(path: $0) == .gitleaksIgnore } ?? ".gitleaksignore", .approximated,
                                    "gitleaks rule ids that custos does not have were dropped from the locations: each allows any custos finding on its line"))
        }
        if !rules.isEmpty {
            draft.rulePaths.append(DraftItem(rulesFile, comment: "\(rules.count) rule\(rules.count == 1 ? "" : "s") converted from gitleaks"))
        }
        draft.allow.removeDuplicates()
        let from = sources.joined(separator: ", ")
        let configuration = YAMLText.configuration(draft, header: [
            "custos configuration written by `custos config import` from \(from.isEmpty ? "nothing" : from).",
            "Review it before committing: the README's Configuration section and docs/custos.example.yaml",
            "describe every key. Comments name the file and line each value came from.",
        ])
        let rulesText = rules.isEmpty ? nil : YAMLText.rulesFile(rules, header: [
            "Rules converted from gitleaks by `custos config import`; referenced from .custos.yaml.",
            "They run as they are; `custos rules check \(rulesFile)` passes once each rule has the",
            "examples, negative_examples and references that rules/README.md asks for.",
        ])
        return ImportResult(configuration: configuration, rules: rulesText, rulesFile: rulesFile,
                            summary: summaries, notes: notes, isEmpty: draft.isEmpty)
    }
}

/// What an import produced.
public struct ImportResult: Sendable {
    /// The `.custos.yaml` text.
    public var configuration: String
    /// The rules file's text, when rules were converted.
    public var rules: String?
    public var rulesFile: String
    /// One line per source: what came over.
    public var summary: [String]
    /// What changed meaning or did not come over.
    public var notes: [ImportNote]
    /// Nothing at all was imported.
    public var isEmpty: Bool
}

/// Something an import did not carry over as it was.
public struct ImportNote: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Imported with a different meaning; the message says how.
        case approximated
        /// Not imported.
        case skipped
    }

    /// `file:line` or `file`.
    public var location: String
    public var kind: Kind
    public var message: String

    public init(_ location: String, _ kind: Kind, _ message: String) {
        self.location = location
        self.kind = kind
        self.message = message
    }

    public var description: String {
        "\(location): \(kind == .skipped ? "not imported" : "changed"): \(message)"
    }
}

/// One `.gitleaksignore` line: `commit:file:rule:line` or `file:rule:line`.
struct GitleaksIgnoreEntry {
    var commit: String?
    var path: String
    var rule: String
    var line: Int

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, let line = Int(parts[parts.count - 1]), line >= 1 else { return nil }
        rule = parts[parts.count - 2]
        self.line = line
        if parts.count >= 4, CommitID.isValid(parts[0].lowercased()) {
            commit = parts[0].lowercased()
            path = parts[1..<(parts.count - 2)].joined(separator: ":")
        } else {
            path = parts[0..<(parts.count - 2)].joined(separator: ":")
        }
        path = ScanPath.normalized(path)
        guard !path.isEmpty, !rule.isEmpty else { return nil }
    }
}
