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
        let scanner = engine.makeScanner()
        var blobFindings: [ObjectID: [Finding]] = [:]
        var result = ScanResult(findings: [], warnings: [], summary: ScanSummary())
        for change in changes {
            if ignore.isIgnored(change.path, isDirectory: false) {
                result.summary.filesSkippedExcluded += 1
                continue
            }
            if blobFindings[change.blob] == nil {
                var found: [Finding] = []
                do {
                    try repository.withBlob(change.blob) { bytes in
                        if UnsafeRawBufferPointer(rebasing: bytes.prefix(8 * 1024)).contains(0) {
                            result.summary.filesSkippedBinary += 1
                            return
                        }
                        result.summary.filesScanned += 1
                        result.summary.bytesScanned += bytes.count
                        scanner.scan(bytes, region: BlobRegion(path: change.path), into: &found)
                    }
                } catch {
                    result.warnings.append(ScanWarning(path: change.path, message: "\(error)"))
                }
                blobFindings[change.blob] = found
            }
            for var finding in blobFindings[change.blob] ?? [] where change.adds(anyOf: finding.start.line...finding.end.line) {
                finding.path = change.path
                if let commit = change.commit {
                    finding.git = GitOrigin(blob: change.blob.description, commits: [commit])
                }
                result.findings.append(finding)
            }
        }
        return result.finalized(rules: engine.ruleSet.count, genericRules: engine.ruleSet.genericRuleIDs, since: started)
    }
}
