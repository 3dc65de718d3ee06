/// SCL code as TIA Portal (V17 and later) exports it through Openness: not as text but as a
/// `<StructuredText>` tree of tokens, one XML element per identifier, operator, blank and
/// literal. `#ftpPassword := 'secret';` becomes a dozen elements over a dozen lines, which no
/// line-based rule can read. This rebuilds the SCL text, each literal and comment a segment
/// placed at its own line of the export, so the structured-text rules read it as written and
/// findings open at the literal.
public enum SimaticSCL {
    /// Whether a text is SimaticML holding tokenised SCL (cheap: only `.xml` names are searched).
    public static func applies(to bytes: UnsafeRawBufferPointer, name: String) -> Bool {
        // SimaticML opens with <Document> and <Engineering version=…> in its first lines.
        guard name.lowercased().hasSuffix(".xml"),
              contains(UnsafeRawBufferPointer(rebasing: bytes.prefix(1024)), "<Engineering") else { return false }
        return contains(bytes, "<StructuredText")
    }

    /// The rebuilt SCL of every `<StructuredText>` in the export.
    public static func derive(_ bytes: UnsafeRawBufferPointer) -> DerivedText {
        var builder = Builder(bytes: bytes)
        XMLEvents.read(bytes) { builder.handle($0) }
        return builder.text
    }

    private struct Builder {
        let bytes: UnsafeRawBufferPointer
        var text = DerivedText()
        var active = false
        var blockKind = "block"
        var blockName: String?
        var awaitingBlockName = false
        var network = 0
        var quoteNextComponent = false
        var literalStart: Int?

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func handle(_ event: XMLEvents.Event) {
            switch event {
            case let .start(name, attributes, _):
                if name.hasPrefix("SW.Blocks.") && name != "SW.Blocks.CompileUnit" && !active {
                    blockKind = String(name.dropFirst("SW.Blocks.".count))
                    blockName = nil
                    awaitingBlockName = true
                    network = 0
                } else if name == "SW.Blocks.CompileUnit" {
                    network += 1
                } else if name == "Name" && awaitingBlockName {
                    literalStart = -1
                } else if name == "StructuredText" {
                    active = true
                    text.appendContext([0x0a])
                } else if active {
                    start(name, attributes)
                }
            case let .end(name):
                if name == "StructuredText" {
                    active = false
                    text.appendContext([0x0a])
                } else if name == "Access" {
                    quoteNextComponent = false
                }
            case let .text(range):
                if literalStart == -1 && awaitingBlockName {
                    blockName = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self).trimmingWhitespace()
                    awaitingBlockName = false
                    literalStart = nil
                } else if active, let start = literalStart, start >= 0 {
                    literal(range)
                    literalStart = nil
                }
            }
        }

        private mutating func start(_ name: String, _ attributes: [String: String]) {
            switch name {
            case "Access":
                if attributes["Scope"] == "LocalVariable" { text.appendContext("#") }
                quoteNextComponent = attributes["Scope"] == "GlobalVariable"
            case "Component":
                let component = attributes["Name"] ?? ""
                text.appendContext(quoteNextComponent ? "\"\(component)\"" : component)
                quoteNextComponent = false
            case "Token":
                text.appendContext(attributes["Text"] ?? "")
            case "Blank":
                text.appendContext(String(repeating: " ", count: max(1, min(200, Int(attributes["Num"] ?? "1") ?? 1))))
            case "NewLine":
                text.appendContext(String(repeating: "\n", count: max(1, min(50, Int(attributes["Num"] ?? "1") ?? 1))))
            case "ConstantValue", "Text":
                literalStart = 0
            case "LineComment":
                text.appendContext("// ")
            default:
                break
            }
        }

        private mutating func literal(_ range: Range<Int>) {
            let variable = text.bytes.withUnsafeBytes { LogicalPaths.assignedName(in: $0, at: $0.count) }
            var path = "\(blockKind) \(blockName ?? "?")/network \(network)"
            if let variable { path += "/" + variable }
            text.appendCopied(UnsafeRawBufferPointer(rebasing: bytes[range]), sourceStart: range.lowerBound,
                              logicalPath: path)
        }
    }

    static func contains(_ bytes: UnsafeRawBufferPointer, _ marker: String) -> Bool {
        let needle = Array(marker.utf8)
        guard bytes.count >= needle.count else { return false }
        let first = needle[0]
        var offset = 0
        let last = bytes.count - needle.count
        while offset <= last {
            if bytes[offset] == first {
                var index = 1
                while index < needle.count && bytes[offset + index] == needle[index] { index += 1 }
                if index == needle.count { return true }
            }
            offset += 1
        }
        return false
    }
}

/// A tolerant reader of XML events: start tags with their attributes, end tags, text. Broken
/// markup is read as far as it makes sense and never stops the reader.
enum XMLEvents {
    enum Event {
        case start(name: String, attributes: [String: String], selfClosing: Bool)
        case end(name: String)
        case text(Range<Int>)
    }

    static func read(_ bytes: UnsafeRawBufferPointer, _ handle: (Event) -> Void) {
        var index = 0
        let count = bytes.count
        func skip(past marker: [UInt8], from start: Int) -> Int {
            var position = start
            while position + marker.count <= count {
                var matched = true
                for (offset, byte) in marker.enumerated() where bytes[position + offset] != byte {
                    matched = false
                    break
                }
                if matched { return position + marker.count }
                position += 1
            }
            return count
        }
        while index < count {
            var open = index
            while open < count && bytes[open] != UInt8(ascii: "<") { open += 1 }
            if open > index { handle(.text(index..<open)) }
            guard open + 1 < count else { return }
            let kind = bytes[open + 1]
            if kind == UInt8(ascii: "!") {
                // `<!` may end the text: nothing after it is read unless it is there.
                if open + 9 <= count && bytes[open + 2] == UInt8(ascii: "[") {
                    let end = skip(past: Array("]]>".utf8), from: open + 9)
                    handle(.text((open + 9)..<max(open + 9, end - 3)))
                    index = end
                } else {
                    let comment = open + 2 < count && bytes[open + 2] == UInt8(ascii: "-")
                    index = skip(past: comment ? Array("-->".utf8) : [UInt8(ascii: ">")], from: open + 2)
                }
                continue
            }
            if kind == UInt8(ascii: "?") {
                index = skip(past: Array("?>".utf8), from: open + 2)
                continue
            }
            var close = open + 1
            var quote: UInt8 = 0
            while close < count {
                let byte = bytes[close]
                if quote != 0 {
                    if byte == quote { quote = 0 }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") {
                    break
                }
                close += 1
            }
            let tag = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(open + 1)..<min(close, count)]), as: UTF8.self)
            index = min(count, close + 1)
            if tag.hasPrefix("/") {
                handle(.end(name: String(tag.dropFirst().prefix { !$0.isWhitespace })))
                continue
            }
            let selfClosing = tag.hasSuffix("/")
            let body = selfClosing ? String(tag.dropLast()) : tag
            let name = String(body.prefix { !$0.isWhitespace })
            guard !name.isEmpty else { continue }
            handle(.start(name: name, attributes: attributes(in: body.dropFirst(name.count)), selfClosing: selfClosing))
            if selfClosing { handle(.end(name: name)) }
        }
    }

    /// `Name="x" Text='y'` → ["Name": "x", "Text": "y"].
    static func attributes(in text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = text[...]
        while true {
            rest = rest.drop { $0.isWhitespace }
            guard let equals = rest.firstIndex(of: "=") else { return result }
            let name = rest[..<equals].trimmingWhitespaceSubstring()
            rest = rest[rest.index(after: equals)...].drop { $0.isWhitespace }
            guard let quote = rest.first, quote == "\"" || quote == "'" else { return result }
            rest = rest.dropFirst()
            let end = rest.firstIndex(of: quote) ?? rest.endIndex
            result[String(name)] = String(rest[..<end])
            rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[rest.endIndex...]
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespaceSubstring() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
