import Foundation

/// Runs a number of workers, each on a thread of its own, and waits for all of them.
///
/// `DispatchQueue.concurrentPerform` never runs more iterations at once than there are
/// cores, so asking for two workers per core (a sweep waiting on an SMB share) gave one. These
/// are real threads: as many run as are asked for, and the kernel overlaps their waits.
public enum WorkerThreads {
    /// Stack for each worker: the decoders recurse into nested archives.
    public static let stackSize = 8 * 1024 * 1024

    /// Calls `body(index)` for each index in `0..<count`, concurrently, and returns when all
    /// have returned. One worker runs on the calling thread.
    public static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            body(0)
            return
        }
        let group = DispatchGroup()
        for index in 1..<count {
            group.enter()
            let thread = Thread {
                body(index)
                group.leave()
            }
            thread.stackSize = stackSize
            thread.start()
        }
        body(0)
        group.wait()
    }
}
