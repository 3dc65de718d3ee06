import ArgumentParser
import CustosCore
import CustosEngine
import CustosReport
import CustosScan
import CustosSources
import Foundation

struct Protect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pre-commit check: report secrets on the lines a commit would add.",
        discussion: """
            Exit status 1 stops the commit. Use as a git pre-commit hook or through the pre-commit \
            framework (hook id 'custos'). Files named after the options (what pre-commit passes) are \
            checked as follows: on a commit, when they are all staged, only their staged lines; \
            otherwise (pre-commit run --all-files or --files) each file whole, as it is in the \
            working tree.
            """)

    @Flag(name: .long, help: "Scan what is staged against HEAD (the only mode for now).")
    var staged = false

    @Option(name: .long, help: ArgumentHelp("The repository (default: the current directory).", valueName: "path"))
    var repository: String = "."

    @Argument(help: ArgumentHelp("Files to check (what pre-commit passes); none: every staged change.", valueName: "file"))
    var files: [String] = []

    @Option(name: .long, help: ArgumentHelp("Leave out paths matching this gitignore-style glob (repeatable).", valueName: "glob"))
    var exclude: [String] = []

    @OptionGroup var report: ReportOptions
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var configOptions: ConfigOptions

    func validate() throws {
        guard staged else { throw ValidationError("say what to protect: --staged") }
    }

    func run() throws {
        let config = try configOptions.load(roots: [repository])
        let (ruleSet, engine) = try ruleOptions.compile(config: config)
        var ignore = IgnoreRules()
        ignore.add(lines: (config?.exclude ?? []) + exclude)
        let result: ScanResult
        var root = repository
        var checked = "what this commit adds"
        do {
            let opened = try GitRepository(path: repository)
            root = opened.workingDirectory ?? repository
            let named = Set(files.map(Self.normalized))
            let staged = try Set(GitDiffReader(repository: opened).changes(.staged).map(\.path))
            if named.isEmpty || named.isSubset(of: staged) {
                // The .custosignore files the commit will hold: those in the index.
                var stagedIgnore = GitIgnore(lines: (config?.exclude ?? []) + exclude)
                let ignoreWarnings = stagedIgnore.addIgnoreFilesOfIndex(in: opened)
                var changes = try DiffScan(engine: engine, repository: opened, ignore: stagedIgnore).run(.staged)
                changes.warnings += ignoreWarnings
                if !named.isEmpty { changes.findings.removeAll { !named.contains($0.origin.artifactPath) } }
                result = changes
            } else {
                // pre-commit run --all-files / --files: the files as they are, whole.
                try requireExisting(files)
                checked = "the files checked"
                let options = DirectoryScanOptions(walk: WalkOptions(ignore: ignore))
                result = DirectoryScan(engine: engine, options: options).run(roots: files)
            }
        } catch let error as GitError {
            throw fatal(error.message)
        }
        do {
            try report.deliver(result, rules: ruleSet, roots: [root], config: config)
        } catch let code as ExitCode where code.rawValue == report.exitCode && !result.findings.isEmpty {
            report.note(Self.blockedMessage(result.findings.count, in: checked))
            throw code
        }
    }

    static func normalized(_ path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path
    }

    /// What a blocked commit is told: how to fix it, and how to let a line or a commit through.
    static func blockedMessage(_ count: Int, in checked: String) -> String {
        """
        custos: commit blocked: \(count) secret\(count == 1 ? "" : "s") in \(checked).
          Remove \(count == 1 ? "it" : "them"), and revoke or rotate \(count == 1 ? "it" : "them") if \(count == 1 ? "it was" : "they were") ever pushed or shared.
          Not a secret? Put custos:allow in a comment on its line, or record it with
          `custos baseline create` and commit with the hook's --baseline option.
          To skip once: SKIP=custos git commit … (pre-commit) or git commit --no-verify.
        """
    }
}
