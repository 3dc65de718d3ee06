import ArgumentParser
import CustosConfig
import CustosCore
import CustosOwners
import CustosReport
import CustosRules
import CustosScan
import Foundation

extension ReportFormat: ExpressibleByArgument {}

/// Options that say how a command reports, shared by every scanning command.
struct ReportOptions: ParsableArguments {
    @Option(name: .customLong("format"), help: "Report format: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")) (default: the configuration's, else text).")
    var requestedFormat: ReportFormat?

    @Option(name: [.short, .long], help: ArgumentHelp("Write the report to this file instead of standard output (- for standard output). A FIFO, device or symbolic link is written through, never replaced.", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Print whole secrets instead of a prefix and the length.")
    var noRedact = false

    @Option(name: .long, help: ArgumentHelp("Report only findings whose fingerprint is not in this baseline file.", valueName: "file"))
    var baseline: String?

    @Flag(name: [.short, .long], help: "Print nothing on standard error but fatal errors (the report and the exit status still say everything).")
    var quiet = false

    @Flag(name: [.short, .long], help: "Also print what was scanned and skipped on standard error.")
    var verbose = false

    @Flag(name: .long, help: "No colour, even on a terminal (as with NO_COLOR set).")
    var noColor = false

    @Option(name: .long, help: ArgumentHelp("Exit status when findings remain (default 1).", valueName: "n"))
    var exitCode: Int32 = ExitStatus.findings

    @Option(name: .long, help: ArgumentHelp("Exit with --exit-code only when a finding remains with one of these verdicts (\(FailCondition.allValueStrings.joined(separator: ", ")); repeatable; default any).", valueName: "verdict"))
    var failOn: [FailCondition] = []

    func validate() throws {
        guard (0...255).contains(exitCode) else { throw ValidationError("--exit-code takes 0 to 255") }
        if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
    }

    /// Prints a line on standard error unless `--quiet`.
    func note(_ text: String) {
        if !quiet { Console.error(text) }
    }

    /// Prints warnings, drops baselined findings, writes the report, and exits with the status
    /// the result calls for: `incomplete` when part of what was asked went unseen, else
    /// `--exit-code` (1) when findings remain, else 0.
    func deliver(_ result: ScanResult, rules: RuleSet, repository: RepositoryInfo? = nil, roots: [String] = [],
                 config: ScanConfiguration? = nil) throws {
        var result = result
        let format = try format(config)
        if let config {
            let (kept, allowed) = config.allow.apply(to: result.findings, roots: roots)
            result.findings = kept
            result.summary.findings = kept.count
            if verbose && allowed > 0 { note("custos: \(allowed) findings allowed by \(config.source)") }
        }
        if let baseline = baseline ?? config?.baseline {
            let known: Baseline
            do {
                known = try Baseline.load(path: baseline)
            } catch {
                throw fatal("\(error)")
            }
            result.findings.removeAll { known.contains($0.fingerprint) }
            result.summary.findings = result.findings.count
        }
        for warning in result.warnings {
            note("warning: \(warning.path): \(warning.message)")
        }
        if verbose {
            let summary = result.summary
            note("custos: \(summary.filesScanned) files scanned (\(summary.bytesScanned) bytes), \(summary.filesSkippedBinary) binary, \(summary.filesSkippedExcluded) excluded, \(summary.filesSkippedTooLarge) too large; \(summary.rulesLoaded) rules; \(summary.findings) findings; \(summary.warnings) warnings")
        }
        let toTerminal = (output == nil || output == OutputFile.standardOutputName) && isatty(STDOUT_FILENO) == 1
        let useColor = toTerminal && format == .text && !noColor
            && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        var context = ReportContext(rules: rules.reportedRules, display: noRedact ? .whole : .redacted,
                                    toolVersion: Custos.version)
        // GitLab's report needs a commit for every finding; in a pipeline that is CI_COMMIT_SHA.
        context.repository = repository ?? ProcessInfo.processInfo.environment["CI_COMMIT_SHA"].map {
            RepositoryInfo(uri: nil, revision: $0, branch: nil)
        }
        context.roots = roots
        context.finishedAt = Date()
        if let output, output != OutputFile.standardOutputName {
            // A SARIF report over GitHub's limits is several files, output then output-2, …,
            // when output is a file; into a FIFO or device it goes as one document.
            var info = stat()
            let regular = stat(output, &info) != 0 || (info.st_mode & S_IFMT) == S_IFREG
            let documents = regular ? format.files(result, context: context)
                : [format.reporter(color: useColor).render(result, context: context)]
            for (index, report) in documents.enumerated() {
                do {
                    try OutputFile.write(report, to: ReportFileNames.part(index + 1, of: output))
                } catch {
                    throw fatal("cannot write the report: \(error)")
                }
            }
            if format != .text {
                let more = documents.count > 1
                    ? " and \(documents.count - 1) more file\(documents.count == 2 ? "" : "s") from \(ReportFileNames.part(2, of: output)) on" : ""
                note("custos: \(result.summary.findings) findings; report written to \(output)\(more)")
            }
        } else {
            let report = format.reporter(color: useColor).render(result, context: context)
            FileHandle.standardOutput.write(Data(report.utf8))
        }
        let unseen = result.warnings.filter(\.meansIncompleteScan)
        if !unseen.isEmpty {
            Console.error("custos: incomplete: \(unseen.count) part\(unseen.count == 1 ? "" : "s") of what was asked could not be scanned (see the warnings above); exit status \(ExitStatus.incomplete)")
            throw ExitCode(ExitStatus.incomplete)
        }
        // --fail-on picks the findings that count (by verdict); fail_on sets how confident they must be.
        let threshold = config?.failOn ?? .low
        let counted = result.findings.filter { FailCondition.fails($0, on: failOn) }
        if threshold.fails(onAny: counted.map { $0.confidenceOverride ?? rules.rule(withID: $0.ruleID)?.confidence ?? .medium }) {
            throw ExitCode(exitCode)
        }
    }

    /// `--format`, else the configuration's `report: format:`, else text.
    func format(_ config: ScanConfiguration?) throws -> ReportFormat {
        if let requestedFormat { return requestedFormat }
        guard let setting = config?.report else { return .text }
        guard let format = ReportFormat(rawValue: setting.format) else {
            throw fatal("\(setting.unknownFormat(known: ReportFormat.allCases.map(\.rawValue)))")
        }
        return format
    }
}

extension ParsableArguments {
    /// Prints `message` on standard error and returns exit status 2 to throw.
    func fatal(_ message: String) -> ExitCode {
        Console.error("custos: \(message)")
        return ExitCode(ExitStatus.fatal)
    }

    /// Every path must exist (a typo must not turn CI or cron green); `-` is standard input.
    func requireExisting(_ paths: [String], what: String = "path") throws {
        for path in paths where path != "-" {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw fatal("\(what) \(path) cannot be scanned: \(String(cString: strerror(errno))); nothing was scanned")
            }
        }
    }
}
