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

    @Flag(name: .long, help: "Scan what the default excludes leave out (VCS folders, lockfiles, minified and media files).")
    var noDefaultExcludes = false

    @Flag(name: .long, help: "Follow symbolic links (each folder is still visited once).")
    var followSymlinks = false

    @Option(name: .long, help: ArgumentHelp("Skip files larger than this many megabytes (0: no limit).", valueName: "MB"))
    var maxFileSize: Int = 0

    func validate() throws {
        guard maxFileSize >= 0 else { throw ValidationError("--max-file-size cannot be negative") }
    }

    func run() throws {
        let (ruleSet, engine) = try ruleOptions.compile()
        // `.custosignore` files, at the roots and below, are read by the walker.
        var ignore = IgnoreRules(includeDefaults: !noDefaultExcludes)
        ignore.add(lines: tuning.exclude)
        let options = DirectoryScanOptions(
            threads: tuning.threads,
            walk: WalkOptions(followSymlinks: followSymlinks, ignore: ignore),
            maxFileSize: maxFileSize * 1_048_576)
        let result = DirectoryScan(engine: engine, options: options).run(roots: paths)
        try report.deliver(ownersOptions.apply(to: result, roots: paths, rules: ruleSet), rules: ruleSet)
    }
}
