// The custos command line: argument parsing and wiring only. Everything it does lives in the
// Custos* library targets, so tests and other tools can use the same code without a shell.

import ArgumentParser
import CustosBuiltinRules
import CustosCore
import CustosEngine
import CustosReport
import CustosRules
import CustosScan
import CustosSources
import Foundation

@main
struct Custos: ParsableCommand {
    /// The release (VERSION), as reports name the tool; `--version` adds the commit.
    static let version = BuildInfo.version
    /// `custos 0.2.0 (1a2b3c4)`: the commit the binary was built from, `unknown` outside git.
    static let versionLine = "custos \(BuildInfo.version) (\(BuildInfo.commit))"

    static let configuration = CommandConfiguration(
        commandName: "custos",
        abstract: "Find leaked credentials and say who owns them.",
        discussion: """
            Exit status: 0 when nothing was found, 1 when there are findings, 2 on a usage \
            or fatal error (a path that does not exist, a range base that cannot be reached), 3 when \
            the scan ran but saw less than asked (a folder it could not list, git objects it could \
            not read, history beyond a shallow clone's boundary). Warnings about single files go \
            to standard error and the scan goes on.
            """,
        version: versionLine,
        subcommands: [Scan.self, Git.self, Protect.self, SweepCommand.self, FleetCommand.self, Who.self, BaselineCommand.self, Owners.self, Report.self, Rules.self, ConfigCommand.self],
        defaultSubcommand: nil)

    /// Runs the command, mapping every usage error to exit status 2 (argument-parser's own
    /// default is 64) so scripts can tell "findings" (1) from "could not run" (2).
    static func main() {
        BuiltinPatterns.register()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            if exitCode(for: error) == .success {
                exit(withError: error)  // --help and --version print and exit 0
            }
            Console.error(fullMessage(for: error))
            Foundation.exit(ExitStatus.fatal)
        }
    }
}

/// Exit codes shared by every command.
enum ExitStatus {
    static let clean: Int32 = 0
    /// Findings remain (`--exit-code` changes it).
    static let findings: Int32 = 1
    /// Could not run: a usage error, a missing path, an unreadable configuration.
    static let fatal: Int32 = 2
    /// Ran, but saw less than asked (`ScanWarning.meansIncompleteScan`): a green CI run must
    /// never hide that. Wins over `findings`, since the report may be missing some.
    static let incomplete: Int32 = 3
}

/// Writes to standard error.
enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// An error already explained to the user; exits with status 2.
struct FatalError: Error, CustomStringConvertible {
    var description: String
}
