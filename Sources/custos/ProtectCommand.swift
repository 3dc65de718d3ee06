import ArgumentParser
import CustosCore
import CustosEngine
import CustosReport
import CustosScan
import CustosSources
import Foundation

struct Protect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pre-commit check: report secrets on the lines a commit would add.",
        discussion: "Exit status 1 stops the commit. Use as a git pre-commit hook or through the pre-commit framework (hook id 'custos').")

    @Flag(name: .long, help: "Scan what is staged against HEAD (the only mode for now).")
    var staged = false

    @Option(name: .long, help: ArgumentHelp("The repository (default: the current directory).", valueName: "path"))
    var repository: String = "."

    @OptionGroup var report: ReportOptions
    @OptionGroup var ruleOptions: RuleOptions

    func validate() throws {
        guard staged else { throw ValidationError("say what to protect: --staged") }
    }

    func run() throws {
        let (ruleSet, engine) = try ruleOptions.compile()
        let result: ScanResult
        do {
            result = try stagedChanges(engine: engine)
        } catch {
            throw fatal(error.message)
        }
        try report.deliver(result, rules: ruleSet)
    }

    private func stagedChanges(engine: Engine) throws(GitError) -> ScanResult {
        let opened = try GitRepository(path: repository)
        return try DiffScan(engine: engine, repository: opened, ignore: IgnoreRules()).run(.staged)
    }
}
