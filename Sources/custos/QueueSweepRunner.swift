import ArgumentParser
import CustosCore
import CustosFleet
import CustosSources
import CustosSweep
import Foundation
import Synchronization

/// `custos sweep ROOT --queue URL`: one worker of a sharded sweep. It joins (or starts) the
/// site's run, sweeps the parts it claims, each into a throwaway local state in TMPDIR (never
/// in the share), and writes each part's findings with its completion; when no part is left it
/// waits for the other workers' parts, taking over any whose lease runs out, and the worker that
/// sees the last part done settles the run into the site's findings.
struct QueueSweepRunner {
    let queue: ShareQueue
    let address: FleetDatabaseAddress
    let runName: String?
    /// A sweep of one part over the given state.
    let makeSweep: @Sendable (WalkScope, SweepState) -> Sweep

    /// Runs until the run is settled; the outcome is the run's, whichever worker settled it.
    func run() throws -> QueueOutcome {
        let queue = self.queue, address = self.address, runName = self.runName
        let root = queue.root
        let (database, heartbeat) = try BlockingCall.run {
            let main = try await FleetDatabase.open(address)
            do {
                // A second connection renews leases while the first writes a part's results.
                return (main, try await FleetDatabase.open(address, migrate: false))
            } catch {
                await main.close()
                throw error
            }
        }
        defer { _ = try? BlockingCall.run { await database.close(); await heartbeat.close() } }

        let run = try BlockingCall.run {
            try await queue.join(database, name: runName) { SharePlanner().parts(of: root) }
        }
        Console.error("custos sweep: worker \(queue.worker) joined run \(run) of site \(queue.site)")
        var sweptHere = 0
        var lastWaitNote = Date.distantPast
        while true {
            if let part = try BlockingCall.run({ try await queue.claim(database, run: run) }) {
                try sweep(part, database: database, heartbeat: heartbeat)
                sweptHere += 1
                continue
            }
            if let outcome = try BlockingCall.run({ try await queue.settle(database, run: run) }) {
                Console.error("custos sweep: worker \(queue.worker) swept \(sweptHere) parts of run \(run)"
                              + (outcome.settledHere ? " and settled it" : ""))
                return outcome
            }
            if Date().timeIntervalSince(lastWaitNote) >= 30 {
                let progress = try BlockingCall.run { try await queue.progress(database, run: run) }
                Console.error("custos sweep: run \(run): \(progress.done) of \(progress.total) parts done; waiting for "
                              + "\(progress.claimed) held by \(progress.workers.joined(separator: ", "))")
                lastWaitNote = Date()
            }
            // A part held by a worker that died is claimed once its lease runs out.
            Thread.sleep(forTimeInterval: min(1, Double(queue.leaseSeconds) / 4))
        }
    }

    /// Sweeps one claimed part, renewing its lease meanwhile, and completes it.
    private func sweep(_ part: ClaimedPart, database: FleetDatabase, heartbeat: FleetDatabase) throws {
        let queue = self.queue
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-part-\(UUID().uuidString)").path
        guard !SweepRoots.lies(folder, inside: queue.root) else {
            throw SweepFailure("the temporary folder \(folder) lies inside the swept share: set TMPDIR elsewhere")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let lost = Atomic<Bool>(false)
        let renewal = DispatchSource.makeTimerSource(queue: .global(qos: .userInitiated))
        let interval = max(1, Double(queue.leaseSeconds) / 3)
        renewal.schedule(deadline: .now() + interval, repeating: interval)
        renewal.setEventHandler {
            let kept = (try? BlockingCall.run { try await queue.renew(heartbeat, part) }) ?? true
            if !kept { lost.store(true, ordering: .relaxed) }
        }
        renewal.resume()
        defer { renewal.cancel() }

        let state = try SweepState.openForSweep(path: folder + "/part.sqlite")
        let outcome = try makeSweep(part.scope, state).run()
        if outcome.unreachable.contains(queue.root) {
            _ = try? BlockingCall.run { try await queue.release(database, part) }
            throw SweepFailure("cannot read the share \(queue.root) from this worker (is it mounted?); part \(part.item) given back")
        }
        let snapshot = try state.snapshot()
        renewal.cancel()
        var completed = false
        if !lost.load(ordering: .relaxed) {
            completed = try BlockingCall.run { try await queue.complete(database, part, findings: snapshot, swept: outcome) }
        }
        let shown = part.scope.folder.isEmpty ? "(top of the share)" : part.scope.folder
        if completed {
            Console.error("custos sweep: part \(part.item) \(shown): \(outcome.filesSeen) files, \(snapshot.findings.count) findings")
        } else {
            Console.error("custos sweep: part \(part.item) \(shown) was taken over by another worker (lease lost); its results are theirs")
        }
    }
}

/// Why this worker cannot go on, in words for the operator.
struct SweepFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
