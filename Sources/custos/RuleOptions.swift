import ArgumentParser
import Foundation
import CustosEngine
import CustosRules

/// Options that choose the rules a command runs.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Load rules from a YAML file or a folder of them (repeatable).", valueName: "path"))
    var rules: [String] = []

    @Flag(name: .long, help: "Do not load the built-in rules (use only --rules).")
    var noBuiltinRules = false

    /// The built-in rules (unless turned off) followed by every `--rules` path.
    func loadRuleSet() throws(RuleError) -> RuleSet {
        var loaded: [Rule] = noBuiltinRules ? [] : try RuleLoader.builtin()
        for path in rules {
            loaded += try RuleLoader.load(path: path)
        }
        return try RuleSet(loaded)
    }

    /// Loads and compiles the rules, or explains why not (exit 2).
    func compile() throws -> (RuleSet, Engine) {
        let ruleSet: RuleSet
        do {
            ruleSet = try loadRuleSet()
        } catch {
            throw fatal("cannot load rules: \(error)")
        }
        guard ruleSet.count > 0 else { throw fatal("no rules to run: drop --no-builtin-rules or add --rules") }
        do {
            return (ruleSet, try Engine(ruleSet: ruleSet))
        } catch {
            throw fatal("cannot compile rules: \(error)")
        }
    }
}

/// How hard and how wide a scan works: shared by the scanning commands.
struct ScanTuning: ParsableArguments {
    @Option(name: .long, help: "Worker threads (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: ArgumentHelp("Leave out paths matching this gitignore-style glob (repeatable).", valueName: "glob"))
    var exclude: [String] = []

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}
