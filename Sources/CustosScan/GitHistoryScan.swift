// Scanning a history: the walk runs on the calling thread and offers each new blob to the
// workers as it finds it; a worker reads an offered blob by id (its own reader and cache, the
// packs shared). Once the walk ends, the blobs not scanned yet are rebuilt in pack order, delta
// tree by delta tree (GitBlobForest), so each delta is applied once; what the packs do not
// hold (loose objects) or could not rebuild is read by id last, through libgit2 if need be.
// Findings are attributed at the end: the commit that introduced each blob (and every later
// one with --all-provenance) is looked up only for blobs that hold findings. Workers are
// threads of their own, as many as asked.

import CustosCore
import CustosEngine
import CustosSources
import Foundation
import Synchronization

/// Scans every blob of a history once, in parallel, and attributes each finding to the commit
/// that introduced its blob (and, with --all-provenance, every later commit too).
public struct GitHistoryScan: Sendable {
    public let engine: Engine
    public let repositoryPath: String
    public let threads: Int

    public init(engine: Engine, repositoryPath: String, threads: Int) {
        self.engine = engine
        self.repositoryPath = repositoryPath
        self.threads = max(1, threads)
    }

    /// Walks the history and scans its blobs at the same time.
    public func run(_ walker: GitHistoryWalker) throws(GitError) -> ScanResult {
        let repository = walker.repository
        let store = PackStore(objectsDirectory: repository.objectsDirectory)
        return try pipeline(store: store, repository: repository) { offer throws(GitError) in
            try walker.run(store: store, found: offer)
        }
    }

    /// Scans the blobs of a history already walked.
    public func run(_ index: HistoryIndex) -> ScanResult {
        guard let repository = try? GitRepository(path: repositoryPath) else {
            var result = ScanResult(findings: [], warnings: index.notes, summary: ScanSummary())
            result.warnings.append(ScanWarning(.unreadableObject, path: repositoryPath, message: "cannot open the repository to read its blobs"))
            return result.finalized(rules: engine.ruleSet.count, genericRules: engine.ruleSet.genericRuleIDs, gate: engine.confidenceGate, since: Date())
        }
        let store = PackStore(objectsDirectory: repository.objectsDirectory)
        return (try? pipeline(store: store, repository: repository) { _ in index }) ?? ScanResult(findings: [], warnings: index.notes, summary: ScanSummary())
    }

    /// A blob offered while the walk runs, with the id of the commit it was found in.
    struct OfferedBlob: Sendable {
        var sighting: BlobSighting
        var commit: ObjectID
    }

    /// What the workers share once the walk is over.
    struct AfterWalk: Sendable {
        let forest: GitBlobForest
        let plan: GitBlobForest.Plan
        let sightings: [BlobSighting]
        let commits: [ObjectID]
        let positions: [ObjectID: Int]
        let nextUnit = Counter()
    }

    /// Blobs read by id last: not in the packs, or not rebuilt from them.
    struct Leftovers: Sendable {
        let sightings: [BlobSighting]
        let commits: [ObjectID]
        let next = Counter()
    }

    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
    }

    private func pipeline(store: PackStore, repository: GitRepository,
                          walk: (_ offer: (BlobSighting, ObjectID) -> Void) throws(GitError) -> HistoryIndex) throws(GitError) -> ScanResult {
        let started = Date()
        let offered = OfferQueue<OfferedBlob>(capacity: 4 * threads)
        let early = Gathering<[ObjectID]>(expected: threads)
        let afterWalk = Handoff<AfterWalk?>()
        let unbuilt = Gathering<[GitBlobForest.Failure]>(expected: threads)
        let leftovers = Handoff<Leftovers>()
        let parts = Gathering<ScanResult>(expected: threads)
        let engine = self.engine
        let repositoryPath = self.repositoryPath
        startThreads(threads) { _ in
            let worker = HistoryWorker(engine: engine, store: store, repositoryPath: repositoryPath)
            // While the walk runs: blobs by id, as offered.
            var scanned: [ObjectID] = []
            while let blob = offered.receive() {
                worker.read(blob.sighting, commit: blob.commit)
                scanned.append(blob.sighting.blob)
            }
            early.add(scanned)
            // Then the rest, delta tree by delta tree.
            var failures: [GitBlobForest.Failure] = []
            if let shared = afterWalk.wait() {
                while true {
                    let number = shared.nextUnit.next()
                    guard number < shared.plan.units.count else { break }
                    failures += shared.forest.rebuild(shared.plan.units[number], plan: shared.plan, reader: worker.reader) { id, bytes in
                        guard let position = shared.positions[id] else { return }
                        worker.scan(bytes, shared.sightings[position], commit: shared.commits[shared.sightings[position].commit])
                    }
                }
            }
            unbuilt.add(failures)
            // Last, whatever the packs did not give, by id.
            let rest = leftovers.wait()
            while true {
                let number = rest.next.next()
                guard number < rest.sightings.count else { break }
                let sighting = rest.sightings[number]
                worker.read(sighting, commit: rest.commits[sighting.commit])
            }
            parts.add(worker.finish())
        }
        var index: HistoryIndex
        do {
            index = try walk { sighting, commit in _ = offered.offer(OfferedBlob(sighting: sighting, commit: commit)) }
        } catch {
            offered.close()
            afterWalk.set(nil)
            leftovers.set(Leftovers(sightings: [], commits: []))
            _ = parts.waitForAll()
            throw error
        }
        offered.close()
        let forest = GitBlobForest(store: store)
        let scannedEarly = ObjectIDSet(early.waitForAll().joined())
        var positions: [ObjectID: Int] = [:]
        positions.reserveCapacity(index.blobs.count)
        for (position, sighting) in index.blobs.enumerated() { positions[sighting.blob] = position }
        let severalPacks = store.packCount > 1
        let plan = forest.plan { id, pack in
            guard positions[id] != nil, !scannedEarly.contains(id) else { return false }
            return !severalPacks || store.packHolding(id) == pack
        }
        afterWalk.set(AfterWalk(forest: forest, plan: plan, sightings: index.blobs, commits: index.commits, positions: positions))
        let failed = unbuilt.waitForAll().joined()
        let rebuilt = ObjectIDSet(forest.wantedIDs(plan))
        let failedIDs = ObjectIDSet(failed.map(\.blob))
        let rest = index.blobs.filter { !scannedEarly.contains($0.blob) && (!rebuilt.contains($0.blob) || failedIDs.contains($0.blob)) }
        leftovers.set(Leftovers(sightings: rest, commits: index.commits))
        var result = ScanResult(findings: [], warnings: index.notes, summary: ScanSummary())
        result.summary.filesSkippedExcluded = index.blobsExcluded
        for part in parts.waitForAll() { result.merge(part) }
        attribute(&result.findings, index: index, positions: positions, repository: repository)
        return result.finalized(rules: engine.ruleSet.count, genericRules: engine.ruleSet.genericRuleIDs, gate: engine.confidenceGate, since: started)
    }

    /// Gives each finding the commits that added its blob, read once per commit.
    private func attribute(_ findings: inout [Finding], index: HistoryIndex, positions: [ObjectID: Int], repository: GitRepository) {
        let describer = CommitDescriber(repository: repository)
        for number in findings.indices {
            guard let hex = findings[number].origin.gitBlobID, let blob = ObjectID(hex: Array(hex.utf8)),
                  let position = positions[blob] else { continue }
            let commits = index.sightings(of: index.blobs[position]).map { sighting in
                describer.reference(index.commits[sighting.commit], path: sighting.path)
            }
            findings[number].git = GitOrigin(blob: hex, commits: commits)
        }
    }
}

/// One worker's scanner, reader and results.
final class HistoryWorker {
    let reader: GitObjectReader
    private let scanner: BlobScanner
    private var warnings: [ScanWarning] = []
    private var summary = ScanSummary()

    /// The LFS pointer header: such a blob names content stored elsewhere.
    static let lfsPointerPrefix = Array("version https://git-lfs.github.com/spec/v1".utf8)

    init(engine: Engine, store: PackStore, repositoryPath: String) {
        reader = GitObjectReader(store: store, repositoryPath: repositoryPath)
        // Blobs go through the same decoders as files (archives, UTF-16, XML entities,
        // PLC escapes, base64), so an export committed to git is read as on a share.
        scanner = BlobScanner(engine: engine, followSymlinks: false, maxFileSize: 0)
        scanner.collectsNodeRed = false
    }

    /// Reads a blob by id and scans it; a blob that cannot be read is a warning.
    func read(_ sighting: BlobSighting, commit: ObjectID) {
        do {
            let object = try reader.read(sighting.blob)
            guard object.kind == .blob else {
                warnings.append(ScanWarning(.unreadableObject, path: sighting.path,
                    message: "object \(sighting.blob) at commit \(commit.description.prefix(12)) should be a blob but is a \(object.kind); not scanned"))
                return
            }
            object.bytes.withUnsafeBytes { scan($0, sighting, commit: commit) }
        } catch {
            warnings.append(ScanWarning(.unreadableObject, path: sighting.path,
                message: "cannot read blob \(sighting.blob) (commit \(commit.description.prefix(12))): \(error); it was not scanned"))
        }
    }

    func scan(_ bytes: UnsafeRawBufferPointer, _ sighting: BlobSighting, commit: ObjectID) {
        if bytes.starts(with: Self.lfsPointerPrefix) {
            warnings.append(ScanWarning(.storedElsewhere, path: sighting.path,
                message: "Git LFS pointer (blob \(sighting.blob)): the stored file is not in the repository and was not scanned"))
            return
        }
        guard scanner.scanBytes(bytes, as: .gitBlob(id: sighting.blob.description, path: sighting.path)) else { return }
        summary.filesScanned += 1
        summary.bytesScanned += bytes.count
    }

    func finish() -> ScanResult {
        var part = scanner.results.take()
        part.warnings += warnings
        part.summary.add(summary)
        return part
    }
}
