// `custos fleet`: wiring only — publish a sweep state to the fleet database, and report on
// every plant from it. The work lives in CustosFleet.

import ArgumentParser
import CustosCore
import CustosFleet
import CustosReport
import CustosSweep
import Foundation

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Every plant's sweeps in one PostgreSQL database: publish a state, report across plants.",
        discussion: """
            The database URL follows libpq: postgresql://user@host:5432/database?sslmode=verify-full; \
            PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT and the password \
            file (PGPASSFILE or ~/.pgpass) fill what the URL leaves out. custos creates and migrates its \
            schema (custos.*) on first use. Nothing secret is written: fingerprints, SHA-256 hashes and \
            redacted forms only.
            """,
        subcommands: [FleetPublish.self, FleetReportCommand.self])
}

/// How `custos fleet report` writes.
extension FleetReportFormat: ExpressibleByArgument {}

struct FleetPublish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish a sweep state as one plant (idempotent; sends whatever earlier publishes could not).")

    @Option(name: .long, help: ArgumentHelp("The sweep state to publish.", valueName: "file"))
    var state: String

    @Option(name: .long, help: ArgumentHelp("The plant's name in the fleet.", valueName: "name"))
    var site: String

    @Option(name: .long, help: ArgumentHelp("The fleet database (libpq URL).", valueName: "postgresql://…"))
    var db: String

    func run() throws {
        do {
            let address = try FleetDatabaseAddress(url: db)
            let opened = try SweepState.openForReading(path: state)
            let outcome = try FleetPublishing.publish(state: opened, site: site, to: address)
            print("custos: published \(outcome.summary) to \(address.description)")
        } catch {
            throw fatal("\(error)")
        }
    }
}

struct FleetReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Credentials shared across plants, the authority gap per plant, the fleet over time, the oldest open findings.",
        discussion: "Exit status: 0, or 1 with --fail-on-shared when a credential is open at two or more plants; 2 on an error.")

    @Option(name: .long, help: ArgumentHelp("The fleet database (libpq URL).", valueName: "postgresql://…"))
    var db: String

    @Option(name: .long, help: "html, markdown or json.")
    var format: FleetReportFormat = .markdown

    @Option(name: [.short, .long], help: ArgumentHelp("Write the report to this file (default: standard output).", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Exit 1 when a credential is open at two or more plants.")
    var failOnShared = false

    func run() throws {
        let report: FleetReport
        do {
            let address = try FleetDatabaseAddress(url: db)
            report = try BlockingCall.run {
                try await FleetDatabase.using(address) { database in try await FleetReport.load(from: database) }
            }
        } catch {
            throw fatal("\(error)")
        }
        let text = report.rendered(format)
        if let output, output != OutputFile.standardOutputName {
            do {
                try OutputFile.write(text, to: output)
            } catch {
                throw fatal("cannot write the report: \(error)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if failOnShared && !report.shared.isEmpty { throw ExitCode(ExitStatus.findings) }
    }
}
