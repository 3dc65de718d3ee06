import CustosCore
import CustosDecoders

/// One blob's texts, from the bytes as stored to the text rules read, with the maps between
/// them, so every finding is reported at exact positions in the blob a person opens:
///
///     raw bytes ──(encoding: UTF-16 → UTF-8)──▶ display text ──(entities, escapes)──▶ text rules read
///
/// Byte offsets are reported in the raw bytes (a UTF-16 file's own bytes), lines and columns
/// in the display text (what an editor shows: entities and escapes as written).
struct TextFrame {
    let origin: Origin
    private let raw: UnsafeRawBufferPointer
    /// The display text when it differs from the raw bytes (transcoded), with its map to them.
    private var display: DecodedText?
    /// Transforms applied to the display text, outermost first; the last is what rules read.
    private var transforms: [DecodedText] = []

    init(origin: Origin, raw: UnsafeRawBufferPointer) {
        self.origin = origin
        self.raw = raw
    }

    var hasDisplay: Bool { display != nil }

    mutating func setDisplay(_ text: DecodedText) {
        display = text
    }

    mutating func push(_ text: DecodedText) {
        transforms.append(text)
    }

    /// Calls `body` with the display text.
    func withDisplay<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        if let display { return display.bytes.withUnsafeBytes(body) }
        return body(raw)
    }

    /// Calls `body` with the text rules read.
    func withText<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        if let last = transforms.last { return last.bytes.withUnsafeBytes(body) }
        return withDisplay(body)
    }

    /// Moves the findings of `range` that belong to this frame from offsets in the text rules
    /// read to their exact place: byte offsets in the raw bytes, lines and columns in the
    /// display text. One forward walk over the display text places them all.
    func locate(_ findings: inout [Finding], range: Range<Int>) {
        locate(&findings, range: range, offsetsIn: .text)
    }

    /// Which of the frame's texts a finding's offsets are in before it is located.
    enum Coordinates {
        /// The text rules read (after every transform).
        case text
        /// The display text (named values read it: their extractors resolve entities and
        /// escapes themselves, with exact positions).
        case display
    }

    func locate(_ findings: inout [Finding], range: Range<Int>, offsetsIn coordinates: Coordinates) {
        var indices: [Int] = []
        var displayRanges: [Int: Range<Int>] = [:]
        for index in range where findings[index].origin == origin {
            var bytes = findings[index].byteStart..<max(findings[index].byteStart, findings[index].byteEnd)
            if coordinates == .text {
                for transform in transforms.reversed() {
                    bytes = transform.map.sourceRange(of: bytes) ?? bytes.lowerBound..<bytes.lowerBound
                }
            }
            indices.append(index)
            displayRanges[index] = bytes
        }
        guard !indices.isEmpty else { return }
        withDisplay { text in
            var marks: [(offset: Int, index: Int, isEnd: Bool)] = []
            marks.reserveCapacity(indices.count * 2)
            for index in indices {
                let bytes = displayRanges[index]!
                marks.append((min(bytes.lowerBound, text.count), index, false))
                marks.append((min(bytes.upperBound, text.count), index, true))
            }
            marks.sort { $0.offset < $1.offset }
            var counter = LineCounter()
            var walked = 0
            for mark in marks {
                if mark.offset > walked {
                    counter.advance(over: UnsafeRawBufferPointer(rebasing: text[walked..<mark.offset]))
                    walked = mark.offset
                }
                let position = TextPosition(line: counter.line, column: counter.column + 1)
                if mark.isEnd { findings[mark.index].end = position } else { findings[mark.index].start = position }
            }
        }
        for index in indices {
            var bytes = displayRanges[index]!
            if let display { bytes = display.map.sourceRange(of: bytes) ?? bytes }
            findings[index].byteStart = bytes.lowerBound
            findings[index].byteEnd = bytes.upperBound
        }
    }

    /// Where a range of the display text lies in the raw bytes (a UTF-16 file's own offsets).
    func rawRange(ofDisplay bytes: Range<Int>) -> Range<Int> {
        display.flatMap { $0.map.sourceRange(of: bytes) } ?? bytes
    }

    /// The span of `bytes` within `text` (a small text located on its own, such as a cell).
    static func span(of bytes: Range<Int>, in text: UnsafeRawBufferPointer) -> Span {
        let lower = max(0, min(bytes.lowerBound, text.count))
        let upper = max(lower, min(bytes.upperBound, text.count))
        var counter = LineCounter()
        counter.advance(over: UnsafeRawBufferPointer(rebasing: text[0..<lower]))
        let start = TextPosition(line: counter.line, column: counter.column + 1)
        counter.advance(over: UnsafeRawBufferPointer(rebasing: text[lower..<upper]))
        return Span(byteStart: lower, byteEnd: upper, start: start,
                    end: TextPosition(line: counter.line, column: counter.column + 1))
    }
}
