import ArgumentParser
import CustosCore
import CustosReport
import CustosScan
import CustosSources
import Foundation

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Record today's findings so later scans with --baseline report only new ones.",
        subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan paths and write the fingerprints of every finding (no secrets) to a baseline file.")

        @Argument(help: ArgumentHelp("Files or folders to scan.", valueName: "path"))
        var paths: [String] = ["."]

        @Option(name: [.short, .long], help: ArgumentHelp("Where to write the baseline.", valueName: "file"))
        var output: String = ".custos-baseline.json"

        @OptionGroup var ruleOptions: RuleOptions

        func run() throws {
            try requireExisting(paths)
            let (_, engine) = try ruleOptions.compile()
            let result = DirectoryScan(engine: engine, options: DirectoryScanOptions(walk: WalkOptions(ignore: IgnoreRules())))
                .run(roots: paths)
            do {
                try OutputFile.write(Baseline.render(result.findings), to: output)
            } catch {
                throw fatal("\(error)")
            }
            Console.error("custos: baseline of \(Set(result.findings.map(\.fingerprint)).count) fingerprints written to \(output)")
        }
    }
}
