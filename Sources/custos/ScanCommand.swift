import ArgumentParser
import CustosCore
import CustosEngine
import CustosReport
import CustosRules
import CustosScan
import CustosSources
import Foundation

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan files and directory trees for secrets.")

    @Argument(help: ArgumentHelp("Files or folders to scan; - reads standard input.", valueName: "path"))
    var paths: [String]

    @OptionGroup var report: ReportOptions

    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var ownersOptions: OwnersOptions

    @OptionGroup var tuning: ScanTuning

    @OptionGroup var walk: WalkFlags
    @OptionGroup var configOptions: ConfigOptions

    func run() throws {
        try requireExisting(paths)
        let config = try configOptions.load(roots: paths)
        let (ruleSet, engine) = try ruleOptions.compile(config: config)
        let options = DirectoryScanOptions(threads: tuning.threads, walk: walk.walkOptions(exclude: tuning.exclude, config: config),
                                           maxFileSize: walk.maxFileBytes)
        let result = DirectoryScan(engine: engine, options: options).run(roots: paths)
        try report.deliver(ownersOptions.apply(to: result, roots: paths, rules: ruleSet), rules: ruleSet, roots: paths.filter { $0 != "-" }, config: config)
    }
}
