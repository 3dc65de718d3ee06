import ArgumentParser
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

    @Option(name: .long, help: "Run only rules of at least this confidence: low, medium or high (default: the configuration's, else low).")
    var minConfidence: Confidence?

    @Flag(name: .long, help: "Report findings even on lines marked custos:allow, gitleaks:allow, pragma: allowlist secret or kingfisher:ignore (an audit).")
    var ignoreAllowComments = false

    /// The built-in rules (unless turned off) followed by every `--rules` path, narrowed by
    /// `--rule`, `--exclude-rule` and `--min-confidence`.
    func loadRuleSet(config: ScanConfiguration? = nil) throws(RuleError) -> RuleSet {
        var loaded: [Rule] = noBuiltinRules ? [] : try RuleLoader.builtin()
        for path in (config?.rules.paths ?? []) + rules {
            loaded += try RuleLoader.load(path: path)
        }
        let all = try RuleSet(loaded)
        // The command line's --rule replaces the configuration's list; exclusions add up.
        let selection = RuleSelection(only: onlyRules.isEmpty ? config?.rules.only ?? [] : onlyRules,
                                      excluded: (config?.rules.exclude ?? []) + excludedRules,
                                      minimumConfidence: minConfidence ?? config?.rules.minConfidence ?? .low)
        guard !selection.isEmpty else { return all }
        for selector in selection.unmatchedSelectors(in: all.rules) {
            Console.error("warning: no rule has the id or tag '\(selector)'; see custos rules list")
        }
        return try all.selecting(selection)
    }

    /// Loads and compiles the rules, or explains why not (exit 2).
    func compile(config: ScanConfiguration? = nil) throws -> (RuleSet, Engine) {
        let ruleSet: RuleSet
        do {
            ruleSet = try loadRuleSet(config: config)
        } catch {
            throw fatal("cannot load rules: \(error)")
        }
        guard ruleSet.count > 0 else {
            throw fatal(onlyRules.isEmpty && excludedRules.isEmpty && minConfidence == nil && config == nil
                ? "no rules to run: drop --no-builtin-rules or add --rules"
                : "no rules to run: --rule, --exclude-rule and --min-confidence left none (see custos rules list)")
        }
        do {
            return (ruleSet, try Engine(ruleSet: ruleSet, honorsAllowComments: !ignoreAllowComments))
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
