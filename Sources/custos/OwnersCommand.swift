import ArgumentParser
import CustosCore
import CustosOwners
import Foundation

struct Owners: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the owners registry and fingerprint secrets for it.",
        subcommands: [Check.self, FingerprintSecret.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate an owners registry: unknown fields, duplicate ids, escalation contacts that point nowhere, past expiry dates.")

        @Argument(help: ArgumentHelp("The registry file.", valueName: "file"))
        var file: String = ".custos/owners.yaml"

        func run() throws {
            let registry: OwnersRegistry
            do {
                registry = try OwnersRegistryLoader.load(path: file)
            } catch {
                Console.error("custos: \(error)")
                throw ExitCode(ExitStatus.findings)
            }
            let problems = OwnersRegistryCheck.problems(in: registry)
            problems.forEach { Console.error($0) }
            print("\(registry.identities.count) identities, \(registry.contacts.count) contacts, \(registry.sites.count) sites; \(problems.count) problem\(problems.count == 1 ? "" : "s")")
            if !problems.isEmpty { throw ExitCode(ExitStatus.findings) }
        }
    }

    struct FingerprintSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fingerprint",
            abstract: "Read a secret on standard input and print the fingerprint to put in the registry.",
            discussion: "The secret never leaves this machine: only its SHA-256 goes into owners.yaml. A trailing newline is ignored.")

        @Option(name: .long, help: "Also print the finding fingerprint for this rule id (rule and secret).")
        var rule: String?

        func run() throws {
            var data = FileHandle.standardInput.readDataToEndOfFile()
            while let last = data.last, last == 0x0a || last == 0x0d { data.removeLast() }
            guard !data.isEmpty else { throw fatal("no secret on standard input") }
            let secret = String(decoding: data, as: UTF8.self)
            print(Fingerprint.plainSHA256(secret))
            if let rule { print(Fingerprint(ruleID: rule, secret: data).hex) }
        }
    }
}
