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
        @OptionGroup var configOptions: ConfigOptions

        func run() throws {
            try requireExisting(paths)
            let config = try configOptions.load(roots: paths)
            let (_, engine) = try ruleOptions.compile(config: config)
            var ignore = IgnoreRules()
            ignore.add(lines: config?.exclude ?? [])
            var result = DirectoryScan(engine: engine, options: DirectoryScanOptions(walk: WalkOptions(ignore: ignore)))
                .run(roots: paths)
            if let config { result.findings = config.allow.apply(to: result.findings, roots: paths).kept }
            do {
                try OutputFile.write(Baseline.render(result.findings), to: output)
            } catch {
                throw fatal("\(error)")
            }
            Console.error("custos: baseline of \(Set(result.findings.map(\.fingerprint)).count) fingerprints written to \(output)")
        }
    }
}
