// `custos config import`: wiring only. Reads the sources, imports them with CustosConfig,
// checks every converted rule with the engine, and writes the files it was asked for (never
// over an existing one without --force).

import CustosCore
import ArgumentParser
import CustosBuiltinRules
import CustosConfig
import CustosEngine
import CustosReport
import CustosRules
import Foundation

/// `custos config`: the configuration file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the configuration file (.custos.yaml).",
        subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a .custos.yaml from gitleaks's and detect-secrets' files.",
            discussion: """
                Reads .gitleaks.toml (rules and allowlists), .gitleaksignore (allowed places) and \
                .secrets.baseline (hashed secrets and exclude filters): the files named with --from, \
                else those in the current folder. Converted gitleaks rules go to \
                \(ConfigImport.rulesFileName) beside the output, referenced from it. Prints what was \
                imported, what changed meaning and what was not imported. Never replaces an existing \
                file without --force.
                """)

        @Option(name: .long, help: ArgumentHelp("A file to import (repeatable; default: \(ConfigImport.defaultSources.joined(separator: ", ")) in the current folder).", valueName: "path"))
        var from: [String] = []

        @Option(name: [.short, .long], help: ArgumentHelp("Where to write the configuration ('-': standard output).", valueName: "file"))
        var output = ScanConfiguration.fileNames[0]

        @Flag(name: .long, help: "Replace the output files if they exist.")
        var force = false

        func run() throws {
            let sources = from.isEmpty ? ConfigImport.defaultSources.filter { FileManager.default.fileExists(atPath: $0) } : from
            guard !sources.isEmpty else {
                throw fatal("nothing to import: no \(ConfigImport.defaultSources.joined(separator: ", ")) in the current folder; name files with --from")
            }
            for source in sources where !FileManager.default.fileExists(atPath: source) {
                throw fatal("\(source): no such file")
            }
            let folder = output == OutputFile.standardOutputName ? "" : PathText.folder(of: output)
            let rulesPath = PathText.join(folder, ConfigImport.rulesFileName)

            var importer = ConfigImport(reservedRuleIDs: Set(((try? RuleLoader.builtin()) ?? []).map(\.id)),
                                        ruleCheck: Self.compiles)
            for source in sources {
                do {
                    try importer.add(path: source) { try? String(contentsOfFile: $0, encoding: .utf8) }
                } catch {
                    throw fatal("cannot import: \(error)")
                }
            }
            let result = importer.result()
            guard !result.isEmpty else {
                report(result, wrote: [])
                throw fatal("nothing in \(sources.joined(separator: ", ")) could be imported; no file written")
            }
            // What is written must load: a failure here is a bug in the importer, not in the input.
            do {
                _ = try ScanConfiguration.parse(yaml: result.configuration, source: output, directory: folder)
                if let rules = result.rules { _ = try RuleLoader.parse(yaml: rules, source: rulesPath) }
            } catch {
                throw fatal("internal error: the imported configuration does not load (\(error)); please report it")
            }
            var targets = [(output, result.configuration)]
            if let rules = result.rules { targets.insert((rulesPath, rules), at: 0) }
            for (path, _) in targets where path != OutputFile.standardOutputName
                && FileManager.default.fileExists(atPath: path) && !force {
                throw fatal("\(path) exists; use --force to replace it (nothing was written)")
            }
            if !folder.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw fatal("cannot create \(folder): \(error.localizedDescription)")
                }
            }
            for (path, text) in targets {
                do {
                    try OutputFile.write(text, to: path)
                } catch {
                    throw fatal("cannot write \(path): \(error)")
                }
            }
            report(result, wrote: targets.map(\.0).reversed())
        }

        /// Whether a converted rule compiles with the engine: the reason when it does not.
        static func compiles(_ rule: DraftRule) -> String? {
            do {
                let rules = try RuleLoader.parse(yaml: rule.rulesFile, source: rule.origin)
                _ = try Engine(ruleSet: RuleSet(rules), cacheDirectory: nil)
                return nil
            } catch {
                return "\(error)"
            }
        }

        func report(_ result: ImportResult, wrote paths: [String]) {
            var out = "Imported:\n" + result.summary.map { "  \($0)\n" }.joined()
            let changed = result.notes.filter { $0.kind == .approximated }
            let skipped = result.notes.filter { $0.kind == .skipped }
            if !changed.isEmpty {
                out += "Imported with a different meaning:\n" + changed.map { "  \($0.location): \($0.message)\n" }.joined()
            }
            if !skipped.isEmpty {
                out += "Not imported:\n" + skipped.map { "  \($0.location): \($0.message)\n" }.joined()
            }
            if !paths.isEmpty {
                let shown = paths.map { $0 == OutputFile.standardOutputName ? "the configuration to standard output" : $0 }
                out += "Wrote \(shown.joined(separator: " and ")). Review it, then run custos as usual: it reads \(ScanConfiguration.fileNames[0]) by itself.\n"
            }
            // With the configuration on standard output, the account of it goes to standard error.
            let stream = output == OutputFile.standardOutputName ? FileHandle.standardError : FileHandle.standardOutput
            stream.write(Data(out.utf8))
        }
    }
}
