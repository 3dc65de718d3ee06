import CustosCore
import CustosEngine
import CustosSources
import Foundation

/// Scans what a change adds: the new content of each changed file is scanned whole (so a
/// secret spanning lines is still seen), and only findings on added lines are kept. Each
/// blob is scanned once, however many commits in a range touch it.
public struct DiffScan {
    public let engine: Engine
    public let repository: GitRepository
    public let ignore: IgnoreRules

    public init(engine: Engine, repository: GitRepository, ignore: IgnoreRules) {
        self.engine = engine
        self.repository = repository
        self.ignore = ignore
    }

    public func run(_ selection: DiffSelection) throws(GitError) -> ScanResult {
        let started = Date()
        let changes = try GitDiffReader(repository: repository).changes(selection)
        let worker = BlobScanner(engine: engine, followSymlinks: false, maxFileSize: 0)
        worker.collectsNodeRed = false
        /// Per blob: what it holds.
        var blobFindings: [ObjectID: [Finding]] = [:]
        var result = ScanResult(findings: [], warnings: [], summary: ScanSummary())
        for change in changes {
            if ignore.isIgnored(filePath: change.path) {
                result.summary.filesSkippedExcluded += 1
                continue
            }
            if blobFindings[change.blob] == nil {
                do {
                    try repository.withBlob(change.blob) { bytes in
                        // The same decoders as a directory scan: a changed archive's members,
                        // UTF-16 and XML exports are read too.
                        guard worker.scanBytes(bytes, as: .gitBlob(id: change.blob.description, path: change.path)) else { return }
                        result.summary.filesScanned += 1
                        result.summary.bytesScanned += bytes.count
                    }
                } catch {
                    result.warnings.append(ScanWarning(.unreadableObject, path: change.path, message: "\(error)"))
                }
                blobFindings[change.blob] = worker.results.sink.take()
            }
            guard let scanned = blobFindings[change.blob] else { continue }
            let artifact = Origin.gitBlob(id: change.blob.description, path: change.path)
            for var finding in scanned {
                // The same blob under another name (a copy, a rename): the finding moves with it.
                finding.origin = finding.origin.replacingArtifact(with: artifact)
                // A member of a changed archive or database has no lines in the diff: all of
                // it is what the change brings. Text findings count only on added lines.
                guard finding.origin.isInsideContainer || change.adds(anyOf: finding.start.line...finding.end.line) else { continue }
                if let commit = change.commit {
                    finding.git = GitOrigin(blob: change.blob.description, commits: [commit])
                }
                result.findings.append(finding)
            }
        }
        let part = worker.results.take()
        result.summary.filesSkippedBinary += part.summary.filesSkippedBinary
        result.warnings += part.warnings
        return result.finalized(rules: engine.ruleSet.count, genericRules: engine.ruleSet.genericRuleIDs, since: started)
    }
}
