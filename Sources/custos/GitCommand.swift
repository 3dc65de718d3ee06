import ArgumentParser
import CustosCore
import CustosEngine
import CustosReport
import CustosRules
import CustosScan
import CustosSources
import Foundation

struct Git: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan git history: every reachable blob once, attributed to the commit that introduced it.",
        discussion: """
            By default the full history of all references. --range A..B and --since-commit C \
            report only secrets on lines added in those commits, for CI.
            """)

    @Argument(help: ArgumentHelp("The repository (a working tree or a bare repository).", valueName: "repo"))
    var repository: String = "."

    @Option(name: .long, help: "Scan only this branch (or any revision) and its ancestors.")
    var branch: String?

    @Flag(name: .long, help: "Scan every reference (the default).")
    var allRefs = false

    @Option(name: .long, help: ArgumentHelp("Only lines added by commits after this one (CI).", valueName: "commit"))
    var sinceCommit: String?

    @Option(name: .long, help: ArgumentHelp("Only lines added by the commits in A..B (CI).", valueName: "A..B"))
    var range: String?

    @Flag(name: .long, help: "List every commit and path where each secret's blob was added, not only the first.")
    var allProvenance = false

    @OptionGroup var report: ReportOptions
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var ownersOptions: OwnersOptions

    @OptionGroup var tuning: ScanTuning
    @OptionGroup var configOptions: ConfigOptions

    func validate() throws {
        if branch != nil && allRefs { throw ValidationError("--branch and --all-refs exclude each other") }
        if sinceCommit != nil && range != nil { throw ValidationError("--since-commit and --range exclude each other") }
        if let range, !range.contains("..") { throw ValidationError("--range takes A..B") }
    }

    func run() throws {
        let config = try configOptions.load(roots: [repository])
        let (ruleSet, engine) = try ruleOptions.compile(config: config)
        let opened: GitRepository
        do {
            opened = try GitRepository(path: repository)
        } catch {
            throw fatal("\(error)")
        }
        var ignore = IgnoreRules()
        ignore.add(lines: (config?.exclude ?? []) + tuning.exclude)
        let result: ScanResult
        do {
            result = try scan(opened, engine: engine, ignore: ignore)
        } catch {
            throw fatal(error.message)
        }
        let owned = try ownersOptions.apply(to: result, roots: [opened.workingDirectory ?? repository], rules: ruleSet,
                                              pathsRelativeToRoot: true)
        try report.deliver(owned, rules: ruleSet, repository: RepositoryInfo(opened), roots: [opened.workingDirectory ?? repository], config: config)
    }
}

extension Git {
    private func scan(_ opened: GitRepository, engine: Engine, ignore: IgnoreRules) throws(GitError) -> ScanResult {
        if let range {
            let parts = range.components(separatedBy: "..")
            let end = parts.count > 1 && !parts[1].isEmpty ? parts[1] : "HEAD"
            return try DiffScan(engine: engine, repository: opened, ignore: ignore).run(.range(from: parts[0], to: end))
        }
        if let sinceCommit {
            return try DiffScan(engine: engine, repository: opened, ignore: ignore).run(.range(from: sinceCommit, to: branch ?? "HEAD"))
        }
        let refs: RefSelection = branch.map { .revision($0) } ?? .allRefs
        let index = try GitHistoryWalker(repository: opened, refs: refs, allProvenance: allProvenance).run()
        return GitHistoryScan(engine: engine, repositoryPath: repository, threads: tuning.threads, ignore: ignore).run(index)
    }
}

extension RepositoryInfo {
    /// What SARIF's versionControlProvenance says about `repository`.
    init(_ repository: GitRepository) {
        self.init(uri: Self.uri(remote: repository.originURL, path: repository.workingDirectory ?? repository.path),
                  revision: repository.headCommit?.description, branch: repository.headBranch)
    }

    /// A URI for the repository: the origin URL (scp-like `git@host:path` becomes `ssh://`),
    /// else the local path as `file://`.
    static func uri(remote: String?, path: String) -> String {
        if let remote, remote.contains("://") { return remote }
        if let remote, let colon = remote.firstIndex(of: ":"), remote[..<colon].contains("@") {
            return "ssh://" + remote[..<colon] + "/" + remote[remote.index(after: colon)...]
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return "file://" + absolute
    }
}
