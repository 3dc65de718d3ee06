// `custos who`: wiring only — read the question, open the store the user named, load the rules
// (names, confidence, vendor traits; nothing is compiled) and the registry, ask WhoLookup, print
// the Incident as text, JSON, a Markdown playbook or an HTML page.

import ArgumentParser
import CustosCore
import CustosFleet
import CustosOwners
import CustosReport
import CustosRules
import CustosSweep
import Foundation

/// How `custos who` answers.
enum WhoFormat: String, ExpressibleByArgument, CaseIterable {
    /// Text for a person (with --playbook: Markdown).
    case text
    case json
    /// The incident playbook as one self-contained page.
    case html
}

struct Who: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "When a credential leaks: where it is, who owns it, who may revoke it, what breaks, and in what order to act.",
        discussion: """
            Give the secret on standard input (it is hashed, never stored or printed), or --fingerprint, \
            or --finding with an id a report printed. The answer comes from a scan report \
            (custos scan … --format json --output FILE) or a sweep state, and from the owners registry \
            when --owners is given. --playbook writes a Markdown incident playbook: contain, coordinate, \
            revoke, rotate everywhere it is used, verify, record. Exit status: 0 when the secret is \
            known, 1 when neither the store nor the registry knows it, 2 on an error.
            """)

    @Option(name: .long, help: ArgumentHelp("A finding's fingerprint, or the SHA-256 of the secret a registry names (64 hex digits).", valueName: "hex"))
    var fingerprint: String?

    @Option(name: .long, help: ArgumentHelp("A finding id a report printed (F- and ten hex digits).", valueName: "id"))
    var finding: String?

    @Option(name: .long, help: ArgumentHelp("Answer from this scan report (JSON).", valueName: "file.json"))
    var report: String?

    @Option(name: .long, help: ArgumentHelp("Answer from this sweep state.", valueName: "file"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("Answer from the fleet database: every plant that published (libpq URL).", valueName: "postgresql://…"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("The owners registry to attribute with (default: what the report or state recorded).", valueName: "file"))
    var owners: String?

    @Option(name: .long, help: "Answer as text for a person, JSON for automation, or the playbook as a self-contained HTML page.")
    var format: WhoFormat = .text

    @Flag(name: .long, help: "Write the Markdown incident playbook instead.")
    var playbook = false

    @Option(name: [.short, .long], help: ArgumentHelp("Write the answer to this file (default: standard output).", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Judge no governance verdicts.")
    var noGovernance = false

    @OptionGroup var ruleOptions: RuleOptions

    func validate() throws {
        if fingerprint != nil && finding != nil { throw ValidationError("--fingerprint and --finding exclude each other") }
        switch [report, state, db].compactMap({ $0 }).count {
        case 0: throw ValidationError("say where findings are recorded: --report FILE.json (a scan report), --state FILE (a sweep state) or --db URL (the fleet database)")
        case 1: break
        default: throw ValidationError("--report, --state and --db exclude each other")
        }
        if playbook && format == .json { throw ValidationError("--playbook writes Markdown: drop --format json") }
    }

    func run() throws {
        let query = try readQuery()
        let store: any FindingRecordStore
        var fleet: FleetDatabase?
        defer {
            // PostgresNIO wants its connection closed before it goes.
            if let fleet { _ = try? BlockingCall.run { await fleet.close() } }
        }
        do {
            if let report {
                store = try ScanReportRecords(path: report)
            } else if let db {
                let address = try FleetDatabaseAddress(url: db)
                let database = try BlockingCall.run { try await FleetDatabase.open(address) }
                fleet = database
                store = FleetRecordStore(database: database)
            } else {
                store = try SweepState.openForReading(path: state!)
            }
        } catch {
            throw fatal("\(error)")
        }
        let rules: RuleSet
        do {
            rules = try ruleOptions.loadRuleSet()
        } catch {
            throw fatal("cannot load rules: \(error)")
        }
        let catalog = RuleCatalog(rules.reportedRules)
        var resolver: OwnershipResolver?
        if let owners {
            do {
                resolver = OwnershipResolver(registry: try OwnersRegistryLoader.load(path: owners), roots: [])
            } catch {
                throw fatal("\(error)")
            }
        }
        let lookup = WhoLookup(store: store, judge: GovernanceJudge(vendorRuleIDs: rules.vendorRuleIDs), resolver: resolver,
                               governance: !noGovernance, confidence: { catalog[$0]?.confidence })
        let answer: WhoLookup.Answer
        do {
            answer = try lookup.answer(query)
        } catch {
            throw fatal("\(error)")
        }
        let incident = Incident(question: query.description, store: store.location, records: answer.records,
                                registered: answer.registered, rules: catalog)
        let text = switch format {
        case .html: incident.report.html()
        case .json: incident.json()
        case .text: playbook ? incident.markdown() : incident.text()
        }
        if let output, output != OutputFile.standardOutputName {
            do {
                try OutputFile.write(text, to: output)
            } catch {
                throw fatal("cannot write the answer: \(error)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if !incident.found { throw ExitCode(ExitStatus.findings) }
    }

    /// The fingerprint or finding id given, else the secret on standard input.
    private func readQuery() throws -> WhoQuery {
        if let fingerprint { return .fingerprint(fingerprint) }
        if let finding { return .findingID(finding) }
        if isatty(STDIN_FILENO) == 1 {
            Console.error("custos who: paste the secret, then press Ctrl-D (it is hashed, never stored or printed)")
        }
        var data = FileHandle.standardInput.readDataToEndOfFile()
        while let last = data.last, last == 0x0a || last == 0x0d { data.removeLast() }
        guard !data.isEmpty else {
            throw fatal("no secret on standard input: pipe it in (printf '%s' \"$SECRET\" | custos who …), or give --fingerprint or --finding")
        }
        return .secret(String(decoding: data, as: UTF8.self))
    }
}
