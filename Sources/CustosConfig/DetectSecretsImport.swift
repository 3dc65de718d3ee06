// detect-secrets' `.secrets.baseline` in custos terms. Owns the mapping of its results and
// filters; JSON parsing is Foundation's. Audited real secrets are never turned into allows.

import CustosYAML
import Foundation

/// Reads detect-secrets' `.secrets.baseline` (JSON) into custos terms:
/// - each result's `hashed_secret` (SHA-1 of the secret) becomes `allow: sha1:`, with the file,
///   line and type it was seen at as a comment; results an audit marked `is_secret: true` are
///   real secrets and are not allowed;
/// - the exclude filters (`filters_used` in 1.x, `exclude` in 0.x): a files regex that is a
///   simple path becomes `exclude:` globs, any other becomes `allow: path_regexes:` (the files
///   are read, their findings dropped); lines and secrets regexes become `line_regexes` and
///   `regexes`.
/// detect-secrets' heuristic filters have no one-to-one custos counterpart and are noted.
struct DetectSecretsBaselineReader {
    let source: String
    var exclude: [DraftItem] = []
    var allow = AllowDraft()
    var notes: [ImportNote] = []
    private var results = 0
    private var realSecrets = 0

    init(source: String) {
        self.source = source
    }

    var summary: String {
        var parts = ["\(allow.sha1.count) hashed secret\(allow.sha1.count == 1 ? "" : "s") → allow.sha1"]
        if !exclude.isEmpty { parts.append("\(exclude.count) exclude glob\(exclude.count == 1 ? "" : "s")") }
        let regexes = allow.pathRegexes.count + allow.lineRegexes.count + allow.regexes.count
        if regexes > 0 { parts.append("\(regexes) allow regex\(regexes == 1 ? "" : "es")") }
        return parts.joined(separator: "; ")
    }

    mutating func read(_ text: String) throws(ConfigError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
              let document = object as? [String: Any] else {
            throw ConfigError(location: source, message: "not a detect-secrets baseline (expected a JSON object with \"results\")")
        }
        guard let results = document["results"] as? [String: Any] else {
            throw ConfigError(location: source, message: "not a detect-secrets baseline: no \"results\" object")
        }
        readResults(results)
        if let filters = document["filters_used"] as? [Any] {
            readFilters(filters)
        }
        if let legacy = document["exclude"] as? [String: Any] {
            for pattern in Self.patterns(legacy["files"]) { addFilesPattern(pattern, from: "exclude.files") }
            for pattern in Self.patterns(legacy["lines"]) { addRegex(pattern, to: \.lineRegexes, from: "exclude.lines") }
        }
    }

    mutating func readResults(_ results: [String: Any]) {
        // Sorted so the output is the same however the JSON orders its keys.
        var seen: [String: Int] = [:]
        for file in results.keys.sorted() {
            guard let entries = results[file] as? [Any] else {
                notes.append(ImportNote(source, .skipped, "results for '\(file)' are not a list"))
                continue
            }
            for case let entry as [String: Any] in entries {
                self.results += 1
                guard let hash = (entry["hashed_secret"] as? String)?.lowercased(),
                      hash.utf8.count == 40, hash.allSatisfy(\.isHexDigit) else {
                    notes.append(ImportNote(source, .skipped, "a result in '\(file)' has no hashed_secret of 40 hex digits"))
                    continue
                }
                let line = (entry["line_number"] as? Int).map { ":\($0)" } ?? ""
                let type = (entry["type"] as? String).map { " \($0)" } ?? ""
                if entry["is_secret"] as? Bool == true {
                    realSecrets += 1
                    notes.append(ImportNote("\(file)\(line)", .skipped,
                                            "audited as a real secret (is_secret: true) in \(source), so it stays reported; revoke it, then remove it"))
                    continue
                }
                if let index = seen[hash] {
                    let comment = allow.sha1[index].comment ?? ""
                    if !comment.hasSuffix("…") && comment.count < 200 {
                        allow.sha1[index].comment = comment + ", \(file)\(line)"
                    } else if !comment.hasSuffix("…") {
                        allow.sha1[index].comment = comment + " …"
                    }
                    continue
                }
                seen[hash] = allow.sha1.count
                allow.sha1.append(DraftItem(hash, comment: "\(file)\(line)\(type)"))
            }
        }
    }

    mutating func readFilters(_ filters: [Any]) {
        var heuristics: [String] = []
        for case let filter as [String: Any] in filters {
            guard let path = filter["path"] as? String else { continue }
            let name = path.split(separator: ".").last.map(String.init) ?? path
            switch path {
            case "detect_secrets.filters.regex.should_exclude_file":
                for pattern in Self.patterns(filter["pattern"]) { addFilesPattern(pattern, from: "--exclude-files") }
            case "detect_secrets.filters.regex.should_exclude_line":
                for pattern in Self.patterns(filter["pattern"]) { addRegex(pattern, to: \.lineRegexes, from: "--exclude-lines") }
            case "detect_secrets.filters.regex.should_exclude_secret":
                for pattern in Self.patterns(filter["pattern"]) { addRegex(pattern, to: \.regexes, from: "--exclude-secrets") }
            case "detect_secrets.filters.allowlist.is_line_allowlisted":
                continue  // `pragma: allowlist secret` is honoured by custos itself.
            default:
                if path.hasPrefix("detect_secrets.filters.") { heuristics.append(name) } else {
                    notes.append(ImportNote(source, .skipped, "custom filter '\(path)' runs Python code; custos cannot import it"))
                }
            }
        }
        if !heuristics.isEmpty {
            notes.append(ImportNote(source, .skipped,
                                    "detect-secrets heuristic filters (\(heuristics.joined(separator: ", "))) are not imported: custos has its own placeholder, entropy and shape filters"))
        }
    }

    mutating func addFilesPattern(_ pattern: String, from origin: String) {
        if let globs = PatternShape.globs(forPathRegex: pattern) {
            for glob in globs { exclude.append(DraftItem(glob, comment: "\(source): \(origin) '\(pattern)'")) }
            return
        }
        guard compiles(pattern, from: origin) else { return }
        allow.pathRegexes.append(DraftItem(pattern, comment: "\(source): \(origin)"))
        notes.append(ImportNote(source, .approximated,
                                "\(origin) '\(pattern)' is not a simple path, so it became allow.path_regexes: the files are still read, their findings dropped"))
    }

    mutating func addRegex(_ pattern: String, to list: WritableKeyPath<AllowDraft, [DraftItem]>, from origin: String) {
        guard compiles(pattern, from: origin) else { return }
        allow[keyPath: list].append(DraftItem(pattern, comment: "\(source): \(origin)"))
    }

    mutating func compiles(_ pattern: String, from origin: String) -> Bool {
        do {
            _ = try PeerRegex(pattern)
            return true
        } catch {
            notes.append(ImportNote(source, .skipped, "\(origin) \(error)"))
            return false
        }
    }

    /// A filter's `pattern`: a string or a list of them.
    static func patterns(_ value: Any?) -> [String] {
        if let text = value as? String { return [text] }
        return (value as? [Any] ?? []).compactMap { $0 as? String }
    }
}
