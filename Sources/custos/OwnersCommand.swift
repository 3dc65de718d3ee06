import ArgumentParser
import CustosCore
import CustosOwners
import CustosReport
import CustosRules
import CustosScan
import Foundation

struct Owners: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the owners registry, import one from an inventory, and fingerprint secrets for it.",
        subcommands: [Check.self, Import.self, FingerprintSecret.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate an owners registry: unknown fields, duplicate ids, contacts that point nowhere, past dates, selectors that can never match, rules that do not exist.")

        @Argument(help: ArgumentHelp("The registry file.", valueName: "file"))
        var file: String = ".custos/owners.yaml"

        @OptionGroup var ruleOptions: RuleOptions

        func run() throws {
            let registry: OwnersRegistry
            do {
                registry = try OwnersRegistryLoader.load(path: file)
            } catch {
                Console.error("custos: \(error)")
                throw ExitCode(ExitStatus.findings)
            }
            let ruleIDs: Set<String>
            do {
                ruleIDs = Set(try ruleOptions.loadRuleSet().rules.map(\.id) + NodeRedAnalysis.rules.map(\.id))
            } catch {
                throw fatal("cannot load rules to check match.rules against: \(error)")
            }
            let problems = OwnersRegistryCheck.problems(in: registry, ruleIDs: ruleIDs)
            problems.forEach { Console.error($0) }
            print("\(registry.identities.count) identities, \(registry.contacts.count) contacts, \(registry.sites.count) sites; \(problems.count) problem\(problems.count == 1 ? "" : "s")")
            if !problems.isEmpty { throw ExitCode(ExitStatus.findings) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn a service-account inventory (a spreadsheet saved as CSV) into an owners registry.",
            discussion: """
                Columns are recognised by their header (owner, account, kind, expires, site, vendor, \
                revoker, …); --map FIELD=COLUMN names any other. People cells such as \
                'Jane Roe <+49 30 5550 1000>' become contacts. Rows that cannot be read are warnings; \
                the file written always loads. Fields: \(InventoryField.allCases.map(\.rawValue).joined(separator: ", ")).
                """)

        @Argument(help: ArgumentHelp("The inventory, as CSV (comma, semicolon or tab separated).", valueName: "inventory.csv"))
        var inventory: String

        @Option(name: .long, help: ArgumentHelp("Which column fills which registry field (repeatable).", valueName: "field=column"))
        var map: [String] = []

        @Option(name: .long, help: "The kind of rows whose kind column is empty or missing.")
        var defaultKind: String = IdentityKind.serviceAccount.rawValue

        @Option(name: [.short, .long], help: ArgumentHelp("Write the registry here (default: standard output).", valueName: "file"))
        var output: String?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: inventory) else {
                throw fatal("cannot read the inventory \(inventory)")
            }
            guard let kind = IdentityKind(rawValue: defaultKind) else {
                throw fatal("--default-kind must be one of \(IdentityKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var mapping = InventoryMapping(defaultKind: kind)
            let imported: InventoryImport
            do {
                for entry in map { try mapping.add(entry) }
                // Spreadsheets export UTF-8 or Windows-1252: take what decodes.
                let text = String(data: data, encoding: .utf8) ?? String(decoding: data, as: UTF8.self)
                imported = try InventoryImport.run(csv: text, mapping: mapping, source: inventory)
            } catch {
                throw fatal("\(error)")
            }
            imported.warnings.forEach { Console.error("warning: \($0)") }
            if let output, output != OutputFile.standardOutputName {
                do {
                    try OutputFile.write(imported.yaml, to: output)
                } catch {
                    throw fatal("cannot write the registry: \(error)")
                }
                Console.error("custos: \(imported.identities) identities and \(imported.contacts) contacts written to \(output); check it with custos owners check \(output)")
            } else {
                FileHandle.standardOutput.write(Data(imported.yaml.utf8))
            }
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
