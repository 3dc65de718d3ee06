/// Names the place inside a file's structure where an offset sits, so a finding in a 40 MB
/// project export says which tag, block, JSON member or element holds it:
///
/// - XML: the element path, each element labelled with its `Name`/`name` attribute or its
///   `<Name>` child (`RSLogix5000Content/Controller[Line3]/Tags/Tag[HMI_Password]/Data`),
///   `@attribute` when the offset is in an attribute value, and the variable assigned on the
///   line when it is in CDATA or text holding PLC code.
/// - JSON: a JSONPath (`$.project.channels[0]["opcuaclient.CHANNEL_AUTHENTICATION_PASSWORD"]`).
/// - PLC source (L5K, SCL, ST, AWL): the enclosing blocks and the variable
///   (`DATA_BLOCK "DB_Remote"/ftpPassword`).
///
/// Paths are only computed for offsets that have findings, in one forward pass that stops at
/// the last of them, so clean files never pay for it. The walkers are tolerant: malformed input
/// gives a shorter or rougher path, never an error.
public enum LogicalPaths {
    /// Which walker reads a text.
    public enum Structure: Sendable, Equatable {
        case xml, json, plcSource
    }

    /// The structure of a text, by its first bytes and its name; nil when there is none to name.
    public static func structure(of bytes: UnsafeRawBufferPointer, name: String) -> Structure? {
        var index = 0
        if bytes.count >= 3 && bytes[0] == 0xef && bytes[1] == 0xbb && bytes[2] == 0xbf { index = 3 }
        while index < bytes.count && (bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0a || bytes[index] == 0x0d) {
            index += 1
        }
        if index < bytes.count {
            if bytes[index] == UInt8(ascii: "<") { return .xml }
            if bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") {
                let lower = name.lowercased()
                // A leading brace is JSON in JSON files; elsewhere only a JSON-like key proves it.
                if lower.hasSuffix(".json") || lower.hasSuffix(".idb") || lower.contains(".json!") { return .json }
                var next = index + 1
                while next < bytes.count && (bytes[next] == 0x20 || bytes[next] == 0x0a || bytes[next] == 0x0d || bytes[next] == 0x09) { next += 1 }
                if next < bytes.count && (bytes[next] == UInt8(ascii: "\"") || bytes[next] == UInt8(ascii: "{")) { return .json }
            }
        }
        let lower = name.lowercased()
        for suffix in [".l5k", ".scl", ".db", ".awl", ".udt", ".st", ".exp", ".iecst", ".bas"] where lower.hasSuffix(suffix) {
            return .plcSource
        }
        return nil
    }

    /// The logical path of each offset (sorted or not), nil where nothing can be named.
    public static func paths(for offsets: [Int], in bytes: UnsafeRawBufferPointer, structure: Structure) -> [Int: String] {
        let targets = Array(Set(offsets)).sorted()
        guard !targets.isEmpty else { return [:] }
        switch structure {
        case .xml:
            var walker = XMLPathWalker(bytes: bytes, targets: targets)
            return walker.run()
        case .json: return JSONPathWalker(bytes: bytes, targets: targets).run()
        case .plcSource: return PLCSourceWalker(bytes: bytes, targets: targets).run()
        }
    }

    /// The variable a line declares or assigns before `offset`: `sPassword` in
    /// `sPassword : STRING(32) := 'x';`, `ftpPassword` in `#ftpPassword := 'x';`.
    static func assignedName(in bytes: UnsafeRawBufferPointer, at offset: Int) -> String? {
        var start = offset
        while start > 0 && offset - start < 400 && bytes[start - 1] != 0x0a { start -= 1 }
        var index = start
        while index < offset && (bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == UInt8(ascii: "#")) { index += 1 }
        let nameStart = index
        while index < offset && isNameByte(bytes[index]) { index += 1 }
        guard index > nameStart else { return nil }
        let nameEnd = index
        while index < offset && (bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == UInt8(ascii: "\"")) { index += 1 }
        // SCL attributes between the name and its type: `webPassword { S7_SetPoint := 'True'} : …`.
        if index < offset && bytes[index] == UInt8(ascii: "{") {
            while index < offset && bytes[index] != UInt8(ascii: "}") { index += 1 }
            index += 1
            while index < offset && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        }
        guard index < offset && bytes[index] == UInt8(ascii: ":") else { return nil }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
        return name.trimmingCharacters(in: "\"")
    }

    @inline(__always)
    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x5f || byte == 0x2e || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
    }

    /// Keeps very deep paths readable: the first two and the last ten components.
    static func join(_ components: [String]) -> String {
        guard components.count > 14 else { return components.joined(separator: "/") }
        return (components.prefix(2) + ["…"] + components.suffix(10)).joined(separator: "/")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}

/// The element path at each target offset of an XML text. Paths are rendered at the end, so
/// an element named by a `<Name>` child that comes after the target (SimaticML puts a block's
/// `<Name>` after its `<Interface>`) still gets its name: the walk goes on until every element
/// in a recorded path has closed or been named.
private struct XMLPathWalker {
    let bytes: UnsafeRawBufferPointer
    let targets: [Int]
    private var next = 0
    private var stack: [(name: String, id: Int, contentStart: Int)] = []
    private var labels: [Int: String] = [:]
    private var nextID = 0
    /// Recorded paths: elements (name, id) and what follows them.
    private var recorded: [(target: Int, elements: [(String, Int)], tail: [String])] = []
    /// Ids in recorded paths still open and unnamed.
    private var pending = Set<Int>()

    /// Elements open at once that paths name; deeper ones are read but left out of paths.
    static let maxDepth = 512
    /// Open elements an end tag is matched against, innermost first.
    static let closeSearchDepth = 32

    init(bytes: UnsafeRawBufferPointer, targets: [Int]) {
        self.bytes = bytes
        self.targets = targets
    }

    mutating func run() -> [Int: String] {
        var index = 0
        let count = bytes.count
        while index < count && (next < targets.count || !pending.isEmpty) {
            guard let open = find(UInt8(ascii: "<"), from: index) else {
                record(upTo: count, suffix: .text)
                break
            }
            record(upTo: open, suffix: .text)
            index = open + 1
            guard index < count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "!") {
                if starts(with: "![CDATA[", at: index) {
                    let end = find("]]>", from: index) ?? count
                    record(upTo: end, suffix: .text)
                    index = end + 3
                } else if starts(with: "!--", at: index) {
                    let end = find("-->", from: index) ?? count
                    record(upTo: end, suffix: .none)
                    index = end + 3
                } else {
                    index = (find(UInt8(ascii: ">"), from: index) ?? count) + 1
                }
            } else if byte == UInt8(ascii: "?") {
                index = (find("?>", from: index) ?? count) + 2
            } else if byte == UInt8(ascii: "/") {
                index = closeTag(at: index + 1, tagStart: open)
            } else if isNameStart(byte) {
                index = openTag(at: index)
            }
        }
        var result: [Int: String] = [:]
        for entry in recorded {
            let components = entry.elements.map { name, id in labels[id].map { "\(name)[\($0)]" } ?? name } + entry.tail
            if !components.isEmpty { result[entry.target] = LogicalPaths.join(components) }
        }
        return result
    }

    private enum Suffix { case none, text, attribute(String) }

    /// Records every target before `end` at the current path (plus `extra`, an element whose
    /// start tag is being read).
    private mutating func record(upTo end: Int, suffix: Suffix, extra: (name: String, id: Int)? = nil) {
        while next < targets.count && targets[next] < end {
            var elements = stack.map { ($0.name, $0.id) }
            if let extra { elements.append((extra.name, extra.id)) }
            var tail: [String] = []
            switch suffix {
            case .none: break
            case let .attribute(name): tail.append("@" + name)
            case .text:
                if let variable = LogicalPaths.assignedName(in: bytes, at: targets[next]) { tail.append(variable) }
            }
            for (_, id) in elements where labels[id] == nil { pending.insert(id) }
            recorded.append((targets[next], elements, tail))
            next += 1
        }
    }

    private mutating func openTag(at start: Int) -> Int {
        var index = start
        while index < bytes.count && !isSpace(bytes[index]) && bytes[index] != UInt8(ascii: ">") && bytes[index] != UInt8(ascii: "/") {
            index += 1
        }
        let name = text(start..<index)
        let id = nextID
        nextID += 1
        while index < bytes.count {
            while index < bytes.count && isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") {
                if stack.count < Self.maxDepth { stack.append((name, id, index + 1)) }
                return index + 1
            }
            if byte == UInt8(ascii: "/") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: ">") {
                record(upTo: index + 2, suffix: .none, extra: (name, id))
                pending.remove(id)
                return index + 2
            }
            if byte == UInt8(ascii: "<") {
                // An unclosed tag: treat it as opened and let the next tag begin here.
                if stack.count < Self.maxDepth { stack.append((name, id, index)) }
                return index
            }
            let attributeStart = index
            while index < bytes.count && !isSpace(bytes[index]) && bytes[index] != UInt8(ascii: "=")
                    && bytes[index] != UInt8(ascii: ">") && bytes[index] != UInt8(ascii: "/") { index += 1 }
            let attribute = text(attributeStart..<index)
            while index < bytes.count && isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                if index < bytes.count && bytes[index] == UInt8(ascii: "/") && !(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: ">")) { index += 1 }
                if index == attributeStart { index += 1 }
                continue
            }
            index += 1
            while index < bytes.count && isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count else { break }
            let quote = bytes[index]
            let valueStart: Int
            let valueEnd: Int
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                valueStart = index + 1
                valueEnd = find(quote, from: valueStart, notPast: UInt8(ascii: ">")) ?? find(UInt8(ascii: ">"), from: valueStart) ?? bytes.count
                index = min(bytes.count, valueEnd + 1)
            } else {
                valueStart = index
                while index < bytes.count && !isSpace(bytes[index]) && bytes[index] != UInt8(ascii: ">") { index += 1 }
                valueEnd = index
            }
            // Name labels an element; Path or Index does where there is none (a SimaticML
            // Subelement, an L5X array Element).
            if labels[id] == nil && (attribute == "Name" || attribute == "name" || attribute == "Path" || attribute == "Index")
                && valueEnd - valueStart <= 80 {
                labels[id] = text(valueStart..<valueEnd)
            }
            if next < targets.count && targets[next] < valueStart {
                record(upTo: valueStart, suffix: .none, extra: (name, id))
            }
            if next < targets.count && targets[next] < valueEnd {
                record(upTo: valueEnd, suffix: .attribute(attribute), extra: (name, id))
            }
        }
        record(upTo: bytes.count, suffix: .none, extra: (name, id))
        return bytes.count
    }

    private mutating func closeTag(at start: Int, tagStart: Int) -> Int {
        var index = start
        while index < bytes.count && !isSpace(bytes[index]) && bytes[index] != UInt8(ascii: ">") { index += 1 }
        let name = text(start..<index)
        let end = (find(UInt8(ascii: ">"), from: index) ?? bytes.count) + 1
        // Well-formed XML closes the innermost element; broken XML is matched a few levels
        // up at most, so a run of stray end tags costs a bounded look each.
        let lowest = max(0, stack.count - Self.closeSearchDepth)
        guard let position = stack[lowest...].lastIndex(where: { $0.name == name }) else { return end }
        // A <Name> child names its parent (its grandparent past an AttributeList, as SimaticML does).
        if name == "Name" && position == stack.count - 1 && position > 0 {
            let content = text(stack[position].contentStart..<tagStart).trimmingWhitespace()
            var owner = position - 1
            if stack[owner].name == "AttributeList" && owner > 0 { owner -= 1 }
            if labels[stack[owner].id] == nil && !content.isEmpty && content.count <= 80 && !content.contains("<") {
                labels[stack[owner].id] = content
                pending.remove(stack[owner].id)
            }
        }
        for entry in stack[position...] { pending.remove(entry.id) }
        stack.removeSubrange(position...)
        return end
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[max(0, range.lowerBound)..<min(bytes.count, max(range.lowerBound, range.upperBound))]), as: UTF8.self)
    }

    private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }

    private func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f || byte >= 0x80
    }

    private func find(_ byte: UInt8, from start: Int, notPast stop: UInt8? = nil) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == byte { return index }
            if let stop, bytes[index] == stop { return nil }
            index += 1
        }
        return nil
    }

    private func find(_ marker: String, from start: Int) -> Int? {
        let needle = Array(marker.utf8)
        var index = start
        while let first = find(needle[0], from: index) {
            if starts(with: needle, at: first) { return first }
            index = first + 1
        }
        return nil
    }

    private func starts(with marker: String, at index: Int) -> Bool {
        starts(with: Array(marker.utf8), at: index)
    }

    private func starts(with needle: [UInt8], at index: Int) -> Bool {
        guard index + needle.count <= bytes.count else { return false }
        for (offset, byte) in needle.enumerated() where bytes[index + offset] != byte { return false }
        return true
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}

/// The JSONPath at each target offset of a JSON text.
private struct JSONPathWalker {
    let bytes: UnsafeRawBufferPointer
    let targets: [Int]

    private enum Container {
        case object(key: String?, awaitingKey: Bool)
        case array(index: Int)
    }

    func run() -> [Int: String] {
        var result: [Int: String] = [:]
        var stack: [Container] = []
        var next = 0
        var index = 0
        func path(_ stack: [Container]) -> String {
            var out = "$"
            for container in stack {
                switch container {
                case let .object(key, _):
                    guard let key else { continue }
                    if isIdentifier(key) { out += "." + key } else { out += "[\"" + key.replacingOccurrences(of: "\"", with: "\\\"") + "\"]" }
                case let .array(position): out += "[\(position)]"
                }
            }
            return out
        }
        while index < bytes.count && next < targets.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(.object(key: nil, awaitingKey: true))
                index += 1
            case UInt8(ascii: "["):
                stack.append(.array(index: 0))
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
                index += 1
            case UInt8(ascii: ","):
                if case let .array(position)? = stack.last { stack[stack.count - 1] = .array(index: position + 1) }
                if case let .object(key, _)? = stack.last { stack[stack.count - 1] = .object(key: key, awaitingKey: true) }
                index += 1
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < bytes.count && bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                end = min(end, bytes.count)
                if case .object(_, true)? = stack.last {
                    let key = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end]), as: UTF8.self)
                    stack[stack.count - 1] = .object(key: key, awaitingKey: false)
                }
                while next < targets.count && targets[next] <= end {
                    result[targets[next]] = path(stack)
                    next += 1
                }
                index = end + 1
            default:
                if byte != 0x20 && byte != 0x0a && byte != 0x0d && byte != 0x09 && byte != UInt8(ascii: ":") {
                    while next < targets.count && targets[next] <= index {
                        result[targets[next]] = path(stack)
                        next += 1
                    }
                }
                index += 1
            }
        }
        return result
    }

    private func isIdentifier(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

/// Enclosing blocks and the variable at each target offset of PLC source text.
private struct PLCSourceWalker {
    let bytes: UnsafeRawBufferPointer
    let targets: [Int]

    /// Keywords that open a block, and the keyword that closes each.
    static let blocks: [String: String] = [
        "FUNCTION_BLOCK": "END_FUNCTION_BLOCK", "FUNCTION": "END_FUNCTION", "DATA_BLOCK": "END_DATA_BLOCK",
        "ORGANIZATION_BLOCK": "END_ORGANIZATION_BLOCK", "TYPE": "END_TYPE", "PROGRAM": "END_PROGRAM",
        "CONFIGURATION": "END_CONFIGURATION", "RESOURCE": "END_RESOURCE", "INTERFACE": "END_INTERFACE",
        "METHOD": "END_METHOD", "PROPERTY": "END_PROPERTY", "ROUTINE": "END_ROUTINE", "MODULE": "END_MODULE",
        "CONTROLLER": "END_CONTROLLER", "DATATYPE": "END_DATATYPE",
        "ADD_ON_INSTRUCTION_DEFINITION": "END_ADD_ON_INSTRUCTION_DEFINITION",
    ]

    func run() -> [Int: String] {
        var result: [Int: String] = [:]
        var stack: [(keyword: String, name: String)] = []
        // A declaration whose attribute list runs over several lines (L5K writes
        // `HMI_Password : STRING (Description := "…",` and the value lines later).
        var openDeclaration: String?
        var depth = 0
        var next = 0
        var lineStart = 0
        while lineStart < bytes.count && next < targets.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0a { lineEnd += 1 }
            let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<min(lineEnd, lineStart + 400)]), as: UTF8.self)
            let continuing = depth > 0 ? openDeclaration : nil
            while next < targets.count && targets[next] <= lineEnd {
                var components = stack.map { "\($0.keyword) \($0.name)" }
                if let variable = continuing ?? LogicalPaths.assignedName(in: bytes, at: targets[next]) { components.append(variable) }
                if !components.isEmpty { result[targets[next]] = LogicalPaths.join(components) }
                next += 1
            }
            if depth == 0, let name = LogicalPaths.assignedName(in: bytes, at: lineEnd) { openDeclaration = name }
            for character in line.utf8 {
                if character == UInt8(ascii: "(") { depth += 1 } else if character == UInt8(ascii: ")") { depth = max(0, depth - 1) }
            }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            let keyword = String(trimmed.prefix { $0.isLetter || $0 == "_" }).uppercased()
            if Self.blocks[keyword] != nil {
                let rest = trimmed.dropFirst(keyword.count)
                let name = String(rest.prefix { !"(:{;\r".contains($0) }).trimmingWhitespace()
                if !name.isEmpty && !name.uppercased().hasPrefix("END_") && name.count <= 60 && stack.count < 64 {
                    stack.append((keyword, name))
                }
            } else if keyword.hasPrefix("END_"),
                      let position = stack[max(0, stack.count - 16)...].lastIndex(where: { Self.blocks[$0.keyword] == keyword }) {
                // Matched a few blocks up at most: stray END_ lines cost a bounded look each.
                stack.removeSubrange(position...)
            }
            lineStart = lineEnd + 1
        }
        return result
    }
}
