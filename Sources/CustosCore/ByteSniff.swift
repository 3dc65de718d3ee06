import Foundation

extension UnsafeRawBufferPointer {
    /// Whether any byte is NUL (the binary sniff), found with `memchr`: a generic
    /// `contains(0)` over a buffer slice costs a Swift loop per byte on every file read.
    public var holdsNUL: Bool {
        guard let base = baseAddress, count > 0 else { return false }
        return memchr(base, 0, count) != nil
    }
}
