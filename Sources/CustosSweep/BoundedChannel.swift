import Foundation
import Synchronization

/// A first-in first-out channel with a fixed capacity: senders wait while it is full, so
/// however fast the workers walk, memory holds at most `capacity` results.
final class BoundedChannel<Element: Sendable>: Sendable {
    private struct State {
        /// At most `capacity` elements: consumed ones are removed at once, so the channel
        /// never keeps a reference to what a receiver took.
        var items: [Element] = []
        var closed = false
        var count: Int { items.count }
    }

    private let capacity: Int
    private let state = Mutex(State())
    private let condition = NSCondition()

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Waits while the channel is full, then adds `element`.
    func send(_ element: Element) {
        condition.lock()
        defer { condition.unlock() }
        while state.withLock({ $0.count >= capacity && !$0.closed }) { condition.wait() }
        state.withLock { $0.items.append(element) }
        condition.broadcast()
    }

    /// Up to `limit` elements, waiting at most `timeout` for the first; empty once the channel
    /// is closed and drained, or when the wait timed out (`isFinished` tells which).
    func receive(upTo limit: Int, timeout: TimeInterval) -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while state.withLock({ $0.count == 0 && !$0.closed }) {
            if !condition.wait(until: deadline) { break }
        }
        let taken: [Element] = state.withLock { state in
            let end = min(state.items.count, limit)
            let slice = Array(state.items[..<end])
            state.items.removeFirst(end)
            return slice
        }
        if !taken.isEmpty { condition.broadcast() }
        return taken
    }

    /// No more sends; receivers drain what is left.
    func close() {
        condition.lock()
        state.withLock { $0.closed = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Closed and empty.
    var isFinished: Bool { state.withLock { $0.closed && $0.count == 0 } }
}
