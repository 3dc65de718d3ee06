import CustosCore

/// Turns confirmed matches (buffer offsets) into findings (path, line, column, snippet,
/// fingerprint), walking the buffer once in order of position.
struct FindingBuilder {
    let base: UnsafePointer<UInt8>
    let count: Int
    let region: BlobRegion

    /// Characters of context kept on either side of a secret in the snippet.
    static let snippetContext = 80

    /// Adds a finding per match to `sink`; a repeat of a secret the blob already holds under
    /// the same rule only counts on the first finding (no strings, no hash of the secret).
    func build(_ matches: [ConfirmedMatch], rules: [CompiledRule], into sink: inout FindingSink) {
        var cursor = LineCursor(line: region.startLine, column: region.startColumn)
        for match in matches {
            cursor.advance(to: match.secretStart, in: base)
            let rule = rules[match.rule].rule
            let secretBytes = UnsafeBufferPointer(start: base + match.secretStart,
                                                  count: match.secretEnd - match.secretStart)
            if sink.fold(ruleID: rule.id, secret: UnsafeRawBufferPointer(secretBytes), origin: region.origin, line: cursor.line) {
                continue
            }
            guard sink.admitsDistinct() else { continue }
            var endCursor = cursor
            endCursor.advance(to: match.secretEnd, in: base)
            let span = Span(byteStart: region.baseOffset + match.secretStart,
                            byteEnd: region.baseOffset + match.secretEnd,
                            start: TextPosition(line: cursor.line, column: cursor.column + 1),
                            end: TextPosition(line: endCursor.line, column: endCursor.column + 1))
            sink.record(Finding(
                ruleID: rule.id,
                location: Location(origin: region.origin, span: span),
                secret: String(decoding: secretBytes, as: UTF8.self),
                identity: match.identity.map { text($0) },
                fingerprint: Fingerprint(ruleID: rule.id, secret: secretBytes),
                snippet: snippet(secretStart: match.secretStart, secretEnd: match.secretEnd,
                                 lineStart: cursor.lineStart ?? 0)))
        }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
    }

    func snippet(secretStart: Int, secretEnd: Int, lineStart: Int) -> Snippet {
        let from = max(lineStart, secretStart - Self.snippetContext)
        var lineEnd = secretEnd
        let ceiling = min(count, secretEnd + Self.snippetContext)
        while lineEnd < ceiling && base[lineEnd] != 0x0a && base[lineEnd] != 0x0d { lineEnd += 1 }
        var before = text(from..<secretStart)
        if from > lineStart { before = "…" + before }
        var after = text(secretEnd..<lineEnd)
        if lineEnd == ceiling && lineEnd < count && base[lineEnd] != 0x0a { after += "…" }
        return Snippet(before: before, after: after)
    }
}

/// Counts lines and columns (in code points) while walking forward through a buffer, so
/// positions for all findings in a buffer cost one pass, however long its lines.
struct LineCursor {
    var offset = 0
    private var counter: LineCounter
    /// Offset where the current line starts, nil while it started before the buffer.
    var lineStart: Int?

    init(line: Int, column: Int) {
        counter = LineCounter(line: line, column: column)
    }

    var line: Int { counter.line }
    /// Code points between the start of the current line and `offset`.
    var column: Int { counter.column }

    mutating func advance(to target: Int, in base: UnsafePointer<UInt8>) {
        guard target > offset else { return }
        if let start = counter.advance(over: UnsafeRawBufferPointer(start: base + offset, count: target - offset)) {
            lineStart = offset + start
        }
        offset = target
    }
}
