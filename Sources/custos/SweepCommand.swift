import ArgumentParser
import CustosCore
import CustosEngine
import CustosFleet
import CustosOwners
import CustosReport
import CustosSources
import CustosSweep
import Foundation

/// When a sweep exits 1: new (or reopened) findings, any open finding, never, or an open
/// finding with a governance verdict.
enum FailOn: Hashable, ExpressibleByArgument {
    case new, open, never
    case verdict(GovernanceVerdict)

    init?(argument: String) {
        switch argument {
        case "new": self = .new
        case "open": self = .open
        case "never": self = .never
        default:
            guard let verdict = GovernanceVerdict(rawValue: argument) else { return nil }
            self = .verdict(verdict)
        }
    }

    static var allValueStrings: [String] { ["new", "open", "never"] + GovernanceVerdict.allCases.map(\.rawValue) }
}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweep shares incrementally: read only what changed, track each finding from new to resolved.",
        discussion: """
            The state (SQLite) records every file and finding. Unchanged files are not read; an \
            interrupted sweep is resumed by running the same command again. Exit status: 1 when \
            --fail-on finds new (default) or open findings, 0 otherwise, 2 on a fatal error.
            """)

    @Argument(help: ArgumentHelp("Folders (shares) to sweep.", valueName: "root"))
    var roots: [String]

    @Option(name: .long, help: ArgumentHelp("The state file (created when missing). Keep it outside the swept folders. Not with --queue.", valueName: "file"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("Also write sweep-report.html and sweep-report.md into this folder.", valueName: "dir"))
    var report: String?

    @Option(name: .long, help: "Exit 1 when this sweep found new (or reopened) findings, when any finding is open, never, or when an open finding has this verdict (unowned, expired, break-glass, …).")
    var failOn: FailOn = .new

    @Option(name: .long, help: ArgumentHelp("Seconds between progress lines when standard error is not a terminal.", valueName: "seconds"))
    var logInterval: Double = 60

    @Option(name: .long, help: ArgumentHelp("Files committed to the state per transaction (an interruption loses at most this many).", valueName: "n"))
    var batchSize: Int = 1000

    @Option(name: .long, help: ArgumentHelp("After the sweep, publish the state to this fleet database as the plant --site NAME (libpq URL; PGPASSWORD and ~/.pgpass are read; sslmode defaults to verify-full). Never a secret: fingerprints, hashes and redacted forms.", valueName: "postgresql://…"))
    var publish: String?

    @OptionGroup var queueOptions: QueueOptions

    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var ownersOptions: OwnersOptions
    @OptionGroup var tuning: ScanTuning

    @OptionGroup var walk: WalkFlags
    @OptionGroup var configOptions: ConfigOptions

    func validate() throws {
        if queueOptions.queue != nil {
            try queueOptions.validate(roots: roots, state: state, publish: publish, report: report, failOn: failOn,
                                      site: try ownersOptions.plantName())
        } else if state == nil {
            throw ValidationError("a sweep keeps its state in a file: add --state FILE (or sweep through --queue postgresql://…)")
        }
        if publish != nil, try ownersOptions.plantName() == nil {
            throw ValidationError("--publish needs the plant's name: add --site NAME")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard logInterval > 0 else { throw ValidationError("--log-interval must be positive") }
        for (option, path) in [("--state", state), ("--report", report)] {
            guard let path else { continue }
            if let root = roots.first(where: { SweepRoots.lies(path, inside: $0) }) {
                throw ValidationError("\(option) \(path) lies inside the swept folder \(root): custos never writes into a tree it sweeps; put it elsewhere")
            }
        }
    }

    func run() throws {
        try requireExisting(roots, what: "root")
        // A wrong address is said before hours of sweeping, not after.
        let fleetAddress = try publish.map { url throws(ExitCode) in
            do {
                return try FleetDatabaseAddress(url: url)
            } catch {
                throw fatal("\(error)")
            }
        }
        let config = try configOptions.load(roots: roots)
        let (ruleSet, engine) = try ruleOptions.compile(config: config)
        let normalized = roots.map(SweepRoots.normalize)
        let registryPath = ownersOptions.owners
            ?? normalized.first.map { PathText.join($0, ".custos/owners.yaml") }
        let attribution = SweepAttribution(registry: try ownersOptions.registry(roots: normalized),
                                           registryPath: registryPath, roots: normalized, sites: try ownersOptions.sites(roots: normalized))
        let terminal = isatty(STDERR_FILENO) == 1
        var options = SweepOptions(threads: tuning.requestedThreads ?? SweepOptions.defaultThreads,
                                   walk: walk.walkOptions(exclude: tuning.exclude, config: config),
                                   maxFileSize: walk.maxFileBytes, batchSize: batchSize,
                                   progressInterval: terminal ? 0.5 : logInterval)
        if let allow = config?.allow {
            let sweptRoots = normalized
            options.findingFilter = { allow.apply(to: $0, roots: sweptRoots).kept }
        }
        if let url = queueOptions.queue, let site = try ownersOptions.plantName() {
            try runQueued(url: url, site: site, root: normalized[0], engine: engine, options: options, attribution: attribution)
            return
        }
        guard let state else { throw fatal("no --state") }
        let opened: SweepState
        do {
            opened = try SweepState.openForSweep(path: state)
        } catch {
            throw fatal("\(error)")
        }
        let sweep = Sweep(state: opened, engine: engine, roots: normalized, options: options, attribution: attribution)
        let outcome: SweepOutcome
        do {
            outcome = try sweep.run { progress in
                if terminal {
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + progress.line).utf8))
                } else {
                    Console.error("custos sweep: " + progress.line)
                }
            }
        } catch {
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            throw fatal("\(error)")
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }

        let history: SweepHistory
        do {
            history = try SweepHistory.load(from: opened)
        } catch {
            throw fatal("\(error)")
        }
        for problem in history.problems {
            Console.error("warning: \(problem.path): \(problem.message)")
        }
        print(SweepSummaryText.render(outcome, history: history, stateBytes: opened.bytesOnDisk))
        let people = SweepReport(history, governance: !ownersOptions.noGovernance,
                                 judge: GovernanceJudge(vendorRuleIDs: ruleSet.vendorRuleIDs), rules: RuleCatalog(ruleSet.reportedRules))
        if let report {
            do {
                let written = try people.write(toDirectory: report)
                Console.error("custos: report written to \(written.joined(separator: " and "))")
            } catch {
                throw fatal("cannot write the report into \(report): \(error.localizedDescription)")
            }
        }
        if let fleetAddress, let site = try ownersOptions.plantName() {
            do {
                let outcome = try FleetPublishing.publish(state: opened, site: site, to: fleetAddress)
                Console.error("custos: published \(outcome.summary) to \(fleetAddress.description)")
            } catch {
                Console.error("""
                    custos: the sweep is complete and kept in \(state), but publishing it failed: \(error)
                    custos: nothing was half-written; the next sweep with --publish (or `custos fleet publish`) sends it
                    """)
                throw ExitCode(ExitStatus.incomplete)
            }
        }
        switch failOn {
        case .new where outcome.new + outcome.reopened > 0, .open where outcome.open > 0:
            throw ExitCode(ExitStatus.findings)
        case let .verdict(verdict) where people.records.contains(where: { $0.verdicts.contains(verdict) }):
            throw ExitCode(ExitStatus.findings)
        default:
            return
        }
    }

    /// One worker of a sharded sweep (`--queue`): the run's outcome decides the exit status,
    /// the same on every worker.
    private func runQueued(url: String, site: String, root: String, engine: Engine, options: SweepOptions,
                           attribution: SweepAttribution) throws {
        let queue: ShareQueue
        let address: FleetDatabaseAddress
        do {
            address = try FleetDatabaseAddress(url: url)
            queue = try ShareQueue(site: site, root: root, worker: queueOptions.workerName, leaseSeconds: queueOptions.lease)
        } catch {
            throw fatal("\(error)")
        }
        let runner = QueueSweepRunner(queue: queue, address: address, runName: queueOptions.run) { scope, state in
            var options = options
            options.walk.scope = scope
            return Sweep(state: state, engine: engine, roots: [root], options: options, attribution: attribution)
        }
        let outcome: QueueOutcome
        do {
            outcome = try runner.run()
        } catch {
            throw fatal("\(error)")
        }
        print("sweep \(outcome.run): \(outcome.new) new, \(outcome.open) open, \(outcome.resolved) resolved, \(outcome.reopened) reopened")
        print("files: \(outcome.filesSeen) seen, \(outcome.filesScanned) scanned; \(outcome.errors) errors; site \(site) in \(address.description)")
        switch failOn {
        case .new where outcome.new + outcome.reopened > 0, .open where outcome.open > 0:
            throw ExitCode(ExitStatus.findings)
        default:
            return
        }
    }
}

/// A share swept by many workers through the fleet database.
struct QueueOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Sweep the share with other workers through this fleet database: parts are claimed under a lease, the results land in the site's findings (needs --site NAME, one root mounted at the same path on every worker, no --state).", valueName: "postgresql://…"))
    var queue: String?

    @Option(name: .long, help: ArgumentHelp("This worker's name in the queue (default: host name and process id).", valueName: "id"))
    var workerID: String?

    @Option(name: .long, help: ArgumentHelp("Workers started with the same run name share one run (a Job's name); without it a worker joins the site's unfinished run or starts one.", valueName: "name"))
    var run: String?

    @Option(name: .long, help: ArgumentHelp("Seconds a claimed part is held without renewal; a dead worker's part is taken over after this (default 120).", valueName: "seconds"))
    var lease: Int = 120

    var workerName: String {
        workerID ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    }

    func validate(roots: [String], state: String?, publish: String?, report: String?, failOn: FailOn, site: String?) throws {
        guard roots.count == 1 else { throw ValidationError("--queue sweeps one share: give exactly one root") }
        guard site != nil else { throw ValidationError("--queue needs the site's name: add --site NAME") }
        guard state == nil else { throw ValidationError("--queue keeps the sweep in the fleet database: drop --state") }
        guard publish == nil else { throw ValidationError("--queue already writes to the fleet database: drop --publish") }
        guard report == nil else { throw ValidationError("--report is not available with --queue: use `custos fleet report --db …`") }
        if case .verdict = failOn { throw ValidationError("--fail-on VERDICT is not available with --queue: use new, open or never") }
        guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
    }
}
