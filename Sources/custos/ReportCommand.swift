import ArgumentParser
import CustosCore
import CustosOwners
import CustosReport
import CustosRules
import CustosScan
import CustosSources
import CustosSweep
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan and write a report for people: one section per owner, as Markdown and HTML.",
        discussion: "With --state, the report is made from a sweep state instead: open findings per owner, the summary figures and a chart of the sweeps.")

    @Argument(help: ArgumentHelp("Files or folders to scan.", valueName: "path"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("Report from this sweep state (custos sweep --state) instead of scanning.", valueName: "file"))
    var state: String?

    @Flag(name: .long, help: "One section per owner, the most urgent first, with identities, verdicts, shared credentials, the authority gap and revocation steps.")
    var byOwner = false

    @Option(name: .long, help: ArgumentHelp("Folder to write owners.md and owners.html into.", valueName: "dir"))
    var outputDir: String = "custos-report"

    @Option(name: .long, help: ArgumentHelp("Leave out findings whose fingerprint is in this baseline file.", valueName: "file"))
    var baseline: String?

    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var ownersOptions: OwnersOptions

    func validate() throws {
        if state != nil {
            guard paths.isEmpty else { throw ValidationError("--state reports from the state: give no paths") }
            return
        }
        guard byOwner else { throw ValidationError("say which report: --by-owner, or --state FILE") }
        guard !paths.isEmpty else { throw ValidationError("give the files or folders to scan") }
    }

    func run() throws {
        if let state { return try reportFromState(state) }
        try requireExisting(paths)
        let (ruleSet, engine) = try ruleOptions.compile()
        let scanned = DirectoryScan(engine: engine, options: DirectoryScanOptions()).run(roots: paths)
        var result = try ownersOptions.apply(to: scanned, roots: paths, rules: ruleSet)
        if let baseline {
            do {
                let known = try Baseline.load(path: baseline)
                result.findings.removeAll { known.contains($0.fingerprint) }
            } catch {
                throw fatal("\(error)")
            }
        }
        let context = ReportContext(rules: ruleSet.reportedRules, display: .redacted, toolVersion: Custos.version)
        let report = OwnerReport(result, context: context)
        do {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            try report.markdown().write(toFile: PathText.join(outputDir, "owners.md"), atomically: true, encoding: .utf8)
            try report.html().write(toFile: PathText.join(outputDir, "owners.html"), atomically: true, encoding: .utf8)
        } catch {
            throw fatal("cannot write the report into \(outputDir): \(error.localizedDescription)")
        }
        Console.error("custos: \(report.sections.count) owner sections written to \(outputDir)/owners.md and owners.html")
        if !result.findings.isEmpty { throw ExitCode(ExitStatus.findings) }
    }

    /// `--state`: the sweep report, from the state alone (no file is read).
    private func reportFromState(_ path: String) throws {
        let history: SweepHistory
        do {
            history = try SweepHistory.load(from: SweepState.openForReading(path: path))
        } catch {
            throw fatal("\(error)")
        }
        let rules: RuleSet
        do {
            rules = try ruleOptions.loadRuleSet()
        } catch {
            throw fatal("cannot load rules: \(error)")
        }
        let report = SweepReport(history, governance: !ownersOptions.noGovernance,
                                 judge: GovernanceJudge(vendorRuleIDs: rules.vendorRuleIDs), rules: RuleCatalog(rules.reportedRules))
        do {
            let written = try report.write(toDirectory: outputDir)
            Console.error("custos: \(report.sections.count) owner sections written to \(written.joined(separator: " and "))")
        } catch {
            throw fatal("cannot write the report into \(outputDir): \(error.localizedDescription)")
        }
        if !history.openFindings.isEmpty { throw ExitCode(ExitStatus.findings) }
    }
}
