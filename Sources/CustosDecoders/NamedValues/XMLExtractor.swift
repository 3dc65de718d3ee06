// XML: element text and attribute values, each with the nearest name a person would give it.
// An element whose own name says what it holds (`<Password>`) names its text; a generic one
// (`<Value>`, `<StartValue>`, `<Data>`, `<simpleValue value=…>`) takes its name from the
// nearest element above that has a naming attribute (`Name=`, `key=`, `Path=`) or a naming
// child (`<Name>Password</Name>`, plist `<key>`), or whose own name is not generic. So
// `<Member Name="Password">…<StartValue>` lines below, `<Tag Name="FTP_Pass">…<Data
// Format="String">'…'</Data>`, `<add key="SmtpPassword" value="…"/>` and `<setting
// name="X"><value>…</value>` all name their values.
//
// Entities are resolved and CDATA taken as written, with the exact source span of the value
// kept; PLC string literals inside (`'…'`, `WSTRING#'…'`, L5K `[14,'…$00']`, `[16#dd,…]`) are
// unwrapped with their `$` escapes. Siblings named like users become the identity of the
// credential in the same container. The trade-off: a tolerant scanner, not a parser — no DTDs,
// no validation; a broken document yields the values read before it broke.

import CustosCore

public struct XMLExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    static let extensions: Set<String> = [
        "xml", "l5x", "aml", "config", "xef", "zef", "tcpou", "tcgvl", "tcdut", "tcio", "tsproj", "plcproj", "xti", "tmc",
        "project", "ap17", "ap18", "xaml", "plist", "xhtml", "svg", "wsdl", "xsd", "nuspec", "csproj", "vbproj", "props",
        "targets", "resx", "rdg", "rdp", "ovf", "vmx", "jrxml", "dtsx", "sdp", "xlf", "kml", "gpx", "opcua", "nodeset",
        "uanodeset", "xmi", "scp", "hmi", "smc", "pnml", "gsd", "gsdml", "eds", "cfgx", "apx", "aprx", "ccpx", "xbt",
    ]

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < prefix.count && (ASCII.isWhitespace(prefix[index]) || prefix[index] >= 0xef) { index += 1 }
        if index < prefix.count && prefix[index] == ASCII.less {
            return index + 1 < prefix.count && (ASCII.isLetter(prefix[index + 1]) || prefix[index + 1] == ASCII.question
                                                || prefix[index + 1] == ASCII.exclamation || prefix[index + 1] == ASCII.underscore)
        }
        return name.hasExtension && extensions.contains(name.ext) && prefix.contains(where: { $0 == ASCII.less })
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        withoutActuallyEscaping(emit) { emit in
            var reader = XMLReader(text: text, lens: lens, emit: emit)
            reader.run(budget: &budget)
        }
    }
}

/// Element and attribute names that hold a value without saying what it is.
enum XMLNames {
    static let genericElements: Set<String> = [
        "value", "val", "values", "startvalue", "initialvalue", "defaultvalue", "default", "data", "text", "content",
        "string", "simplevalue", "datavaluemember", "element", "item", "entry", "field", "param", "parameter", "property",
        "prop", "setting", "attribute", "attr", "variable", "var", "member", "tag", "structuremember", "arrayelement",
        "subelement", "v", "t", "s", "str", "option", "add", "structure", "array", "datavalue", "integer", "real",
        "wstring", "arraymember", "localvars", "globalvars", "initvalue", "dict", "values", "array", "node", "object",
        "argument", "arg", "literal", "constant", "pair", "keyvalue", "keyvaluepair", "record", "row", "cell", "col", "td",
        "xhtml", "st", "body", "declaration", "implementation", "cdata", "any", "entryvalue", "settingvalue", "propertyvalue",
        "paramvalue", "configvalue", "currentvalue", "actualvalue", "setvalue", "newvalue", "oldvalue", "userdata",
        "defaultdata", "initialdata", "cv", "stringvalue", "textvalue", "valuestring",
    ]
    static let namingAttributes: [String] = [
        "name", "key", "path", "field", "property", "propertyname", "param", "paramname", "parametername", "variable",
        "variablename", "tagname", "attributename", "setting", "settingname", "option", "optionname", "id", "keyname",
        "membername", "displayname",
    ]
    static let valueAttributes: Set<String> = [
        "value", "val", "defaultvalue", "default", "initialvalue", "startvalue", "data", "content", "text", "setting",
        "initvalue", "currentvalue", "newvalue",
    ]
    /// Children whose text names their parent (`<Property><Name>Password</Name><Value>`).
    static let namingChildren: Set<String> = ["name", "key", "propertyname", "parametername", "paramname", "settingname",
                                              "variablename", "keyname", "field", "fieldname", "label", "tagname"]
    /// Names whose value is a command to read as a command line.
    static let commandNames: Set<String> = [
        "command", "commandline", "arguments", "args", "exec", "execstart", "script", "run", "cmd", "program", "action",
        "shell", "entrypoint", "hook", "step", "inlinescript", "scriptblock", "commandtext", "execute", "startprogram",
        "parameters", "programarguments", "commandarguments",
    ]
    /// Root elements of PLC exports, whose strings use IEC 61131-3 `$` escapes.
    static let plcRoots: Set<String> = ["rslogix5000content", "document", "project", "tcplcobject", "tcsmproject",
                                        "stexchangefile", "fef", "exchangefile", "plcopenxml", "pou", "caexfile"]
}

private struct XMLFrame {
    var tag: String
    var tagIsGeneric: Bool
    var label: String?
    var pairing = IdentityPairing()
    var hasChildren = false
    /// The first non-blank text or CDATA chunk directly inside, and whether it was CDATA.
    var textChunk: Range<Int>?
    var textIsCDATA = false
    var textChunks = 0
    /// Logix `<Data Format="L5K">`: strings there repeat the `Format="String"` data.
    var isL5KData = false
}

private struct XMLReader {
    let text: UnsafeRawBufferPointer
    let lens: NameLens
    let emit: (NamedValue) -> Void
    var frames: [XMLFrame] = []
    var skippedDepth = 0
    var isPLC = false
    var rootSeen = false
    let maxDepth = 96
    /// SimaticML SCL written as tokens: the last variable (`<Component Name=…>`) and whether a
    /// `:=` token followed it, so a `<ConstantValue>` after them is that variable's value.
    var sclTarget: String?
    var sclAssigning = false

    init(text: UnsafeRawBufferPointer, lens: NameLens, emit: @escaping (NamedValue) -> Void) {
        self.text = text
        self.lens = lens
        self.emit = emit
    }

    mutating func run(budget: inout ExtractionBudget) {
        var rootPairing = IdentityPairing()
        var index = 0
        while index < text.count {
            guard let open = text.firstIndex(of: ASCII.less, in: index..<text.count) else {
                noteText(index..<text.count, cdata: false)
                break
            }
            if open > index { noteText(index..<open, cdata: false) }
            guard budget.spend(bytes: open - index + 1), !budget.isExhausted else { break }
            let next = text.byte(at: open + 1)
            if next == ASCII.exclamation {
                if text.matchesExactly("<![CDATA[", at: open) {
                    let start = open + 9
                    let end = findSequence("]]>", from: start) ?? text.count
                    noteText(start..<end, cdata: true)
                    index = min(end + 3, text.count)
                } else if text.matchesExactly("<!--", at: open) {
                    index = min((findSequence("-->", from: open + 4) ?? text.count) + 3, text.count)
                } else {
                    index = skipDeclaration(from: open)
                }
                continue
            }
            if next == ASCII.question {
                index = min((findSequence("?>", from: open + 2) ?? text.count) + 2, text.count)
                continue
            }
            if next == ASCII.slash {
                let close = text.firstIndex(of: ASCII.greater, in: open..<text.count) ?? text.count
                closeElement(budget: &budget)
                index = min(close + 1, text.count)
                continue
            }
            index = openElement(at: open, budget: &budget)
        }
        while !frames.isEmpty { closeElement(budget: &budget) }
        rootPairing.flush(emit)
    }

    func findSequence(_ literal: StaticString, from start: Int) -> Int? {
        let first = literal.utf8Start[0]
        var index = start
        while index < text.count, let hit = text.firstIndex(of: first, in: index..<text.count) {
            if text.matchesExactly(literal, at: hit) { return hit }
            index = hit + 1
        }
        return nil
    }

    func skipDeclaration(from open: Int) -> Int {
        // `<!DOCTYPE … [ … ]>`: skip nested brackets.
        var depth = 0
        var index = open + 2
        while index < text.count {
            let byte = text[index]
            if byte == ASCII.openBracket { depth += 1 }
            else if byte == ASCII.closeBracket { depth -= 1 }
            else if byte == ASCII.greater && depth <= 0 { return index + 1 }
            index += 1
        }
        return text.count
    }

    mutating func noteText(_ range: Range<Int>, cdata: Bool) {
        guard !frames.isEmpty, skippedDepth == 0 else { return }
        let trimmed = cdata ? range : text.trimmed(range)
        guard !trimmed.isEmpty, cdata || !text.trimmed(range).isEmpty else { return }
        if cdata && text.trimmed(range).isEmpty { return }
        frames[frames.count - 1].textChunks += 1
        if frames[frames.count - 1].textChunk == nil {
            frames[frames.count - 1].textChunk = cdata ? range : trimmed
            frames[frames.count - 1].textIsCDATA = cdata
        }
    }

    // MARK: Elements

    mutating func openElement(at open: Int, budget: inout ExtractionBudget) -> Int {
        var index = open + 1
        let nameStart = index
        while index < text.count && !ASCII.isWhitespace(text[index]) && text[index] != ASCII.greater && text[index] != ASCII.slash {
            index += 1
        }
        let qualified = nameStart..<index
        guard !qualified.isEmpty else { return open + 1 }
        let local = localName(qualified)
        // Attributes.
        var attributes: [(name: Range<Int>, value: Range<Int>)] = []
        var selfClosing = false
        while index < text.count {
            index = text.skipWhitespace(from: index)
            guard index < text.count else { break }
            let byte = text[index]
            if byte == ASCII.greater { index += 1; break }
            if byte == ASCII.slash && text.byte(at: index + 1) == ASCII.greater { selfClosing = true; index += 2; break }
            let attributeStart = index
            while index < text.count && !ASCII.isWhitespace(text[index]) && text[index] != ASCII.equals
                    && text[index] != ASCII.greater && text[index] != ASCII.slash {
                index += 1
            }
            let attributeName = attributeStart..<index
            index = text.skipWhitespace(from: index)
            guard index < text.count, text[index] == ASCII.equals else {
                if attributeName.isEmpty { index += 1 }
                continue
            }
            index = text.skipWhitespace(from: index + 1)
            guard index < text.count else { break }
            let quote = text[index]
            if quote == ASCII.quote || quote == ASCII.apostrophe {
                let valueStart = index + 1
                let valueEnd = text.firstIndex(of: quote, in: valueStart..<text.count) ?? text.count
                if attributes.count < 64 { attributes.append((attributeName, valueStart..<valueEnd)) }
                index = min(valueEnd + 1, text.count)
            } else {
                let valueStart = index
                while index < text.count && !ASCII.isWhitespace(text[index]) && text[index] != ASCII.greater { index += 1 }
                if attributes.count < 64 { attributes.append((attributeName, valueStart..<index)) }
            }
            guard budget.spend(bytes: 1) else { break }
        }
        if !rootSeen {
            rootSeen = true
            isPLC = XMLNames.plcRoots.contains(local.lowercased())
                || attributes.contains { text.string($0.name).lowercased() == "xmlns" && text.contains("plcopen", in: $0.value) }
        }
        guard frames.count < maxDepth, skippedDepth == 0 else {
            if !selfClosing { skippedDepth += 1 }
            return index
        }
        if !frames.isEmpty { frames[frames.count - 1].hasChildren = true }
        let lowerLocal = local.lowercased()
        var frame = XMLFrame(tag: local, tagIsGeneric: XMLNames.genericElements.contains(lowerLocal))
        // The naming attribute, by preference order.
        var labelAttribute: Int?
        for candidate in XMLNames.namingAttributes {
            if let found = attributes.firstIndex(where: { localName($0.name).lowercased() == candidate }) {
                labelAttribute = found
                frame.label = decodedString(attributes[found].value)
                break
            }
        }
        if attributes.contains(where: { text.string($0.name) == "Format" && text.string($0.value) == "L5K" }) {
            frame.isL5KData = true
        }
        // SimaticML networks: `<Component Name="sftpPassword"/>` `<Token Text=":="/>` `<ConstantValue>`.
        if lowerLocal == "component", let label = frame.label {
            sclTarget = label
            sclAssigning = false
        } else if lowerLocal == "token", let textAttribute = attributes.first(where: { text.string($0.name) == "Text" }) {
            let token = text.string(textAttribute.value)
            if token == ":=" { sclAssigning = sclTarget != nil } else if token == ";" { sclTarget = nil; sclAssigning = false }
        }
        frames.append(frame)
        for (position, attribute) in attributes.enumerated() where position != labelAttribute {
            readAttribute(name: attribute.name, value: attribute.value, budget: &budget)
        }
        if selfClosing { closeElement(budget: &budget) }
        return index
    }

    mutating func readAttribute(name: Range<Int>, value: Range<Int>, budget: inout ExtractionBudget) {
        let attributeName = localName(name)
        let lower = attributeName.lowercased()
        if lower.hasPrefix("xmlns") || lower == "type" || lower == "datatype" || lower == "radix" { return }
        let current = frames.count - 1
        if XMLNames.valueAttributes.contains(lower) {
            // `value=` of an element named by its `name=`, or by an element above.
            guard let (name, labeled) = contextName(from: current, includingSelf: true) else {
                if lens.mayCarry(text, value) { emitValue(name: attributeName, span: value, cdata: false, container: current, budget: &budget) }
                return
            }
            if lens.mayMatter(name) {
                emitValue(name: name, span: value, cdata: false, container: containerIndex(labeled), budget: &budget)
            } else if lens.isIdentity(name) {
                noteIdentity(span: value, cdata: false, container: containerIndex(labeled))
            } else if lens.mayCarry(text, value) {
                emitValue(name: name, span: value, cdata: false, container: containerIndex(labeled), budget: &budget)
            }
            return
        }
        if lens.mayMatter(text, name) {
            emitValue(name: attributeName, span: value, cdata: false, container: current, budget: &budget)
        } else if lens.isIdentity(text, name) {
            noteIdentity(span: value, cdata: false, container: current)
        } else if XMLNames.commandNames.contains(lower) || lens.mayCarry(text, value) {
            emitValue(name: attributeName, span: value, cdata: false, container: current, budget: &budget)
        }
    }

    mutating func closeElement(budget: inout ExtractionBudget) {
        if skippedDepth > 0 { skippedDepth -= 1; return }
        guard var frame = frames.popLast() else { return }
        let parent = frames.count - 1
        if !frame.hasChildren, let chunk = frame.textChunk {
            let lowerTag = frame.tag.lowercased()
            // A naming child names its parent, when its text reads as a name.
            if parent >= 0 && XMLNames.namingChildren.contains(lowerTag) && looksLikeName(chunk) {
                frames[parent].label = frame.textIsCDATA ? text.string(chunk) : decodedString(chunk)
            } else {
                frames.append(frame)
                readText(chunk, cdata: frame.textIsCDATA, budget: &budget)
                frame = frames.removeLast()
            }
        }
        frame.pairing.flush { value in
            if parent >= 0 { frames[parent].pairing.add(value) } else { emit(value) }
        }
        if parent < 0 { return }
    }

    /// Whether an element's text reads as a name (`Password`, `smtp.password`), not a value.
    func looksLikeName(_ chunk: Range<Int>) -> Bool {
        guard chunk.count >= 1, chunk.count <= 64, let first = text.byte(at: chunk.lowerBound),
              ASCII.isLetter(first) || first == ASCII.underscore || first >= 0x80 else { return false }
        var digits = 0
        for index in chunk {
            let byte = text[index]
            if ASCII.isDigit(byte) { digits += 1 }
            guard ASCII.isNameByte(byte) || byte == ASCII.dot || byte == ASCII.dash || byte == ASCII.space || byte == ASCII.colon else { return false }
        }
        return digits * 3 <= chunk.count
    }

    /// The text of the element on top of the stack.
    mutating func readText(_ chunk: Range<Int>, cdata: Bool, budget: inout ExtractionBudget) {
        let current = frames.count - 1
        let frame = frames[current]
        if frame.isL5KData, let first = text.byte(at: chunk.lowerBound), first == ASCII.openBracket,
           text.contains("'", in: chunk) { return }
        // Logix `DataValueMember Name="LEN"`: the length of the string beside it.
        if frame.label?.lowercased() == "len" { return }
        if frame.tag == "ConstantValue", sclAssigning, let target = sclTarget {
            sclAssigning = false
            if lens.mayMatter(target) { emitValue(name: target, span: chunk, cdata: cdata, container: max(current - 1, 0), budget: &budget) }
            return
        }
        var ownName: String? = frame.tagIsGeneric ? nil : frame.tag
        // A bare `<Key>` says little; inside `<Psk>` it is a pre-shared key.
        if let own = ownName, current > 0, case .credential(_, .weak, _) = lens.vocabulary.judge(own) {
            let parent = frames[current - 1]
            ownName = "\(parent.label ?? parent.tag) \(own)"
        }
        let named: (String, Int)?
        if let ownName { named = (ownName, current) } else { named = contextName(from: current, includingSelf: true) }
        guard let (name, labeled) = named else {
            if lens.mayCarry(text, chunk) { emitValue(name: frame.tag, span: chunk, cdata: cdata, container: max(current - 1, 0), budget: &budget) }
            return
        }
        let container = containerIndex(labeled)
        if lens.mayMatter(name) {
            emitValue(name: name, span: chunk, cdata: cdata, container: container, budget: &budget)
        } else if lens.isIdentity(name) {
            noteIdentity(span: chunk, cdata: cdata, container: container)
        } else if XMLNames.commandNames.contains(name.lowercased()) || lens.mayCarry(text, chunk) {
            emitValue(name: name, span: chunk, cdata: cdata, container: container, budget: &budget)
        }
    }

    /// The name a generic element's value takes: its own naming attribute, else the nearest
    /// element above with a label or a telling name. Returns the name and the frame it came from.
    func contextName(from index: Int, includingSelf: Bool) -> (String, Int)? {
        var position = includingSelf ? index : index - 1
        var steps = 0
        while position >= 0 && steps < 10 {
            let frame = frames[position]
            if let label = frame.label, !label.isEmpty, !XMLNames.genericElements.contains(label.lowercased()),
               label.lowercased() != "data", label.lowercased() != "len" {
                return (label, position)
            }
            if position != index && !frame.tagIsGeneric { return (frame.tag, position) }
            position -= 1
            steps += 1
        }
        return nil
    }

    /// Values named by frame `labeled` pair with the other children of its parent.
    func containerIndex(_ labeled: Int) -> Int { max(labeled - 1, 0) }

    mutating func noteIdentity(span: Range<Int>, cdata: Bool, container: Int) {
        guard container < frames.count else { return }
        let (bytes, _, _) = decode(span, cdata: cdata)
        guard !bytes.isEmpty, bytes.count <= 256 else { return }
        frames[container].pairing.noteIdentity(String(decoding: bytes, as: UTF8.self))
    }

    mutating func emitValue(name: String, span: Range<Int>, cdata: Bool, container: Int, budget: inout ExtractionBudget) {
        guard container < frames.count, budget.takeValue() else { return }
        let (bytes, valueSpan, encoding) = decode(span, cdata: cdata)
        let named = NamedValue(name: name, namePath: path(), valueSpan: valueSpan, value: bytes, encoding: encoding, format: .xml)
        frames[container].pairing.add(named)
    }

    /// A value's bytes: entities resolved (not in CDATA), then a PLC literal unwrapped.
    func decode(_ span: Range<Int>, cdata: Bool) -> ([UInt8], Range<Int>, ValueEncoding) {
        let decoded = (cdata ? ValueDecoder.plain : ValueDecoder.xmlEntities).decode(text, span, recordingOffsets: true)
        if let literal = PLCLiteral.unwrap(decoded.bytes, escapes: isPLC) {
            let source = decoded.sourceRange(of: literal.range, within: span)
            let encoding: ValueEncoding = literal.encoding == .plain ? decoded.encoding : literal.encoding
            return (literal.bytes, literal.range.isEmpty ? literal.emptySource(in: decoded, span: span) : source, encoding)
        }
        return (decoded.bytes, span, decoded.encoding)
    }

    func decodedString(_ span: Range<Int>) -> String {
        String(decoding: ValueDecoder.xmlEntities.decode(text, span).bytes, as: UTF8.self)
    }

    func localName(_ range: Range<Int>) -> String {
        var start = range.lowerBound
        if let colon = text.firstIndex(of: ASCII.colon, in: range) { start = colon + 1 }
        return text.string(start..<range.upperBound)
    }

    /// `Controller[Line3]/Tags/Tag[FTP_Pass]/Data`, the last eight elements.
    func path() -> String {
        frames.suffix(8).map { frame in
            if let label = frame.label, !label.isEmpty, label.utf8.count <= 64 { return "\(frame.tag)[\(label)]" }
            return frame.tag
        }.joined(separator: "/")
    }
}
