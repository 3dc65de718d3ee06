import ArgumentParser
import CustosBuiltinRules
import CustosEngine
import CustosRules
import Foundation

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and check detection rules.",
        subcommands: [List.self, Check.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules a scan would run.")

        @OptionGroup var ruleOptions: RuleOptions

        @Flag(name: .long, help: "Show the part of each pattern that the Vectorscan pass looks for (PCRE2 confirms the whole pattern).")
        var prefilter = false

        func run() throws {
            let ruleSet: RuleSet
            do {
                ruleSet = try ruleOptions.loadRuleSet()
            } catch {
                throw fatal("cannot load rules: \(error)")
            }
            let width = ruleSet.rules.map(\.id.count).max() ?? 0
            var out = ""
            for rule in ruleSet.rules.sorted(by: { $0.id < $1.id }) {
                let padded = rule.id.padding(toLength: width, withPad: " ", startingAt: 0)
                let confidence = rule.confidence.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                out += "\(padded)  \(confidence)  \(rule.name)\n"
                if prefilter { out += "    \(Engine.prefilterPattern(for: rule.pattern))\n" }
            }
            out += "\(ruleSet.count) rules\n"
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate rules and run their examples and negative examples.",
            discussion: "With PATH, checks only the rules there; otherwise the built-in rules and the credential vocabulary's name examples. Exit status 1 on any failure.")

        @Argument(help: ArgumentHelp("A rule file or folder to check instead of the built-in rules.", valueName: "path"))
        var path: String?

        func run() throws {
            let ruleSet: RuleSet
            do {
                let rules = try path.map { path throws(RuleError) in try RuleLoader.load(path: path) } ?? RuleLoader.builtin()
                ruleSet = try RuleSet(rules)
            } catch {
                Console.error("custos: \(error)")
                throw ExitCode(ExitStatus.findings)
            }
            let engine: Engine
            do {
                engine = try Engine(ruleSet: ruleSet, namedValues: .standard)
            } catch {
                Console.error("custos: \(error)")
                throw ExitCode(ExitStatus.findings)
            }
            let failures = RuleExampleCheck(engine: engine).run()
            for failure in failures {
                Console.error(failure.description)
            }
            let examples = ruleSet.rules.reduce(0) { $0 + $1.examples.count + $1.negativeExamples.count }
            let failedRules = Set(failures.map(\.ruleID)).count
            let line = "\(ruleSet.count - failedRules) passed, \(failedRules) failed (\(ruleSet.count) rules, \(examples) examples)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
            // The credential vocabulary (rules/vocabulary/) is checked with the built-in rules.
            var vocabularyFailed = false
            if path == nil {
                do {
                    let vocabulary = try VocabularyLoader.builtin()
                    let vocabularyFailures = VocabularyCheck.run(vocabulary)
                    for failure in vocabularyFailures { Console.error(failure.description) }
                    vocabularyFailed = !vocabularyFailures.isEmpty
                    let summary = "vocabulary: \(vocabulary.examples.count - vocabularyFailures.count) of \(vocabulary.examples.count) name examples as written\n"
                    FileHandle.standardOutput.write(Data(summary.utf8))
                } catch {
                    Console.error("custos: \(error)")
                    vocabularyFailed = true
                }
            }
            if !failures.isEmpty || vocabularyFailed { throw ExitCode(ExitStatus.findings) }
        }
    }
}
