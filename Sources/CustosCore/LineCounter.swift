#if canImport(Glibc)
import Glibc
#endif

/// The line (1-based) and column (code points since the line began) reached after a stretch
/// of UTF-8. Line breaks are found with `memchr`; code points are counted only on the last
/// line, so advancing over a chunk of a large file costs one pass of `memchr`, not a Swift
/// loop over every byte.
public struct LineCounter: Sendable, Hashable {
    public var line: Int
    public var column: Int

    public init(line: Int = 1, column: Int = 0) {
        self.line = line
        self.column = column
    }

    /// Advances over `bytes`; returns the offset in `bytes` just past its last line break, or
    /// nil when it holds none.
    @discardableResult
    public mutating func advance(over bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return nil }
        var index = 0
        var lastLineStart: Int?
        while let hit = memchr(base + index, 0x0a, bytes.count - index) {
            index = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
            line += 1
            column = 0
            lastLineStart = index
        }
        while index < bytes.count {
            if base[index] & 0xc0 != 0x80 { column += 1 }
            index += 1
        }
        return lastLineStart
    }
}
