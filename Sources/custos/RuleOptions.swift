import ArgumentParser
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
}
