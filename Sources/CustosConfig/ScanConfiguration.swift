// CustosConfig: the one configuration file a team keeps at the root of a repository or share
// (`.custos.yaml`) — excludes, rule selection, allow lists, baseline, fail threshold — read
// and validated into plain values every command applies the same way, and the importers that
// write such a file from a peer tool's (gitleaks, detect-secrets). It owns no scanning and no
// command line: the commands load a configuration, merge it with their flags, hand the
// excludes to the walkers and apply the allow list to the findings.
//
// Trade-off: the allow list runs on findings after the scan, not inside the engine, so every
// mode (directory, history, ranges, staged, sweeps) honours it through one pure function, at
// the price of confirming matches that are then dropped; that costs little next to reading the
// bytes, and keeps one place that says why a finding was allowed.

public import CustosCore
public import CustosYAML
import Foundation

/// A problem in a configuration file, with the place to fix: `.custos.yaml:12: …`.
public typealias ConfigError = LocatedError

/// The validated contents of a `.custos.yaml`.
public struct ScanConfiguration: Sendable {
    /// Gitignore-style lines (the `.custosignore` syntax) added after the built-in excludes
    /// and before `--exclude`.
    public var exclude: [String] = []
    public var rules = RuleSettings()
    public var allow = AllowList()
    /// The baseline file, resolved against the configuration's folder.
    public var baseline: String?
    /// Which findings make a command exit 1; nil when the file does not say.
    public var failOn: FailThreshold?
    /// The default report format, as written; the command checks it against the formats it has.
    public var report: ReportSetting?
    /// Where this configuration was read from (a path, or a name given by tests).
    public var source: String = ""

    public init() {}

    /// The names looked for in a folder, in order.
    public static let fileNames = [".custos.yaml", ".custos.yml"]

    public static let knownKeys: Set<String> = ["exclude", "rules", "allow", "baseline", "fail_on", "report"]

    /// Parses a configuration's text. Relative paths in it (rule files, the baseline) are
    /// resolved against `directory`, the configuration's folder.
    public static func parse(yaml: String, source: String, directory: String) throws(ConfigError) -> ScanConfiguration {
        var configuration = ScanConfiguration()
        configuration.source = source
        guard let file = try YAMLMapping.parse(yaml, source: source) else { return configuration }
        let document = try file.required()
        try document.rejectUnknownKeys(knownKeys)
        configuration.exclude = try document.strings("exclude")
        if let rules = document.child("rules") {
            configuration.rules = try RuleSettings(rules.required(), directory: directory)
        }
        if let allow = document.child("allow") {
            configuration.allow = try AllowList(allow.required())
        }
        if let baseline = try document.string("baseline") {
            configuration.baseline = resolve(baseline, against: directory)
        }
        if let failOn = try document.string("fail_on") {
            guard let threshold = FailThreshold(rawValue: failOn) else {
                throw document.child("fail_on")?.error("fail_on is low, medium, high or never, not '\(failOn)'")
                    ?? document.error("fail_on is low, medium, high or never")
            }
            configuration.failOn = threshold
        }
        if let report = try document.string("report"), let node = document.child("report") {
            configuration.report = ReportSetting(format: report, location: node.location)
        }
        return configuration
    }

    /// Reads the configuration file at `path`.
    public static func load(path: String) throws(ConfigError) -> ScanConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(location: path, message: "cannot read the configuration file (check the path given to --config)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(location: path, message: "the configuration file is not UTF-8 text")
        }
        return try parse(yaml: text, source: path, directory: PathText.folder(of: path))
    }

    /// The configuration a command runs with: the `--config` file when given (it must exist),
    /// else `.custos.yaml` or `.custos.yml` in the current folder, else in the first root that
    /// is a folder; nil when there is none. Two candidate files in one folder are an error, so
    /// a stray copy is never silently ignored.
    public static func discover(explicit: String?, roots: [String],
                                currentDirectory: String = FileManager.default.currentDirectoryPath)
        throws(ConfigError) -> (ScanConfiguration, source: String)? {
        if let explicit {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: explicit, isDirectory: &isDirectory) else {
                throw ConfigError(location: explicit, message: "no such configuration file (given with --config)")
            }
            guard !isDirectory.boolValue else {
                throw ConfigError(location: explicit, message: "--config names a folder; give the file, such as \(explicit)/.custos.yaml")
            }
            return (try load(path: explicit), explicit)
        }
        var folders = [currentDirectory]
        if let root = roots.first(where: isFolder) { folders.append(root) }
        for folder in folders {
            let present = fileNames.map { PathText.join(folder, $0) }
                .filter { FileManager.default.fileExists(atPath: $0) }
            if present.count > 1 {
                throw ConfigError(location: folder, message: "both \(fileNames.joined(separator: " and ")) exist; keep one")
            }
            if let path = present.first {
                let shown = folder == currentDirectory ? PathText.name(of: path) : path
                var configuration = try load(path: path)
                configuration.source = shown
                return (configuration, shown)
            }
        }
        return nil
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// `path` relative to `directory` unless it is absolute.
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty || directory == "." { return path }
        return PathText.join(directory, path)
    }
}

/// The `rules:` section: which rules run, besides what the command line says.
public struct RuleSettings: Sendable {
    /// Rule ids, tags or traits (globs); when not empty, only rules matching one run.
    public var only: [String] = []
    /// Rule ids, tags or traits (globs) that never run.
    public var exclude: [String] = []
    /// Rules below this confidence do not run; nil when the file does not say.
    public var minConfidence: Confidence?
    /// Extra rule files or folders, resolved against the configuration's folder.
    public var paths: [String] = []

    public init() {}

    init(_ section: YAMLMapping, directory: String) throws(ConfigError) {
        try section.rejectUnknownKeys(["only", "exclude", "min_confidence", "paths"])
        only = try section.strings("only")
        exclude = try section.strings("exclude")
        if let text = try section.string("min_confidence") {
            guard let confidence = Confidence(rawValue: text) else {
                throw section.child("min_confidence")?.error("min_confidence is low, medium or high, not '\(text)'")
                    ?? section.error("min_confidence is low, medium or high")
            }
            minConfidence = confidence
        }
        paths = try section.strings("paths").map { ScanConfiguration.resolve($0, against: directory) }
    }
}

/// Which findings make a command fail (exit 1).
public enum FailThreshold: String, Sendable, CaseIterable {
    /// Any finding (the default without a configuration).
    case low
    /// Findings of medium or high confidence.
    case medium
    /// Only findings of high confidence.
    case high
    /// Findings never fail the command; it still exits 2 when it cannot run.
    case never

    /// Whether a finding of `confidence` fails the command.
    public func fails(on confidence: Confidence) -> Bool {
        switch self {
        case .low: true
        case .medium: confidence >= .medium
        case .high: confidence >= .high
        case .never: false
        }
    }

    /// Whether any of `confidences` fails the command.
    public func fails<Confidences: Sequence>(onAny confidences: Confidences) -> Bool where Confidences.Element == Confidence {
        confidences.contains(where: fails(on:))
    }
}

/// The `report:` default format, kept as written with its place, so the command can check it
/// against the formats it knows and name the line when it does not.
public struct ReportSetting: Sendable, Hashable {
    public var format: String
    /// `file:line` of the value.
    public var location: String

    public init(format: String, location: String) {
        self.format = format
        self.location = location
    }

    /// The error a command throws for a format it does not have.
    public func unknownFormat(known: [String]) -> ConfigError {
        ConfigError(location: location, message: "report: unknown format '\(format)'; formats are \(known.joined(separator: ", "))")
    }
}
