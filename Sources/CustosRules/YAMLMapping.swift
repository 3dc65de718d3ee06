import Yams

/// A YAML node with the file and key path it came from, so every error names the place to fix.
/// Shared by the rule files and the owners registry.
public struct YAMLMapping {
    public init(node: Node, source: String, path: String) {
        self.node = node
        self.source = source
        self.path = path
    }

    /// Parses a whole document (nil when it is empty), with YAML syntax errors as `RuleError`.
    public static func parse(_ yaml: String, source: String) throws(RuleError) -> YAMLMapping? {
        do {
            guard let root = try Yams.compose(yaml: yaml, .basic) else { return nil }
            return YAMLMapping(node: root, source: source, path: "")
        } catch let error as YamlError {
            throw RuleError(location: source, message: "not valid YAML: \(YamlErrorText.describe(error))")
        } catch {
            throw RuleError(location: source, message: "not valid YAML: \(error)")
        }
    }

    public let node: Node
    public let source: String
    public let path: String

    public var location: String {
        if let line = node.mark?.line { return "\(source):\(line)" }
        return source
    }

    public func error(_ message: String) -> RuleError {
        RuleError(location: location, message: path.isEmpty ? message : "\(path): \(message)")
    }

    /// The node as a mapping, or an error saying a mapping was expected.
    public func required() throws(RuleError) -> YAMLMapping {
        guard node.mapping != nil else { throw error("expected a mapping of keys to values") }
        return self
    }

    public func child(_ key: String) -> YAMLMapping? {
        guard let value = node.mapping?[key] else { return nil }
        return YAMLMapping(node: value, source: source, path: path.isEmpty ? key : "\(path).\(key)")
    }

    public func rejectUnknownKeys(_ known: Set<String>) throws(RuleError) {
        guard let mapping = node.mapping else { return }
        for key in mapping.keys {
            guard let name = key.string, known.contains(name) else {
                let keyText = key.string ?? "\(key)"
                let at = key.mark.map { "\(source):\($0.line)" } ?? location
                throw RuleError(location: at,
                                message: "unknown key '\(keyText)'\(path.isEmpty ? "" : " in \(path)"); known keys: \(known.sorted().joined(separator: ", "))")
            }
        }
    }

    public func string(_ key: String) throws(RuleError) -> String? {
        guard let value = child(key) else { return nil }
        if value.node.null != nil { return nil }
        guard value.node.scalar != nil, let text = value.node.string else {
            throw value.error("expected text")
        }
        return text
    }

    public func requiredString(_ key: String) throws(RuleError) -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw error("missing required key '\(key)'")
        }
        return text
    }

    public func double(_ key: String) throws(RuleError) -> Double? {
        guard let value = child(key) else { return nil }
        guard let number = value.node.float ?? value.node.int.map(Double.init) else {
            throw value.error("expected a number")
        }
        return number
    }

    public func int(_ key: String) throws(RuleError) -> Int? {
        guard let value = child(key) else { return nil }
        guard let number = value.node.int else { throw value.error("expected a whole number") }
        return number
    }

    public func sequence(_ key: String) throws(RuleError) -> [YAMLMapping]? {
        guard let value = child(key) else { return nil }
        if value.node.null != nil { return [] }
        guard let items = value.node.sequence else { throw value.error("expected a list") }
        return items.enumerated().map { index, item in
            YAMLMapping(node: item, source: source, path: "\(value.path)[\(index)]")
        }
    }

    public func strings(_ key: String) throws(RuleError) -> [String] {
        try (sequence(key) ?? []).map { item throws(RuleError) in
            guard item.node.scalar != nil, let text = item.node.string else {
                throw item.error("expected text")
            }
            return text
        }
    }
}
