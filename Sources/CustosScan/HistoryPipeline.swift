// The hand-offs between the history walk and the workers that scan its blobs: a bounded
// queue the walk offers new blobs to while it runs (never waiting: what does not fit is read
// later in pack order, which is cheaper), one-time hand-offs for what the walk's end decides,
// and a count of workers that finished a phase. Each is a lock and a condition; nothing is
// shared but what they carry.

import Foundation
import Synchronization

/// A bounded first-in first-out queue: offers fail when it is full; receivers wait.
final class OfferQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var head = 0
        var closed = false
    }

    private let capacity: Int
    private let state = Mutex(State())
    private let condition = NSCondition()

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds `element` unless the queue is full or closed; never waits.
    func offer(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let added = state.withLock { state -> Bool in
            guard !state.closed, state.items.count - state.head < capacity else { return false }
            state.items.append(element)
            return true
        }
        if added { condition.signal() }
        return added
    }

    /// The next element, waiting for one; nil once the queue is closed and drained.
    func receive() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let next = state.withLock { state -> (Element?, Bool) in
                if state.head < state.items.count {
                    let element = state.items[state.head]
                    state.head += 1
                    if state.head > 1024 && state.head * 2 > state.items.count {
                        state.items.removeFirst(state.head)
                        state.head = 0
                    }
                    return (element, false)
                }
                return (nil, state.closed)
            }
            if let element = next.0 { return element }
            if next.1 { return nil }
            condition.wait()
        }
    }

    /// No more offers; receivers drain what is left.
    func close() {
        condition.lock()
        state.withLock { $0.closed = true }
        condition.broadcast()
        condition.unlock()
    }
}

/// A value set once by one thread and waited for by others.
final class Handoff<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let condition = NSCondition()

    func set(_ newValue: Value) {
        condition.lock()
        value.withLock { $0 = newValue }
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let current = value.withLock({ $0 }) { return current }
            condition.wait()
        }
    }
}

/// Collects one part from each of a known number of workers; waits for all of them.
final class Gathering<Part: Sendable>: Sendable {
    private let parts = Mutex<[Part]>([])
    private let expected: Int
    private let condition = NSCondition()

    init(expected: Int) {
        self.expected = expected
    }

    func add(_ part: Part) {
        condition.lock()
        parts.withLock { $0.append(part) }
        condition.broadcast()
        condition.unlock()
    }

    func waitForAll() -> [Part] {
        condition.lock()
        defer { condition.unlock() }
        while parts.withLock({ $0.count }) < expected { condition.wait() }
        return parts.withLock { $0 }
    }
}

/// Starts `body` on `count` threads of their own: a dispatch pool runs no more than one per
/// core, whatever `--threads` asks. Callers learn the end through what the bodies hand back.
func startThreads(_ count: Int, stackBytes: Int = 8 << 20, _ body: @escaping @Sendable (Int) -> Void) {
    for number in 0..<count {
        let thread = Thread { body(number) }
        thread.stackSize = stackBytes
        thread.name = "custos-git-\(number)"
        thread.start()
    }
}
