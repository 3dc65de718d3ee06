import CustosCore

/// Text made for scanning out of pieces of another, with the way back to where each piece sits:
/// SCL rebuilt from SimaticML tokens, a SQLite row, a table row, a decoded base64 value.
///
/// The bytes are segments (copied from, or decoded out of, the source) and context between
/// them: names a value belongs to (`DATASOURCES.PASSWORD=`, `Password=`, the rest of the line a
/// base64 value stood on), so rules see what the value is. `map` takes any derived range back
/// to the source bytes; a secret that starts in context maps to nothing and is not reported
/// from the derived text (the source scan saw it already, or it is not there at all).
public struct DerivedText: Sendable {
    /// One stretch of the derived bytes that came from the source.
    public struct Segment: Sendable {
        public var range: Range<Int>
        /// The origin findings in this segment belong to instead of the source's (a SQLite
        /// cell); its bytes are then the segment's own, from offset 0.
        public var origin: Origin?
        /// The logical path findings in this segment carry.
        public var logicalPath: String?
    }

    public private(set) var bytes: [UInt8] = []
    public private(set) var map = OffsetMap()
    public private(set) var segments: [Segment] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { segments.isEmpty }

    /// Appends bytes that only give context (names, separators).
    public mutating func appendContext<Bytes: Collection>(_ context: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: context)
    }

    public mutating func appendContext(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends source bytes unchanged, from source offset `sourceStart` on.
    public mutating func appendCopied<Bytes: Collection>(_ segment: Bytes, sourceStart: Int, origin: Origin? = nil,
                                                        logicalPath: String? = nil) where Bytes.Element == UInt8 {
        let start = bytes.count
        bytes.append(contentsOf: segment)
        guard bytes.count > start else { return }
        map.copy(derivedStart: start, sourceStart: sourceStart, count: bytes.count - start)
        segments.append(Segment(range: start..<bytes.count, origin: origin, logicalPath: logicalPath))
    }

    /// Appends bytes decoded out of the source bytes `source`: every finding in them is
    /// located at `source`, the place a person opens.
    public mutating func appendDecoded<Bytes: Collection>(_ segment: Bytes, from source: Range<Int>,
                                                         logicalPath: String? = nil) where Bytes.Element == UInt8 {
        let start = bytes.count
        bytes.append(contentsOf: segment)
        guard bytes.count > start else { return }
        map.replace(derived: start..<bytes.count, source: source)
        segments.append(Segment(range: start..<bytes.count, origin: nil, logicalPath: logicalPath))
    }

    /// The segment holding derived byte `offset`, by binary search.
    public func segment(at offset: Int) -> Segment? {
        var low = 0
        var high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].range.upperBound <= offset { low = mid + 1 } else { high = mid }
        }
        guard low < segments.count, segments[low].range.contains(offset) else { return nil }
        return segments[low]
    }
}
