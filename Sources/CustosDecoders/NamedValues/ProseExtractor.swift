// Credentials written into prose: comments and descriptions of PLC tags, spreadsheet notes,
// commissioning reports (`Rezept-Download per FTP (Benutzer rezept, Kennwort …)`,
// `HMI password (…)`, `pw: …`). The scanner runs this only inside values that may carry a
// credential (a comment, a description, a cell), never over whole files. The trade-off: a
// value taken from prose must look like a password someone chose — letters with a digit or a
// symbol, six characters or more — so `siehe KeePass` and `must be 8 characters` stay out.

import CustosCore

public struct ProseExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    /// Prose is only read inside other values.
    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool { false }

    static let fillers: Set<String> = ["is", "ist", "lautet", "=", ":", "-", "–", "est", "es", "è", "wird", "=>", "->", "was",
                                       "war", "now", "jetzt", "neu", "new", "set", "to", "auf", "als"]

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        let tokens = LineTokenizer.tokens(text, 0..<text.count, backslashEscapes: false, limit: 4096)
        var identity: String?
        var index = 0
        while index < tokens.count {
            guard budget.spend(bytes: tokens[index].span.count) else { return }
            var word = stripped(tokens[index].content, in: text)
            var inlineValue: Range<Int>?
            // `pw=abc`, `Kennwort:abc`.
            if let separator = (word.lowerBound..<word.upperBound).first(where: { text[$0] == ASCII.equals || text[$0] == ASCII.colon }),
               separator + 1 < word.upperBound {
                inlineValue = (separator + 1)..<word.upperBound
                word = word.lowerBound..<separator
            }
            // Most words of a sentence are no names: the sieve looks before any string is made.
            let wordBytes = UnsafeRawBufferPointer(rebasing: text[word.clamped(to: 0..<text.count)])
            guard word.count <= 64, lens.sieve.mayBeCredential(wordBytes) || lens.sieve.mayBeIdentity(wordBytes) else {
                index += 1
                continue
            }
            let name = text.string(word)
            if lens.isIdentity(name), inlineValue == nil, index + 1 < tokens.count {
                identity = text.string(stripped(tokens[index + 1].content, in: text))
                index += 2
                continue
            }
            guard lens.mayMatter(text, word), case let .credential(_, strength, _) = lens.vocabulary.judge(name), strength >= .medium else {
                index += 1
                continue
            }
            var valueRange = inlineValue
            var next = index + 1
            var sawFiller = inlineValue != nil
            while valueRange == nil && next < tokens.count {
                let candidate = stripped(tokens[next].content, in: text)
                // A sentence names its value on the same line.
                if (tokens[index].span.upperBound..<max(tokens[index].span.upperBound, tokens[next].span.lowerBound))
                    .contains(where: { text[$0] == ASCII.newline }) { break }
                if Self.fillers.contains(text.string(candidate).lowercased()) || candidate.isEmpty { next += 1; sawFiller = true; continue }
                valueRange = candidate
            }
            // Without `is`, `:` or `=` between them, only a name that says password outright
            // (`Kennwort rezept7!`) takes the next word as its value.
            if let value = valueRange, sawFiller || strength == .strong, looksChosen(value, in: text), budget.takeValue() {
                emit(NamedValue(name: name, namePath: "text \(name)", valueSpan: value, value: text.bytes(value), identity: identity,
                                format: .table))
            }
            index = max(next, index + 1)
        }
    }

    /// The token without surrounding quotes, brackets and punctuation.
    func stripped(_ range: Range<Int>, in text: UnsafeRawBufferPointer) -> Range<Int> {
        var start = range.lowerBound
        var end = range.upperBound
        let openers: Set<UInt8> = [ASCII.openParen, ASCII.quote, ASCII.apostrophe, ASCII.openBracket, 0x60, ASCII.less]
        let closers: Set<UInt8> = [ASCII.closeParen, ASCII.quote, ASCII.apostrophe, ASCII.closeBracket, ASCII.comma, ASCII.semicolon,
                                   ASCII.dot, 0x60, ASCII.greater, ASCII.colon]
        while start < end && openers.contains(text[start]) { start += 1 }
        while end > start && closers.contains(text[end - 1]) { end -= 1 }
        return start..<end
    }

    func looksChosen(_ range: Range<Int>, in currentText: UnsafeRawBufferPointer) -> Bool {
        guard range.count >= 6, range.count <= 64 else { return false }
        var letters = 0, others = 0
        for index in range {
            let byte = currentText[index]
            if ASCII.isLetter(byte) || byte >= 0x80 { letters += 1 } else if !ASCII.isWhitespace(byte) { others += 1 }
        }
        guard letters >= 2, others >= 1 else { return false }
        let value = currentText.string(range)
        // Markup, identifiers (`END_DATATYPE`, `ascii-text`) and slashed pairs are no passwords.
        if value.contains("<") || value.contains(">") { return false }
        if value.allSatisfy({ $0.isLetter || $0 == "_" || $0 == "-" }) { return false }
        return !value.contains("://") && !value.hasPrefix("/") && !value.hasPrefix("\\") && !value.contains("*")
    }
}
