import ArgumentParser
import CustosBuiltinRules
import Foundation
import CustosEngine
import CustosConfig
import CustosCore
import CustosRules
import CustosSources

/// Options that choose the rules a command runs.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Load rules from a YAML file or a folder of them (repeatable).", valueName: "path"))
    var rules: [String] = []

    @Flag(name: .long, help: "Do not load the built-in rules (use only --rules).")
    var noBuiltinRules = false

    @Option(name: .customLong("rule"), help: ArgumentHelp("Run only rules with this id or tag; globs such as 'github-*' work (repeatable).", valueName: "id|tag"))
    var onlyRules: [String] = []

    @Option(name: .customLong("exclude-rule"), help: ArgumentHelp("Do not run rules with this id or tag; globs work (repeatable).", valueName: "id|tag"))
    var excludedRules: [String] = []

    @Option(name: .long, help: ArgumentHelp("Report only findings of at least this confidence: low, medium or high (default: the configuration's, else medium). Findings in test and documentation files count one level lower; 'low' shows everything.", valueName: "level"))
    var minConfidence: Confidence?

    /// The confidence a finding needs to be reported: as asked, else the configuration's, else medium.
    func reportedConfidence(config: ScanConfiguration?) -> Confidence {
        minConfidence ?? config?.rules.minConfidence ?? .medium
    }

    @Flag(name: .long, help: "Also report password hashes found under credential names (crypt, bcrypt, PBKDF2, Cisco type 5/8/9): open to offline cracking, off by default.")
    var includeHashes = false

    @Flag(name: .long, help: "Report findings even on lines marked custos:allow, gitleaks:allow, pragma: allowlist secret or kingfisher:ignore (an audit).")
    var ignoreAllowComments = false

    /// The built-in rules (unless turned off) followed by every `--rules` path, narrowed by
    /// `--rule`, `--exclude-rule` and `--min-confidence`.
    func loadRuleSet(config: ScanConfiguration? = nil) throws(RuleError) -> RuleSet {
        var loaded: [Rule] = noBuiltinRules ? [] : try RuleLoader.builtin()
        // A rules file named by the configuration and again with --rules is loaded once.
        var seen = Set<String>()
        for path in (config?.rules.paths ?? []) + rules where seen.insert(CanonicalPath.canonical(path)).inserted {
            loaded += try RuleLoader.load(path: path)
        }
        let all = try RuleSet(loaded)
        let selection = selection(config: config)
        guard !selection.isEmpty else { return all }
        let namedRuleIDs = NamedValueRule.rules.flatMap { [$0.id] + $0.tags }
        for selector in selection.unmatchedSelectors(in: all.rules)
        where !namedRuleIDs.contains(where: { PathGlob(selector).matches($0) }) {
            Console.error("warning: no rule has the id or tag '\(selector)'; see custos rules list")
        }
        return try all.selecting(selection)
    }

    /// The command line's --rule replaces the configuration's list; exclusions add up.
    func selection(config: ScanConfiguration?) -> RuleSelection {
        RuleSelection(only: onlyRules.isEmpty ? config?.rules.only ?? [] : onlyRules,
                      excluded: (config?.rules.exclude ?? []) + excludedRules,
                      minimumConfidence: minConfidence ?? config?.rules.minConfidence ?? .low)
    }

    /// Named-value scanning as selected: off with --no-builtin-rules (its vocabulary is built in).
    func namedValues(config: ScanConfiguration?) throws(RuleError) -> NamedValueScanning? {
        guard !noBuiltinRules else { return nil }
        // A named-value rule's findings carry their own confidence: the gate, not the rule's
        // nominal confidence, decides which are reported.
        var selection = selection(config: config)
        selection.minimumConfidence = .low
        return try NamedValueScanning.builtin(selection: selection, includeHashes: includeHashes)
    }

    /// Loads and compiles the rules, or explains why not (exit 2).
    func compile(config: ScanConfiguration? = nil) throws -> (RuleSet, Engine) {
        let ruleSet: RuleSet
        let named: NamedValueScanning?
        do {
            ruleSet = try loadRuleSet(config: config)
            named = try namedValues(config: config)
        } catch {
            throw fatal("cannot load rules: \(error)")
        }
        guard ruleSet.count > 0 || named != nil else {
            throw fatal(onlyRules.isEmpty && excludedRules.isEmpty && minConfidence == nil && config == nil
                ? "no rules to run: drop --no-builtin-rules or add --rules"
                : "no rules to run: --rule, --exclude-rule and --min-confidence left none (see custos rules list)")
        }
        do {
            return (ruleSet, try Engine(ruleSet: ruleSet, honorsAllowComments: !ignoreAllowComments, namedValues: named,
                                        minimumConfidence: reportedConfidence(config: config)))
        } catch {
            throw fatal("cannot compile rules: \(error)")
        }
    }
}

/// How hard and how wide a scan works: shared by the scanning commands.
struct ScanTuning: ParsableArguments {
    @Option(name: .customLong("threads"), help: "Worker threads (default: one per core; for sweeps two per core).")
    var requestedThreads: Int?

    /// Worker threads: as asked, else one per core.
    var threads: Int { requestedThreads ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(name: .long, help: ArgumentHelp("Leave out paths matching this gitignore-style glob (repeatable).", valueName: "glob"))
    var exclude: [String] = []

    func validate() throws {
        guard (requestedThreads ?? 1) >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}

extension Confidence: ExpressibleByArgument {}

/// How a directory walk treats the tree: shared by `scan` and `sweep`.
struct WalkFlags: ParsableArguments {
    @Flag(name: .long, help: "Read what the default excludes leave out (VCS folders, lockfiles, minified and media files).")
    var noDefaultExcludes = false

    @Flag(name: .long, help: "Follow symbolic links (each folder is still visited once).")
    var followSymlinks = false

    @Option(name: .long, help: ArgumentHelp("Do not read files larger than this many megabytes (0: no limit).", valueName: "MB"))
    var maxFileSize: Int = 0

    func validate() throws {
        guard maxFileSize >= 0 else { throw ValidationError("--max-file-size cannot be negative") }
    }

    var maxFileBytes: Int { maxFileSize * 1_048_576 }

    /// The defaults (unless turned off), the configuration's `exclude:` and `--exclude`;
    /// `.custosignore` files, at the roots and below, are read by the walker itself.
    func walkOptions(exclude: [String], config: ScanConfiguration? = nil) -> WalkOptions {
        var ignore = IgnoreRules(includeDefaults: !noDefaultExcludes)
        ignore.add(lines: (config?.exclude ?? []) + exclude)
        return WalkOptions(followSymlinks: followSymlinks, ignore: ignore)
    }
}

/// A path as a key for "the same file": resolved through symbolic links when it exists.
enum CanonicalPath {
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
