/// Deterministic mutations for the smoke run: the kinds libFuzzer makes first (bit flips,
/// byte changes, interesting values, insertions, deletions, truncation, splices of two
/// inputs), from a seeded generator, so a failure is reproduced by its seed and index.
public struct FuzzMutator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed &+ 0x9e37_79b9_7f4a_7c15
    }

    private mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        var value = state
        value ^= value >> 29
        return value
    }

    private mutating func below(_ bound: Int) -> Int {
        bound <= 1 ? 0 : Int(next() % UInt64(bound))
    }

    /// One to four mutations of `input` (with `other` to splice from).
    public mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) {
            let position = below(bytes.count + 1)
            switch below(9) {
            case 0 where !bytes.isEmpty:
                bytes[min(position, bytes.count - 1)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty:
                bytes[min(position, bytes.count - 1)] = UInt8(truncatingIfNeeded: next())
            case 2 where !bytes.isEmpty:
                let interesting: [UInt8] = [0, 1, 0x7f, 0x80, 0xff, 0x3c, 0x26, 0x24, 0x22, 0x0a, 0x3b]
                bytes[min(position, bytes.count - 1)] = interesting[below(interesting.count)]
            case 3:
                bytes.insert(contentsOf: (0..<(1 + below(16))).map { _ in UInt8(truncatingIfNeeded: next()) }, at: position)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, position + 1 + below(64))
                bytes.removeSubrange(min(position, end)..<end)
            case 5:
                bytes = Array(bytes.prefix(position))
            case 6 where !other.isEmpty:
                let start = below(other.count)
                let piece = other[start..<min(other.count, start + 1 + below(256))]
                bytes.insert(contentsOf: piece, at: position)
            case 7 where bytes.count >= 4:
                // A 32-bit field (a size or an offset) set to an extreme.
                let at = min(position, bytes.count - 4)
                let value: UInt32 = [0, 0xffff_ffff, 0x7fff_ffff, 0x8000_0000, UInt32(bytes.count)][below(5)]
                for index in 0..<4 { bytes[at + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
            default:
                if !bytes.isEmpty {
                    let from = below(bytes.count)
                    let length = min(bytes.count - from, 1 + below(32))
                    bytes.insert(contentsOf: bytes[from..<(from + length)], at: position)
                }
            }
        }
        return bytes
    }
}
