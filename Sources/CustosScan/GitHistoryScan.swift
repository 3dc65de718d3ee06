import CustosCore
import CustosEngine
import CustosSources
import Foundation
import Synchronization

/// Scans every blob of a history index once, in parallel, and attributes each finding to the
/// commit that introduced its blob (and, when the index holds them, every later commit too).
public struct GitHistoryScan: Sendable {
    public let engine: Engine
    public let repositoryPath: String
    public let threads: Int
    public let ignore: IgnoreRules

    public init(engine: Engine, repositoryPath: String, threads: Int, ignore: IgnoreRules) {
        self.engine = engine
        self.repositoryPath = repositoryPath
        self.threads = max(1, threads)
        self.ignore = ignore
    }

    /// The LFS pointer header: such a blob names content stored elsewhere.
    static let lfsPointerPrefix = Array("version https://git-lfs.github.com/spec/v1".utf8)

    public func run(_ index: HistoryIndex) -> ScanResult {
        let started = Date()
        let next = Atomic<Int>(0)
        let collected = Mutex(ScanResult(findings: [], warnings: index.notes, summary: ScanSummary()))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let repository: GitRepository
            do {
                repository = try GitRepository(path: repositoryPath)
            } catch {
                collected.withLock { $0.warnings.append(ScanWarning(.unreadableObject, path: repositoryPath, message: "\(error)")) }
                return
            }
            // Blobs go through the same decoders as files (archives, UTF-16, XML entities,
            // PLC escapes, base64), so an export committed to git is read as on a share.
            let worker = BlobScanner(engine: engine, followSymlinks: false, maxFileSize: 0)
            worker.collectsNodeRed = false
            var warnings: [ScanWarning] = []
            var summary = ScanSummary()
            while true {
                let position = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard position < index.blobs.count else { break }
                let blob = index.blobs[position]
                let commits = index.provenance[blob] ?? []
                guard let first = commits.first else { continue }
                if ignore.isIgnored(filePath: first.path) {
                    summary.filesSkippedExcluded += 1
                    continue
                }
                do {
                    try repository.withBlob(blob) { bytes in
                        if bytes.starts(with: Self.lfsPointerPrefix) {
                            warnings.append(ScanWarning(.storedElsewhere, path: first.path,
                                message: "Git LFS pointer (blob \(blob)): the stored file is not in the repository and was not scanned"))
                            return
                        }
                        let before = worker.results.sink.findings.count
                        guard worker.scanBytes(bytes, as: .gitBlob(id: blob.description, path: first.path)) else { return }
                        summary.filesScanned += 1
                        summary.bytesScanned += bytes.count
                        let origin = GitOrigin(blob: blob.description, commits: commits)
                        for position in before..<worker.results.sink.findings.count {
                            worker.results.sink.findings[position].git = origin
                        }
                    }
                } catch {
                    warnings.append(ScanWarning(.unreadableObject, path: first.path, message: "\(error) (commit \(first.commit.prefix(12)))"))
                }
            }
            var part = worker.results.take()
            part.warnings += warnings
            part.summary.add(summary)
            collected.withLock { $0.merge(part) }
        }
        return collected.withLock { $0 }.finalized(rules: engine.ruleSet.count, genericRules: engine.ruleSet.genericRuleIDs, since: started)
    }
}
