// A set of object ids for the history walk, which asks "seen before?" for every entry of
// every new tree (tens of millions of times on a large history). Open addressing over a flat
// array of ids, hashed from their first eight bytes mixed with a per-process seed, so a
// repository built to collide cannot make the table slow. The all-zero id marks an empty slot
// and is tracked apart.

import CustosCore
import Foundation

/// A set of object ids.
public struct ObjectIDSet: Sendable {
    private var slots: [ObjectID]
    private var mask: Int
    private var shift: Int
    public private(set) var count = 0
    private var holdsZero = false

    private static let empty = ObjectID(high: 0, middle: 0, low: 0)
    private static let seed = UInt64.random(in: .min ... .max)

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [ObjectID](repeating: Self.empty, count: size)
        mask = size - 1
        shift = 64 - size.trailingZeroBitCount
    }

    public init<IDs: Sequence>(_ ids: IDs) where IDs.Element == ObjectID {
        self.init(capacity: ids.underestimatedCount)
        for id in ids { insert(id) }
    }

    private func slot(for id: ObjectID) -> Int {
        Int(truncatingIfNeeded: ((id.high ^ Self.seed) &* 0x9e37_79b9_7f4a_7c15) >> UInt64(shift))
    }

    public func contains(_ id: ObjectID) -> Bool {
        if id == Self.empty { return holdsZero }
        var index = slot(for: id)
        let mask = self.mask
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let current = slots[index]
                if current == id { return true }
                if current == Self.empty { return false }
                index = (index + 1) & mask
            }
        }
    }

    /// Adds `id`; false when it was there already.
    @discardableResult
    public mutating func insert(_ id: ObjectID) -> Bool {
        if id == Self.empty {
            defer { holdsZero = true }
            return !holdsZero
        }
        if (count + 1) * 2 > slots.count { grow() }
        var index = slot(for: id)
        let mask = self.mask
        let inserted = slots.withUnsafeMutableBufferPointer { slots in
            while true {
                let current = slots[index]
                if current == id { return false }
                if current == Self.empty {
                    slots[index] = id
                    return true
                }
                index = (index + 1) & mask
            }
        }
        if inserted { count += 1 }
        return inserted
    }

    private mutating func grow() {
        let old = slots
        slots = [ObjectID](repeating: Self.empty, count: old.count * 2)
        mask = slots.count - 1
        shift -= 1
        count = 0
        for id in old where id != Self.empty { insert(id) }
    }
}
