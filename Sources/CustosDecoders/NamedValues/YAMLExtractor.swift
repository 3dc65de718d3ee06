// YAML as configuration files write it (Kubernetes and Compose manifests, Ansible inventories
// and vars, CI pipelines, Home Assistant, Netplan, Helm values): block mappings and sequences
// by indentation, `key: value` with plain, single- and double-quoted scalars, block scalars
// (`|`, `>`), flow mappings on one line, and tags (`!vault`, `!Ref`). Kubernetes env entries
// (`- name: DB_PASSWORD` / `value: …`) name their value by the sibling `name`; Compose
// `environment:` lists (`- DB_PASSWORD=…`) split at `=`; values of a Kubernetes `Secret`'s
// `data:` are base64 and read decoded. The trade-off: a line reader, not a YAML parser —
// anchors and multi-line flow collections are not followed.

import CustosCore
import Foundation

public struct YAMLExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        let lower = name.lower
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".yaml.j2") || lower.hasSuffix(".yml.j2")
            || lower.hasSuffix(".sls") || lower.hasSuffix(".eyaml") {
            return true
        }
        let start = prefix.skipWhitespace(from: 0)
        return prefix.matchesExactly("---", at: start) || prefix.matchesExactly("%YAML", at: start)
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        var reader = YAMLReader(text: text, lens: lens)
        reader.run(budget: &budget, emit: emit)
    }
}

private struct YAMLReader {
    let text: UnsafeRawBufferPointer
    let lens: NameLens

    struct Level {
        var indent: Int
        var key: String
        var pairing = IdentityPairing()
        var label: String?
        var generic: [NamedValue] = []
        var isListItem = false
        var itemIndex = -1
    }

    var levels: [Level] = []
    var isSecret = false

    init(text: UnsafeRawBufferPointer, lens: NameLens) {
        self.text = text
        self.lens = lens
    }

    var path: String { levels.map(\.key).filter { !$0.isEmpty }.joined(separator: ".") }

    mutating func run(budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        isSecret = text.contains("kind: secret", in: 0..<min(text.count, 64 * 1024))
        var index = 0
        while index < text.count {
            let lineEnd = text.lineEnd(from: index)
            guard budget.spend(bytes: lineEnd - index + 1), !budget.isExhausted else { break }
            var next = lineEnd + 1
            let indentEnd = text.skipSpaces(from: index, limit: lineEnd)
            let content = text.trimmed(indentEnd..<lineEnd)
            if !content.isEmpty, text[content.lowerBound] != ASCII.hash {
                if text.matchesExactly("---", at: content.lowerBound) || text.matchesExactly("...", at: content.lowerBound) {
                    closeLevels(above: Int.min, emit: emit)
                } else {
                    next = max(next, readLine(indent: indentEnd - index, content: content, lineEnd: lineEnd, budget: &budget, emit: emit))
                }
            }
            index = next
        }
        closeLevels(above: Int.min, emit: emit)
    }

    mutating func closeLevels(above indent: Int, emit: (NamedValue) -> Void) {
        while let last = levels.last, last.indent > indent {
            var level = levels.removeLast()
            if let label = level.label, lens.mayMatter(label) {
                for var value in level.generic {
                    value.name = label
                    level.pairing.add(value)
                }
            }
            if !levels.isEmpty {
                level.pairing.flush { levels[levels.count - 1].pairing.add($0) }
            } else {
                level.pairing.flush(emit)
            }
        }
    }

    /// Reads one line; returns where the next line starts when a block scalar was consumed.
    mutating func readLine(indent: Int, content: Range<Int>, lineEnd: Int, budget: inout ExtractionBudget,
                           emit: (NamedValue) -> Void) -> Int {
        var start = content.lowerBound
        var indent = indent
        // `- ` list items: the item is a level of its own.
        var isItem = false
        while start < content.upperBound, text[start] == ASCII.dash,
              start + 1 == content.upperBound || ASCII.isSpace(text[start + 1]) {
            isItem = true
            closeLevels(above: indent, emit: emit)
            if let last = levels.last, last.indent == indent, last.isListItem {
                var item = levels.removeLast()
                closeItem(&item, emit: emit)
            }
            var parentItemIndex = 0
            if let last = levels.last { parentItemIndex = last.itemIndex + 1; levels[levels.count - 1].itemIndex = parentItemIndex }
            levels.append(Level(indent: indent, key: "[\(parentItemIndex)]", isListItem: true))
            start = text.skipSpaces(from: start + 1, limit: content.upperBound)
            indent += start - content.lowerBound
            guard start < content.upperBound else { return 0 }
        }
        let line = start..<content.upperBound
        guard let colon = keySeparator(in: line) else {
            if isItem { listScalar(line, budget: &budget) }
            return 0
        }
        closeLevels(above: indent, emit: emit)
        if !isItem, let last = levels.last, last.indent == indent, !last.isListItem {
            // A sibling key at the same indentation as a mapping that had children: that
            // mapping is closed by `closeLevels` above; nothing to do.
        }
        var key = text.trimmed(line.lowerBound..<colon)
        let (inner, _) = LineTokenizer.unquote(text, key)
        key = inner
        let name = text.string(key)
        let valueStart = text.skipSpaces(from: colon + 1, limit: line.upperBound)
        if valueStart >= line.upperBound || text[valueStart] == ASCII.hash {
            // A nested mapping or sequence follows.
            levels.append(Level(indent: indent + 1, key: name))
            return 0
        }
        return readValue(name: name, key: key, from: valueStart, line: line, indent: indent, lineEnd: lineEnd, budget: &budget)
    }

    /// The `:` that ends a key: followed by a space or the end of the line, outside quotes.
    func keySeparator(in line: Range<Int>) -> Int? {
        var index = line.lowerBound
        if let first = text.byte(at: index), first == ASCII.quote || first == ASCII.apostrophe {
            guard let close = text.firstIndex(of: first, in: (index + 1)..<line.upperBound) else { return nil }
            index = close + 1
        }
        while index < line.upperBound {
            let byte = text[index]
            if byte == ASCII.colon && (index + 1 == line.upperBound || ASCII.isSpace(text[index + 1])) { return index }
            if byte == ASCII.hash && index > line.lowerBound && ASCII.isSpace(text[index - 1]) { return nil }
            if byte == ASCII.openBrace || byte == ASCII.openBracket || byte == ASCII.quote { if index == line.lowerBound { return nil } }
            index += 1
        }
        return nil
    }

    mutating func readValue(name: String, key: Range<Int>, from start: Int, line: Range<Int>, indent: Int, lineEnd: Int,
                            budget: inout ExtractionBudget) -> Int {
        var valueStart = start
        var tag: String?
        // Tags and anchors before the value.
        while valueStart < line.upperBound, text[valueStart] == ASCII.exclamation || text[valueStart] == ASCII.ampersand {
            var end = valueStart
            while end < line.upperBound && !ASCII.isSpace(text[end]) { end += 1 }
            if text[valueStart] == ASCII.exclamation { tag = text.string(valueStart..<end).lowercased() }
            valueStart = text.skipSpaces(from: end, limit: line.upperBound)
        }
        guard valueStart < line.upperBound else {
            if tag != nil { levels.append(Level(indent: indent + 1, key: name)) }
            return 0
        }
        let first = text[valueStart]
        // Block scalars: the more-indented lines that follow.
        if first == ASCII.pipe || first == ASCII.greater {
            let (span, next) = blockScalar(after: lineEnd, parentIndent: indent)
            let form: ValueForm = tag.map { $0 == "!vault" || $0.hasPrefix("!ref") || $0.hasPrefix("!sub") } == true ? .literal : .literal
            var bytes = text.bytes(span)
            if tag == "!vault" { bytes = Array("$ANSIBLE_VAULT;".utf8) + bytes.drop(while: { $0 != ASCII.semicolon }).dropFirst() }
            scalarValue(name: name, span: span, bytes: bytes, encoding: .plain, form: form, block: true, budget: &budget)
            return next
        }
        if first == ASCII.openBrace {
            readFlowMapping(valueStart..<line.upperBound, prefix: name, indent: indent, budget: &budget)
            return 0
        }
        if first == ASCII.openBracket {
            readFlowSequence(valueStart..<line.upperBound, name: name, budget: &budget)
            return 0
        }
        let (span, decoder, quoted) = scalarSpan(valueStart..<line.upperBound)
        var decoded = decoder.decode(text, span)
        if let tag, tag.hasPrefix("!ref") || tag.hasPrefix("!sub") || tag.hasPrefix("!getatt") || tag.hasPrefix("!importvalue")
            || tag.hasPrefix("!secret") || tag.hasPrefix("!env") || tag.hasPrefix("!include") {
            decoded.bytes = Array(tag.utf8) + [ASCII.space] + decoded.bytes
        }
        let form: ValueForm = first == ASCII.star ? .expression : (quoted ? .literal : .bare)
        scalarValue(name: name, span: span, bytes: decoded.bytes, encoding: decoded.encoding, form: form, block: false, budget: &budget)
        return 0
    }

    /// The scalar in `range`: quoted (to its quote) or plain (to ` #`).
    func scalarSpan(_ range: Range<Int>) -> (Range<Int>, ValueDecoder, Bool) {
        let first = text[range.lowerBound]
        if first == ASCII.quote || first == ASCII.apostrophe {
            var index = range.lowerBound + 1
            while index < range.upperBound {
                if text[index] == first {
                    if first == ASCII.apostrophe && text.byte(at: index + 1) == ASCII.apostrophe { index += 2; continue }
                    break
                }
                if first == ASCII.quote && text[index] == ASCII.backslash { index += 1 }
                index += 1
            }
            let span = (range.lowerBound + 1)..<min(index, range.upperBound)
            return (span, first == ASCII.quote ? .backslashes(.json) : .doubled(ASCII.apostrophe), true)
        }
        var end = range.upperBound
        var index = range.lowerBound
        while index < range.upperBound {
            if text[index] == ASCII.hash && index > range.lowerBound && ASCII.isSpace(text[index - 1]) { end = index; break }
            index += 1
        }
        return (text.trimmed(range.lowerBound..<end), .plain, false)
    }

    func blockScalar(after lineEnd: Int, parentIndent: Int) -> (Range<Int>, Int) {
        var index = lineEnd + 1
        var start: Int?
        var end = index
        while index < text.count {
            let next = text.lineEnd(from: index)
            let contentStart = text.skipSpaces(from: index, limit: next)
            let blank = text.trimmed(contentStart..<next).isEmpty
            if !blank && contentStart - index <= parentIndent { break }
            if !blank {
                if start == nil { start = contentStart }
                end = text.trimmed(contentStart..<next).upperBound
            }
            index = next + 1
            if index - lineEnd > 1 << 20 { break }
        }
        guard let start else { return ((lineEnd + 1)..<(lineEnd + 1), min(lineEnd + 1, text.count)) }
        return (start..<max(start, end), index)
    }

    mutating func scalarValue(name: String, span: Range<Int>, bytes: [UInt8], encoding: ValueEncoding, form: ValueForm,
                              block: Bool, budget: inout ExtractionBudget) {
        guard !levels.isEmpty || true else { return }
        if levels.isEmpty { levels.append(Level(indent: -1, key: "")) }
        let top = levels.count - 1
        let lowerName = name.lowercased()
        if GenericKeys.labels.contains(lowerName) && levels[top].label == nil && !block && bytes.count <= 128 {
            levels[top].label = String(decoding: bytes, as: UTF8.self)
        }
        let path = self.path.isEmpty ? name : "\(self.path).\(name)"
        var value = NamedValue(name: name, namePath: path, valueSpan: span, value: bytes, encoding: encoding, format: .yaml, form: form)
        if isSecret && (path.hasPrefix("data.") || path.contains(".data.")) && !block,
           let decoded = PublishedKeyDecryption.base64(bytes), decoded.allSatisfy({ $0 >= 0x20 || $0 == ASCII.newline || $0 == ASCII.tab }) {
            value.value = decoded
            value.encoding = .base64
        }
        if GenericKeys.values.contains(lowerName) {
            guard budget.takeValue() else { return }
            levels[top].generic.append(value)
            return
        }
        if lens.mayMatter(name) || XMLNames.commandNames.contains(lowerName) || (bytes.count >= 10 && bytes.withUnsafeBytes { lens.mayCarry($0, 0..<$0.count) }) {
            guard budget.takeValue() else { return }
            levels[top].pairing.add(value)
        } else if lens.isIdentity(name) {
            levels[top].pairing.noteIdentity(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// `- value` under a key: named by the key; Compose `- NAME=value` by its own name.
    mutating func listScalar(_ line: Range<Int>, budget: inout ExtractionBudget) {
        guard levels.count >= 2 else { return }
        let owner = levels[levels.count - 2].key
        let (span, decoder, quoted) = scalarSpan(line)
        if !quoted || true, let equals = text.firstIndex(of: ASCII.equals, in: span), equals > span.lowerBound,
           !text[span.lowerBound..<equals].contains(where: { ASCII.isSpace($0) }) {
            let name = text.string(span.lowerBound..<equals)
            let valueSpan = (equals + 1)..<span.upperBound
            scalarValue(name: name, span: valueSpan, bytes: decoder.decode(text, valueSpan).bytes, encoding: .plain,
                        form: .bare, block: false, budget: &budget)
            return
        }
        let decoded = decoder.decode(text, span)
        scalarValue(name: owner, span: span, bytes: decoded.bytes, encoding: decoded.encoding, form: quoted ? .literal : .bare,
                    block: false, budget: &budget)
    }

    mutating func closeItem(_ item: inout Level, emit: (NamedValue) -> Void) {
        if let label = item.label, lens.mayMatter(label) {
            for var value in item.generic {
                value.name = label
                item.pairing.add(value)
            }
        }
        if !levels.isEmpty { item.pairing.flush { levels[levels.count - 1].pairing.add($0) } } else { item.pairing.flush(emit) }
    }

    /// `{ user: u, password: p }` on one line.
    mutating func readFlowMapping(_ range: Range<Int>, prefix: String, indent: Int, budget: inout ExtractionBudget) {
        levels.append(Level(indent: indent + 1, key: prefix))
        var index = range.lowerBound + 1
        var itemStart = index
        var quote: UInt8 = 0
        while index < range.upperBound {
            let byte = text[index]
            if quote != 0 { if byte == quote { quote = 0 } }
            else if byte == ASCII.quote || byte == ASCII.apostrophe { quote = byte }
            else if byte == ASCII.comma || byte == ASCII.closeBrace {
                let item = text.trimmed(itemStart..<index)
                if let colon = keySeparator(in: item) ?? text.firstIndex(of: ASCII.colon, in: item) {
                    let key = LineTokenizer.unquote(text, text.trimmed(item.lowerBound..<colon)).0
                    let valueStart = text.skipSpaces(from: colon + 1, limit: item.upperBound)
                    if valueStart < item.upperBound {
                        let (span, decoder, quoted) = scalarSpan(valueStart..<item.upperBound)
                        let decoded = decoder.decode(text, span)
                        scalarValue(name: text.string(key), span: span, bytes: decoded.bytes, encoding: decoded.encoding,
                                    form: quoted ? .literal : .bare, block: false, budget: &budget)
                    }
                }
                itemStart = index + 1
                if byte == ASCII.closeBrace { break }
            }
            index += 1
        }
    }

    mutating func readFlowSequence(_ range: Range<Int>, name: String, budget: inout ExtractionBudget) {
        guard lens.mayMatter(name) else { return }
        var index = range.lowerBound + 1
        var itemStart = index
        var quote: UInt8 = 0
        while index < range.upperBound {
            let byte = text[index]
            if quote != 0 { if byte == quote { quote = 0 } }
            else if byte == ASCII.quote || byte == ASCII.apostrophe { quote = byte }
            else if byte == ASCII.comma || byte == ASCII.closeBracket {
                let item = text.trimmed(itemStart..<index)
                if !item.isEmpty {
                    let (span, decoder, quoted) = scalarSpan(item)
                    let decoded = decoder.decode(text, span)
                    scalarValue(name: name, span: span, bytes: decoded.bytes, encoding: decoded.encoding,
                                form: quoted ? .literal : .bare, block: false, budget: &budget)
                }
                itemStart = index + 1
                if byte == ASCII.closeBracket { break }
            }
            index += 1
        }
    }
}
