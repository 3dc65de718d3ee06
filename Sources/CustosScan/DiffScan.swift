import CustosCore
import CustosEngine
import CustosSources
import Foundation

/// Scans what a change adds: the new content of each changed file is scanned whole (so a
/// secret spanning lines is still seen, and archives, databases and UTF-16 exports go through
/// the same decoders as in a history scan). Text findings count only on added lines; a file
/// that is not line text counts for the secrets its previous version did not hold. Each blob
/// is scanned once, however many commits in a range touch it.
public struct DiffScan {
    public let engine: Engine
    public let repository: GitRepository
    public let ignore: GitIgnore

    public init(engine: Engine, repository: GitRepository, ignore: GitIgnore) {
        self.engine = engine
        self.repository = repository
        self.ignore = ignore
    }

    /// Only the built-in defaults and `ignore` lines, without `.custosignore` files.
    public init(engine: Engine, repository: GitRepository, ignore: IgnoreRules) {
        self.init(engine: engine, repository: repository, ignore: GitIgnore(base: ignore))
    }

    public func run(_ selection: DiffSelection) throws(GitError) -> ScanResult {
        let started = Date()
        let changes = try GitDiffReader(repository: repository).read(selection)
        let worker = BlobScanner(engine: engine, followSymlinks: false, maxFileSize: 0)
        worker.collectsNodeRed = false
        /// Per blob: what it holds.
        var blobFindings: [ObjectID: [Finding]] = [:]
        /// Per previous version of a file that is not text: the secrets it held.
        var previousSecrets: [ObjectID: Set<SecretKey>] = [:]
        var result = ScanResult(findings: [], warnings: changes.warnings, summary: ScanSummary())
        for change in changes.files {
            if ignore.isIgnoredFile(change.path) {
                result.summary.filesSkippedExcluded += 1
                continue
            }
            if blobFindings[change.blob] == nil {
                do {
                    try repository.withBlob(change.blob) { bytes in
                        guard worker.scanBytes(bytes, as: .gitBlob(id: change.blob.description, path: change.path)) else { return }
                        result.summary.filesScanned += 1
                        result.summary.bytesScanned += bytes.count
                    }
                } catch {
                    result.warnings.append(ScanWarning(.unreadableObject, path: change.path, message: "\(error)"))
                }
                blobFindings[change.blob] = worker.results.sink.take()
            }
            guard let scanned = blobFindings[change.blob], !scanned.isEmpty else { continue }
            var known: Set<SecretKey> = []
            if case let .secretsNotIn(previous) = change.added {
                known = previousSecrets[previous] ?? secrets(in: previous, path: change.path, worker: worker)
                previousSecrets[previous] = known
            }
            let artifact = Origin.gitBlob(id: change.blob.description, path: change.path)
            for var finding in scanned {
                // The same blob under another name (a copy, a rename): the finding moves with it.
                finding.origin = finding.origin.replacingArtifact(with: artifact)
                switch change.added {
                case .lines:
                    // A member of a changed archive or database has no lines in the diff: all
                    // of it is what the change brings. Text findings count only on added lines.
                    guard finding.origin.isInsideContainer || change.adds(anyOf: finding.start.line...finding.end.line) else { continue }
                case .everything:
                    break
                case .secretsNotIn:
                    guard !known.contains(SecretKey(finding)) else { continue }
                }
                if let commit = change.commit {
                    finding.git = GitOrigin(blob: change.blob.description, commits: [commit])
                }
                result.findings.append(finding)
            }
        }
        let part = worker.results.take()
        result.summary.filesSkippedBinary += part.summary.filesSkippedBinary
        result.warnings += part.warnings
        return result.finalized(rules: engine.ruleSet.count, genericRules: engine.ruleSet.genericRuleIDs, gate: engine.confidenceGate, since: started)
    }

    /// A secret as a rule reported it, wherever it sits in the file.
    struct SecretKey: Hashable {
        var ruleID: String
        var secret: String

        init(_ finding: Finding) {
            ruleID = finding.ruleID
            secret = finding.secret
        }
    }

    /// The secrets a previous version held. Its own warnings and counts are not the change's:
    /// they are dropped. Unreadable, it holds nothing (the reader warned already).
    private func secrets(in previous: ObjectID, path: String, worker: BlobScanner) -> Set<SecretKey> {
        let warnings = worker.results.warnings.count
        let summary = worker.results.summary
        defer {
            worker.results.warnings.removeSubrange(warnings...)
            worker.results.summary = summary
        }
        _ = try? repository.withBlob(previous) { bytes in
            worker.scanBytes(bytes, as: .gitBlob(id: previous.description, path: path))
        }
        return Set(worker.results.sink.take().map(SecretKey.init))
    }
}
