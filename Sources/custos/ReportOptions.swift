import ArgumentParser
import CustosCore
import CustosOwners
import CustosReport
import CustosRules
import CustosScan
import Foundation

extension ReportFormat: ExpressibleByArgument {}

/// Options that say how a command reports, shared by every scanning command.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: "Report format: text, json, jsonl or sarif.")
    var format: ReportFormat = .text

    @Option(name: [.short, .long], help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Print whole secrets instead of a prefix and the length.")
    var noRedact = false

    @Option(name: .long, help: ArgumentHelp("Report only findings whose fingerprint is not in this baseline file.", valueName: "file"))
    var baseline: String?

    /// Prints warnings, drops baselined findings, writes the report, and exits 1 when
    /// findings remain.
    func deliver(_ result: ScanResult, rules: RuleSet, repository: RepositoryInfo? = nil) throws {
        var result = result
        if let baseline {
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
            Console.error("warning: \(warning.path): \(warning.message)")
        }
        let useColor = output == nil && format == .text && isatty(STDOUT_FILENO) == 1
            && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        var context = ReportContext(rules: rules.reportedRules, display: noRedact ? .whole : .redacted,
                                    toolVersion: Custos.version)
        context.repository = repository
        let report = format.reporter(color: useColor).render(result, context: context)
        if let output {
            do {
                try report.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw fatal("cannot write the report to \(output): \(error.localizedDescription)")
            }
            if format != .text {
                Console.error("custos: \(result.summary.findings) findings; report written to \(output)")
            }
        } else {
            FileHandle.standardOutput.write(Data(report.utf8))
        }
        if !result.findings.isEmpty { throw ExitCode(ExitStatus.findings) }
    }
}

extension ParsableArguments {
    /// Prints `message` on standard error and returns exit status 2 to throw.
    func fatal(_ message: String) -> ExitCode {
        Console.error("custos: \(message)")
        return ExitCode(ExitStatus.fatal)
    }
}
