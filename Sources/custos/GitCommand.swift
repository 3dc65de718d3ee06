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
            report only secrets on lines added in those commits, for CI (and, in files that are \
            not line text, such as archives and databases, secrets the previous version did not hold).

            .custosignore files are read as committed in the snapshot the scan answers for: \
            HEAD (or the --branch tip) for a history scan, the end of the range for --range and \
            --since-commit. Exit status 3 when part of the history could not be seen (a shallow \
            clone, an unreadable object); 2 when a range's base is not in the repository (the \
            message says what to fetch).
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

    @Flag(name: .long, help: ArgumentHelp("Only walk the history and print what it holds (for benchmarks).", visibility: .hidden))
    var walkOnly = false

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
        let excludes = (config?.exclude ?? []) + tuning.exclude
        if walkOnly {
            let started = Date()
            do {
                let index = try GitHistoryWalker(repository: opened, refs: branch.map { .revision($0) } ?? .allRefs,
                                                 allProvenance: allProvenance, ignore: GitIgnore(lines: excludes)).run()
                Console.error("custos: walked \(index.commitsWalked) commits and found \(index.blobs.count) blobs in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
            } catch {
                throw fatal(error.message)
            }
            return
        }
        let result: ScanResult
        do {
            result = try scan(opened, engine: engine, excludes: excludes)
        } catch {
            throw fatal(error.message)
        }
        let owned = try ownersOptions.apply(to: result, roots: [opened.workingDirectory ?? repository], rules: ruleSet,
                                              pathsRelativeToRoot: true)
        try report.deliver(owned, rules: ruleSet, repository: RepositoryInfo(opened), roots: [opened.workingDirectory ?? repository], config: config)
    }
}

extension Git {
    private func scan(_ opened: GitRepository, engine: Engine, excludes: [String]) throws(GitError) -> ScanResult {
        if let range {
            let parts = range.components(separatedBy: "..")
            let end = parts.count > 1 && !parts[1].isEmpty ? parts[1] : "HEAD"
            return try diffScan(opened, engine: engine, from: parts[0], to: end, excludes: excludes)
        }
        if let sinceCommit {
            return try diffScan(opened, engine: engine, from: sinceCommit, to: branch ?? "HEAD", excludes: excludes)
        }
        let refs: RefSelection = branch.map { .revision($0) } ?? .allRefs
        let snapshot = try branch.map { revision throws(GitError) in try opened.resolveCommit(revision) } ?? opened.headCommit
        let (ignore, ignoreWarnings) = self.ignore(at: snapshot, in: opened, excludes: excludes)
        let walker = GitHistoryWalker(repository: opened, refs: refs, allProvenance: allProvenance, ignore: ignore)
        var result = try GitHistoryScan(engine: engine, repositoryPath: repository, threads: tuning.threads).run(walker)
        result.warnings += ignoreWarnings
        return result
    }

    private func diffScan(_ opened: GitRepository, engine: Engine, from: String, to: String, excludes: [String]) throws(GitError) -> ScanResult {
        let end = try opened.resolveCommit(to, role: "the end of the range")
        let (ignore, ignoreWarnings) = self.ignore(at: end, in: opened, excludes: excludes)
        var result = try DiffScan(engine: engine, repository: opened, ignore: ignore).run(.range(from: from, to: to))
        result.warnings += ignoreWarnings
        return result
    }

    /// The defaults, the configuration's `exclude:` and `--exclude`, then the `.custosignore`
    /// files committed in `snapshot`.
    private func ignore(at snapshot: ObjectID?, in opened: GitRepository, excludes: [String]) -> (GitIgnore, [ScanWarning]) {
        var ignore = GitIgnore(lines: excludes)
        let warnings = snapshot.map { ignore.addIgnoreFiles(ofCommit: $0, in: opened) } ?? []
        return (ignore, warnings)
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
