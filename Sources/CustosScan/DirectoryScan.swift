import CustosCore
import CustosEngine
import CustosSources
import Foundation
import Synchronization

/// Options of a directory scan.
public struct DirectoryScanOptions: Sendable {
    /// Worker threads; each lists folders and scans files.
    public var threads: Int
    public var walk: WalkOptions
    /// Files larger than this are skipped with a count (0 = no limit).
    public var maxFileSize: Int

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                walk: WalkOptions = WalkOptions(), maxFileSize: Int = 0) {
        self.threads = max(1, threads)
        self.walk = walk
        self.maxFileSize = maxFileSize
    }
}

/// Scans directory trees and files with every core.
public struct DirectoryScan: Sendable {
    public let engine: Engine
    public let options: DirectoryScanOptions

    public init(engine: Engine, options: DirectoryScanOptions) {
        self.engine = engine
        self.options = options
    }

    /// Scans `roots` and returns findings in report order, deduplicated. A root `-` is
    /// standard input, reported as `stdin`.
    public func run(roots: [String]) -> ScanResult {
        let started = Date()
        let readsStandardInput = roots.contains("-")
        let queue = FileQueue(roots: roots.filter { $0 != "-" }, options: options.walk)
        let collected = Mutex(ScanResult(findings: [], warnings: [], summary: ScanSummary()))
        let nodeRed = Mutex(NodeRedMaterial())
        let engine = self.engine
        let options = self.options
        @Sendable func merge(_ worker: BlobScanner) {
            let part = worker.results.take()
            let material = worker.nodeRed
            nodeRed.withLock { $0.merge(material) }
            collected.withLock { $0.merge(part) }
        }
        WorkerThreads.run(options.threads) { _ in
            let worker = BlobScanner(engine: engine, followSymlinks: options.walk.followSymlinks,
                                     maxFileSize: options.maxFileSize)
            while let entry = queue.next() {
                worker.scanFile(entry, as: .file(Self.displayPath(entry.path)))
            }
            merge(worker)
        }
        if readsStandardInput {
            let worker = BlobScanner(engine: engine, followSymlinks: false, maxFileSize: options.maxFileSize)
            worker.scanStandardInput()
            merge(worker)
        }
        var result = collected.withLock { $0 }
        let decrypted = NodeRedAnalysis.findings(nodeRed.withLock { $0 })
        result.findings += decrypted.findings
        result.warnings += decrypted.warnings
        let walk = queue.report
        result.warnings += walk.warnings
        result.summary.filesSkippedExcluded += walk.excluded
        return result.finalized(rules: engine.ruleSet.count, genericRules: engine.ruleSet.genericRuleIDs, gate: engine.confidenceGate, since: started)
    }

    /// The path as reports show it: without a leading `./`.
    static func displayPath(_ path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path
    }
}
