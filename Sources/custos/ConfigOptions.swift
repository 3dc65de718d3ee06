import ArgumentParser
import CustosConfig
import CustosCore
import Foundation

/// `--config`, shared by every command that scans: the configuration file found (or named)
/// for this run, or none.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (default: .custos.yaml in the current folder, else in the first root).", valueName: "file"))
    var config: String?

    /// The configuration for a run over `roots`, or nil when there is none; a broken or
    /// missing `--config` file is a fatal error naming its line.
    func load(roots: [String]) throws -> ScanConfiguration? {
        do {
            return try ScanConfiguration.discover(explicit: config, roots: roots)?.0
        } catch {
            throw fatal("\(error)")
        }
    }
}
