// JSON (and JSON with comments): every scalar with its key and a JSON path a person can follow
// (`$.channels[1]["opcuaclient.CHANNEL_AUTHENTICATION_PASSWORD"]`). A generic key (`value`,
// `data`) takes its name from a sibling `name`/`key`/`id` wherever in the object it stands,
// as Kubernetes env lists, Ignition tags and settings arrays write them
// (`{"name": "DB_PASSWORD", "value": "…"}`). Strings are decoded with their exact span; code
// and commands inside strings (a Node-RED function node) are handed back to the scanner as
// values that carry more. The trade-off: tolerant of comments, trailing commas and truncation,
// and not a validator.

import CustosCore

public struct JSONExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < prefix.count && (ASCII.isWhitespace(prefix[index]) || prefix[index] >= 0xef) { index += 1 }
        guard index < prefix.count else { return false }
        let first = prefix[index]
        if first == ASCII.openBrace { return true }
        if first == ASCII.openBracket {
            // `[section]` is INI; JSON arrays open with a value.
            let next = prefix.skipWhitespace(from: index + 1)
            guard next < prefix.count else { return false }
            let byte = prefix[next]
            return byte == ASCII.openBrace || byte == ASCII.quote || byte == ASCII.openBracket || ASCII.isDigit(byte) || byte == ASCII.closeBracket
        }
        return false
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        var reader = JSONReader(text: text, lens: lens)
        reader.run(budget: &budget, emit: emit)
    }
}

/// Keys that hold a value without saying what it is (shared with YAML).
enum GenericKeys {
    static let values: Set<String> = ["value", "val", "defaultvalue", "default", "data", "content", "text", "v", "initialvalue",
                                      "startvalue", "currentvalue", "setting", "settingvalue", "stringvalue", "plaintext",
                                      "valuevalue", "ciphertext", "cv"]
    static let labels: [String] = ["name", "key", "id", "tagname", "property", "field", "parameter", "param", "variable",
                                   "setting", "label", "displayname", "attribute", "propertyname", "keyname", "varname",
                                   "keyvalue", "headername", "header", "parametername", "fieldname"]
}

private struct JSONReader {
    let text: UnsafeRawBufferPointer
    let lens: NameLens

    enum ContainerKind { case object, array }

    struct Container {
        var kind: ContainerKind
        var path: String
        var key: Range<Int>?
        var index = 0
        var pairing = IdentityPairing()
        var label: String?
        /// Scalars under generic keys, named when the object closes.
        var generic: [(span: Range<Int>, quoted: Bool)] = []
    }

    var stack: [Container] = []

    init(text: UnsafeRawBufferPointer, lens: NameLens) {
        self.text = text
        self.lens = lens
    }

    mutating func run(budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        var index = 0
        var pendingKey: Range<Int>?
        var expectingKey = false
        while index < text.count {
            guard budget.spend(bytes: 1), !budget.isExhausted else { break }
            let byte = text[index]
            switch byte {
            case ASCII.openBrace, ASCII.openBracket:
                let path = childPath(key: pendingKey)
                if let parent = stack.indices.last, stack[parent].kind == .array { stack[parent].index += 1 }
                if stack.count < 256 {
                    stack.append(Container(kind: byte == ASCII.openBrace ? .object : .array, path: path, key: pendingKey))
                }
                pendingKey = nil
                expectingKey = byte == ASCII.openBrace
                index += 1
            case ASCII.closeBrace, ASCII.closeBracket:
                close(emit: emit, budget: &budget)
                pendingKey = nil
                expectingKey = false
                index += 1
            case ASCII.quote, ASCII.apostrophe:
                let (content, end) = stringEnd(from: index)
                let after = text.skipWhitespace(from: end)
                if expectingKey || (after < text.count && text[after] == ASCII.colon && stack.last?.kind == .object) {
                    pendingKey = content
                    expectingKey = false
                    index = after < text.count && text[after] == ASCII.colon ? after + 1 : end
                } else {
                    scalar(content, quoted: true, key: pendingKey, budget: &budget)
                    pendingKey = nil
                    index = end
                }
            case ASCII.comma:
                expectingKey = stack.last?.kind == .object
                pendingKey = nil
                index += 1
            case ASCII.slash where text.byte(at: index + 1) == ASCII.slash:
                index = text.lineEnd(from: index)
            case ASCII.slash where text.byte(at: index + 1) == ASCII.star:
                var cursor = index + 2
                while cursor + 1 < text.count && !(text[cursor] == ASCII.star && text[cursor + 1] == ASCII.slash) { cursor += 1 }
                index = cursor + 2
            case _ where ASCII.isWhitespace(byte) || byte == ASCII.colon:
                index += 1
            default:
                // A bare scalar: number, true, false, null (or an unquoted key in JSON5).
                var end = index
                while end < text.count, !ASCII.isWhitespace(text[end]), text[end] != ASCII.comma, text[end] != ASCII.closeBrace,
                      text[end] != ASCII.closeBracket, text[end] != ASCII.colon {
                    end += 1
                }
                if end == index { index += 1; continue }
                let after = text.skipWhitespace(from: end)
                if expectingKey, after < text.count, text[after] == ASCII.colon {
                    pendingKey = index..<end
                    expectingKey = false
                    index = after + 1
                } else {
                    scalar(index..<end, quoted: false, key: pendingKey, budget: &budget)
                    pendingKey = nil
                    index = end
                }
            }
        }
        while !stack.isEmpty { close(emit: emit, budget: &budget) }
    }

    /// The content range of the string opening at `start` and the index after its quote.
    func stringEnd(from start: Int) -> (Range<Int>, Int) {
        let quote = text[start]
        var index = start + 1
        while index < text.count && text[index] != quote {
            if text[index] == ASCII.backslash { index += 1 }
            index += 1
        }
        let end = min(index, text.count)
        return ((start + 1)..<end, min(end + 1, text.count))
    }

    func keyString(_ key: Range<Int>) -> String {
        String(decoding: ValueDecoder.backslashes(.json).decode(text, key).bytes, as: UTF8.self)
    }

    func childPath(key: Range<Int>?) -> String {
        guard let top = stack.last else { return "$" }
        if top.kind == .array { return "\(top.path)[\(top.index)]" }
        guard let key else { return top.path }
        let name = keyString(key)
        let simple = !name.isEmpty && name.utf8.allSatisfy { ASCII.isAlphanumeric($0) || $0 == ASCII.underscore || $0 == ASCII.dash }
        return simple ? "\(top.path).\(name)" : "\(top.path)[\"\(name)\"]"
    }

    mutating func scalar(_ span: Range<Int>, quoted: Bool, key: Range<Int>?, budget: inout ExtractionBudget) {
        guard let top = stack.indices.last else { return }
        let path = childPath(key: key)
        if stack[top].kind == .array { stack[top].index += 1 }
        // An array element takes the name of the key that holds the array.
        let nameRange = key ?? (stack[top].kind == .array ? stack[top].key : nil)
        guard let nameRange else { return }
        var name = keyString(nameRange)
        let lowerName = name.lowercased()
        if stack[top].kind == .object {
            if GenericKeys.labels.contains(lowerName) && stack[top].label == nil && quoted && span.count <= 128 {
                stack[top].label = String(decoding: decodeString(span).bytes, as: UTF8.self)
            }
            if GenericKeys.values.contains(lowerName) {
                // `"CameraPassword": {"dataType": "String", "value": …}`, `"password": {"data":
                // {"ciphertext": …}}`: named by the key that holds the object.
                if let outer = enclosingCredentialKey(), stack[top].label == nil {
                    add(name: outer, path: path, span: span, quoted: quoted, to: top, budget: &budget)
                    return
                }
                stack[top].generic.append((span, quoted))
                return
            }
        }
        // A bare `"key"` inside `"psk": {…}` is that pre-shared key.
        if case .credential(_, .weak, _) = lens.vocabulary.judge(name), let outer = stack[top].key {
            name = "\(keyString(outer)) \(name)"
        }
        if lens.mayMatter(name) {
            add(name: name, path: path, span: span, quoted: quoted, to: top, budget: &budget)
        } else if lens.isIdentity(name) {
            if quoted { stack[top].pairing.noteIdentity(String(decoding: decodeString(span).bytes, as: UTF8.self)) }
        } else if quoted && (XMLNames.commandNames.contains(lowerName) || lens.mayCarry(text, span)) {
            add(name: name, path: path, span: span, quoted: quoted, to: top, budget: &budget)
        }
    }

    /// The nearest key above (three objects at most) that names a credential.
    func enclosingCredentialKey() -> String? {
        for container in stack.reversed().prefix(3) {
            guard let key = container.key else { continue }
            let name = keyString(key)
            if lens.isCredential(name) { return name }
        }
        return nil
    }

    func decodeString(_ span: Range<Int>) -> DecodedValue {
        ValueDecoder.backslashes(.json).decode(text, span)
    }

    mutating func add(name: String, path: String, span: Range<Int>, quoted: Bool, to container: Int, budget: inout ExtractionBudget) {
        guard budget.takeValue() else { return }
        let decoded = quoted ? decodeString(span) : ValueDecoder.plain.decode(text, span)
        stack[container].pairing.add(NamedValue(name: name, namePath: path, valueSpan: span, value: decoded.bytes,
                                                encoding: decoded.encoding, format: .json, form: quoted ? .literal : .bare))
    }

    mutating func close(emit: (NamedValue) -> Void, budget: inout ExtractionBudget) {
        guard var container = stack.popLast() else { return }
        if let label = container.label {
            for (span, quoted) in container.generic {
                guard lens.mayMatter(label) || (quoted && lens.mayCarry(text, span)), budget.takeValue() else { continue }
                let decoded = quoted ? decodeString(span) : ValueDecoder.plain.decode(text, span)
                container.pairing.add(NamedValue(name: label, namePath: "\(container.path)[\(label)]", valueSpan: span,
                                                 value: decoded.bytes, encoding: decoded.encoding, format: .json,
                                                 form: quoted ? .literal : .bare))
            }
        }
        if let parent = stack.indices.last {
            container.pairing.flush { stack[parent].pairing.add($0) }
        } else {
            container.pairing.flush(emit)
        }
    }
}
