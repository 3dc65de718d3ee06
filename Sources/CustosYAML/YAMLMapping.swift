// CustosYAML: YAML documents a person wrote — rule files, the owners registry, the
// configuration file — read with the file, line and key path of every node, so each error
// names the place to fix. It owns no meaning: callers validate keys and values. Built on Yams's
// node API (not Codable) because Codable loses the marks that make errors actionable.

internal import Yams

/// A problem in a file a person wrote, with the place to fix: `rules/github.yaml:12: …`.
public struct LocatedError: Error, Sendable, CustomStringConvertible {
    /// `file:line` or `file`.
    public var location: String
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String {
        location.isEmpty ? message : "\(location): \(message)"
    }
}

/// A YAML node with the file and key path it came from, so every error names the place to fix.
/// Shared by the rule files, the owners registry and the configuration file.
public struct YAMLMapping {
    init(node: Node, source: String, path: String) {
        self.node = node
        self.source = source
        self.path = path
    }

    /// Parses a whole document (nil when it is empty), with YAML syntax errors as `LocatedError`.
    public static func parse(_ yaml: String, source: String) throws(LocatedError) -> YAMLMapping? {
        do {
            guard let root = try Yams.compose(yaml: yaml, .basic) else { return nil }
            return YAMLMapping(node: root, source: source, path: "")
        } catch let error as YamlError {
            throw LocatedError(location: source, message: "not valid YAML: \(YAMLErrorText.describe(error))")
        } catch {
            throw LocatedError(location: source, message: "not valid YAML: \(error)")
        }
    }

    let node: Node
    public let source: String
    public let path: String

    public var location: String {
        if let line = node.mark?.line { return "\(source):\(line)" }
        return source
    }

    public func error(_ message: String) -> LocatedError {
        LocatedError(location: location, message: path.isEmpty ? message : "\(path): \(message)")
    }

    /// The node as a mapping, or an error saying a mapping was expected.
    public func required() throws(LocatedError) -> YAMLMapping {
        guard node.mapping != nil else { throw error("expected a mapping of keys to values") }
        return self
    }

    public func child(_ key: String) -> YAMLMapping? {
        childNode(key).map { located($0, under: key) }
    }

    /// `value`, found under `key`, with its place.
    private func located(_ value: Node, under key: String) -> YAMLMapping {
        YAMLMapping(node: value, source: source, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The value under `key`, compared as the text it is: Yams's subscript builds a node of the
    /// key and compares whole nodes (tag, style, mark), the larger part of reading a rule file.
    /// Scalars are read without a `YAMLMapping` (and its path) unless they are wrong.
    private func childNode(_ key: String) -> Node? {
        guard let mapping = node.mapping else { return nil }
        for (name, value) in mapping where name.scalar?.string == key { return value }
        return nil
    }

    public func rejectUnknownKeys(_ known: Set<String>) throws(LocatedError) {
        guard let mapping = node.mapping else { return }
        for key in mapping.keys {
            guard let name = key.string, known.contains(name) else {
                let keyText = key.string ?? "\(key)"
                let at = key.mark.map { "\(source):\($0.line)" } ?? location
                throw LocatedError(location: at,
                                message: "unknown key '\(keyText)'\(path.isEmpty ? "" : " in \(path)"); known keys: \(known.sorted().joined(separator: ", "))")
            }
        }
    }

    public func string(_ key: String) throws(LocatedError) -> String? {
        guard let value = childNode(key) else { return nil }
        if value.null != nil { return nil }
        guard value.scalar != nil, let text = value.string else {
            throw located(value, under: key).error("expected text")
        }
        return text
    }

    public func requiredString(_ key: String) throws(LocatedError) -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw error("missing required key '\(key)'")
        }
        return text
    }

    public func double(_ key: String) throws(LocatedError) -> Double? {
        guard let value = childNode(key) else { return nil }
        guard let number = value.float ?? value.int.map(Double.init) else {
            throw located(value, under: key).error("expected a number")
        }
        return number
    }

    public func int(_ key: String) throws(LocatedError) -> Int? {
        guard let value = childNode(key) else { return nil }
        guard let number = value.int else { throw located(value, under: key).error("expected a whole number") }
        return number
    }

    public func sequence(_ key: String) throws(LocatedError) -> [YAMLMapping]? {
        guard let value = child(key) else { return nil }
        if value.node.null != nil { return [] }
        guard let items = value.node.sequence else { throw value.error("expected a list") }
        return items.enumerated().map { index, item in
            YAMLMapping(node: item, source: source, path: "\(value.path)[\(index)]")
        }
    }

    public func strings(_ key: String) throws(LocatedError) -> [String] {
        guard let value = childNode(key) else { return [] }
        if value.null != nil { return [] }
        guard let items = value.sequence else { throw located(value, under: key).error("expected a list") }
        var texts: [String] = []
        texts.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard item.scalar != nil, let text = item.string else {
                let list = located(value, under: key)
                throw YAMLMapping(node: item, source: source, path: "\(list.path)[\(index)]").error("expected text")
            }
            texts.append(text)
        }
        return texts
    }
}

/// The text of a Yams error, without the echo of the whole document it carries.
enum YAMLErrorText {
    static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let what = context.map { "\($0.text) " } ?? ""
            return "line \(mark.line), column \(mark.column): \(what)\(problem)"
        case let .reader(problem, offset, _, _):
            return "\(problem)\(offset.map { " at byte \($0)" } ?? "")"
        case let .duplicatedKeysInMapping(duplicates, context):
            return "line \(context.mark.line): duplicate keys \(duplicates.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }
}
