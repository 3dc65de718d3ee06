/// A position a person can open: 1-based line, 1-based column in Unicode code points.
public struct TextPosition: Sendable, Hashable, Codable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// A stretch of one artifact: byte offsets in the bytes as stored (a UTF-16 file's bytes, an
/// archive member's bytes), and the lines and columns a person sees when opening it.
public struct Span: Sendable, Hashable {
    /// 0-based, end-exclusive byte offsets.
    public var byteStart: Int
    public var byteEnd: Int
    public var start: TextPosition
    public var end: TextPosition

    public init(byteStart: Int, byteEnd: Int, start: TextPosition, end: TextPosition) {
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.start = start
        self.end = end
    }

    public var bytes: Range<Int> { byteStart..<max(byteStart, byteEnd) }
}

/// Where a finding is: what holds it, the span in that, and where in its structure.
public struct Location: Sendable, Hashable {
    public var origin: Origin
    public var span: Span
    /// Where the secret sits inside the structure: an XML element path
    /// (`Controller[Line3]/Tags/Tag[HMI_Password]`), a JSON path, a PLC block and variable, a
    /// decoded value (`…/base64`). Nil when the line alone says it.
    public var logicalPath: String?

    public init(origin: Origin, span: Span, logicalPath: String? = nil) {
        self.origin = origin
        self.span = span
        self.logicalPath = logicalPath
    }

    /// `path:line`, as text reports and messages show a place.
    public var display: String { "\(origin.display):\(span.start.line)" }
}
