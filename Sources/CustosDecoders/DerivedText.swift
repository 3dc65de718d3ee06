import CustosCore

/// Text made for scanning out of pieces of another, with the way back to where each piece sits:
/// SCL rebuilt from SimaticML tokens, a SQLite row, a table row, a decoded base64 value.
///
/// The bytes are segments (copied from, or decoded out of, the source) and context between
/// them: names a value belongs to (`DATASOURCES.PASSWORD=`, `Password=`, the rest of the line a
/// base64 value stood on), so rules see what the value is. A secret that starts in context is
/// not reported from the derived text: the source scan saw it already, or it is not there at all.
public struct DerivedText: Sendable {
    /// What a finding in one segment reports.
    public enum Place: Sendable, Equatable {
        /// The segment's bytes are the source's bytes from this position on: the line
        /// (1-based), column (code points, 0-based) and byte offset of its first byte. Lines
        /// and columns inside the segment count on from there.
        case flowing(line: Int, column: Int, byte: Int)
        /// The segment was decoded out of the source span `start..<end` (1-based columns),
        /// bytes `bytes`: every finding in it reports that span, the place a person opens.
        case fixed(start: TextPosition, end: TextPosition, bytes: Range<Int>)
    }

    /// One stretch of the derived bytes that came from the source.
    public struct Segment: Sendable {
        public var range: Range<Int>
        public var place: Place
        /// The path findings in this segment report instead of the blob's (a SQLite cell:
        /// `config.idb!/DATASOURCES.PASSWORD[2]`); nil keeps the blob's path.
        public var path: String?
        /// The logical path findings in this segment carry.
        public var logicalPath: String?
        /// Line (1-based) and column (0-based) of the derived text where the segment starts.
        var derivedLine: Int
        var derivedColumn: Int
    }

    public private(set) var bytes: [UInt8] = []
    public private(set) var segments: [Segment] = []
    private var counter = LineCounter()

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { segments.isEmpty }

    /// Appends bytes that only give context (names, separators).
    public mutating func appendContext<Bytes: Collection>(_ context: Bytes) where Bytes.Element == UInt8 {
        append(context)
    }

    public mutating func appendContext(_ text: String) {
        append(Array(text.utf8))
    }

    /// Appends bytes that came from the source at `place`.
    public mutating func appendSegment<Bytes: Collection>(_ segment: Bytes, place: Place, path: String? = nil,
                                                         logicalPath: String? = nil) where Bytes.Element == UInt8 {
        let start = bytes.count
        let (startLine, startColumn) = (counter.line, counter.column)
        append(segment)
        guard bytes.count > start else { return }
        segments.append(Segment(range: start..<bytes.count, place: place, path: path, logicalPath: logicalPath,
                                derivedLine: startLine, derivedColumn: startColumn))
    }

    private mutating func append<Bytes: Collection>(_ more: Bytes) where Bytes.Element == UInt8 {
        let start = bytes.count
        bytes.append(contentsOf: more)
        bytes.withUnsafeBytes { counter.advance(over: UnsafeRawBufferPointer(rebasing: $0[start...])) }
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

    /// Moves a finding made on `bytes` to the place in the source it came from; false when
    /// its secret starts in context (the caller drops it).
    public func relocate(_ finding: inout Finding) -> Bool {
        guard let segment = segment(at: finding.byteStart) else { return false }
        switch segment.place {
        case let .flowing(line, column, byte):
            let start = Self.position(finding.start, in: segment, line: line, column: column)
            // A secret running past its segment ends where the segment ends.
            let endOffset = min(finding.byteEnd, segment.range.upperBound)
            let end = endOffset == finding.byteEnd
                ? Self.position(finding.end, in: segment, line: line, column: column)
                : start
            finding.start = start
            finding.end = end
            finding.byteStart = byte + (finding.byteStart - segment.range.lowerBound)
            finding.byteEnd = byte + (endOffset - segment.range.lowerBound)
        case let .fixed(start, end, bytes):
            finding.start = start
            finding.end = end
            finding.byteStart = bytes.lowerBound
            finding.byteEnd = bytes.upperBound
        }
        if let path = segment.path { finding.path = path }
        if let logicalPath = segment.logicalPath {
            // A path found inside the segment (a decoding within it) nests under the segment's.
            finding.logicalPath = finding.logicalPath.map { logicalPath + "/" + $0 } ?? logicalPath
        }
        return true
    }

    /// A derived position (1-based line and column) as a source position.
    private static func position(_ derived: TextPosition, in segment: Segment, line: Int, column: Int) -> TextPosition {
        let lines = derived.line - segment.derivedLine
        if lines == 0 {
            return TextPosition(line: line, column: column + (derived.column - 1 - segment.derivedColumn) + 1)
        }
        return TextPosition(line: line + lines, column: derived.column)
    }
}
