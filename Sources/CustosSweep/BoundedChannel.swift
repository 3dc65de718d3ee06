import Foundation
import Synchronization

/// A first-in first-out channel with a fixed capacity: senders wait while it is full, so
/// however fast the workers walk, memory holds at most `capacity` results.
final class BoundedChannel<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var head = 0
        var closed = false
        var count: Int { items.count - head }
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
            let end = min(state.items.count, state.head + limit)
            let slice = Array(state.items[state.head..<end])
            state.head = end
            if state.head > 4096 && state.head * 2 > state.items.count {
                state.items.removeFirst(state.head)
                state.head = 0
            }
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
