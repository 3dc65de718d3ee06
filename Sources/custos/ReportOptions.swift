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
    @Option(name: .long, help: "Report format: text, json, jsonl, sarif, gitlab (secret detection), codequality (GitLab Code Quality), junit or csv.")
    var format: ReportFormat = .text

    @Option(name: [.short, .long], help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Print whole secrets instead of a prefix and the length.")
    var noRedact = false

    @Option(name: .long, help: ArgumentHelp("Report only findings whose fingerprint is not in this baseline file.", valueName: "file"))
    var baseline: String?

    /// Prints warnings, drops baselined findings, writes the report, and exits 1 when
    /// findings remain.
    func deliver(_ result: ScanResult, rules: RuleSet, repository: RepositoryInfo? = nil, roots: [String] = []) throws {
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
        // GitLab's report needs a commit for every finding; in a pipeline that is CI_COMMIT_SHA.
        context.repository = repository ?? ProcessInfo.processInfo.environment["CI_COMMIT_SHA"].map {
            RepositoryInfo(uri: nil, revision: $0, branch: nil)
        }
        context.roots = roots
        context.finishedAt = Date()
        if let output {
            // A SARIF report over GitHub's limits is several files: output, then output-2, …
            let documents = format.files(result, context: context)
            for (index, report) in documents.enumerated() {
                let path = ReportFileNames.part(index + 1, of: output)
                do {
                    try report.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    throw fatal("cannot write the report to \(path): \(error.localizedDescription)")
                }
            }
            if format != .text {
                let more = documents.count > 1 ? " and \(documents.count - 1) more file\(documents.count == 2 ? "" : "s") from \(ReportFileNames.part(2, of: output)) on" : ""
                Console.error("custos: \(result.summary.findings) findings; report written to \(output)\(more)")
            }
        } else {
            let report = format.reporter(color: useColor).render(result, context: context)
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
