import ArgumentParser
import CustosCore
import CustosEngine
import CustosReport
import CustosRules
import CustosScan
import CustosSources
import Foundation

extension ReportFormat: ExpressibleByArgument {}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan files and directory trees for secrets.")

    @Argument(help: ArgumentHelp("Files or folders to scan.", valueName: "path"))
    var paths: [String]

    @Option(name: .long, help: "Report format: text, json, jsonl or sarif.")
    var format: ReportFormat = .text

    @Option(name: [.short, .long], help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @OptionGroup var ruleOptions: RuleOptions

    @Option(name: .long, help: "Worker threads (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Print whole secrets instead of a prefix and the length.")
    var noRedact = false

    @Option(name: .long, help: ArgumentHelp("Leave out paths matching this gitignore-style glob (repeatable).", valueName: "glob"))
    var exclude: [String] = []

    @Flag(name: .long, help: "Scan what the default excludes leave out (VCS folders, lockfiles, minified and media files).")
    var noDefaultExcludes = false

    @Flag(name: .long, help: "Follow symbolic links (each folder is still visited once).")
    var followSymlinks = false

    @Option(name: .long, help: ArgumentHelp("Skip files larger than this many megabytes (0: no limit).", valueName: "MB"))
    var maxFileSize: Int = 0

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard maxFileSize >= 0 else { throw ValidationError("--max-file-size cannot be negative") }
    }

    func run() throws {
        let ruleSet: RuleSet
        do {
            ruleSet = try ruleOptions.loadRuleSet()
        } catch {
            throw fatal("cannot load rules: \(error)")
        }
        let engine: Engine
        do {
            engine = try Engine(ruleSet: ruleSet)
        } catch {
            throw fatal("cannot compile rules: \(error)")
        }
        var ignore = IgnoreRules(includeDefaults: !noDefaultExcludes)
        for path in paths {
            do {
                try ignore.add(fileAt: (path as NSString).appendingPathComponent(".custosignore"))
            } catch {
                Console.error("warning: \(path)/.custosignore: cannot read: \(error.localizedDescription)")
            }
        }
        ignore.add(lines: exclude)
        let options = DirectoryScanOptions(
            threads: threads,
            walk: WalkOptions(followSymlinks: followSymlinks, ignore: ignore),
            maxFileSize: maxFileSize * 1_048_576)
        let result = DirectoryScan(engine: engine, options: options).run(roots: paths)
        for warning in result.warnings {
            Console.error("warning: \(warning.path): \(warning.message)")
        }
        let useColor = output == nil && format == .text && isatty(STDOUT_FILENO) == 1
            && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        let context = ReportContext(rules: ruleSet.rules, display: noRedact ? .whole : .redacted,
                                    toolVersion: Custos.version)
        let report = format.reporter(color: useColor).render(result, context: context)
        if let output {
            do {
                try report.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw fatal("cannot write the report to \(output): \(error.localizedDescription)")
            }
            if format != .text {
                Console.error("custos: \(result.summary.findings) findings, \(result.summary.filesScanned) files scanned; report written to \(output)")
            }
        } else {
            FileHandle.standardOutput.write(Data(report.utf8))
        }
        if !result.findings.isEmpty { throw ExitCode(ExitStatus.findings) }
    }
}
