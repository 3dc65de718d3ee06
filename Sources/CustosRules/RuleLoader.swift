import CustosCore
import Foundation
import CustosYAML

/// Reads rule files: YAML files or folders named on the command line, and the texts of the
/// built-in ones (embedded at build time by `CustosBuiltinRules`, which adds `builtin()`).
public enum RuleLoader {
    /// Loads a YAML file, or every `.yaml`/`.yml` file in a folder (sorted by name).
    public static func load(path: String) throws(RuleError) -> [Rule] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RuleError(location: path, message: "no such rule file or folder")
        }
        var files = [path]
        if isDirectory.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw RuleError(location: path, message: "cannot list the rules folder: \(error.localizedDescription)")
            }
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { PathText.join(path, $0) }
        }
        var rules: [Rule] = []
        for file in files {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw RuleError(location: file, message: "cannot read the rule file as UTF-8 text: \(error.localizedDescription)")
            }
            rules += try parse(yaml: text, source: file)
        }
        return rules
    }

    /// Parses one rule file's text. `source` names it in errors.
    public static func parse(yaml: String, source: String) throws(RuleError) -> [Rule] {
        guard let file = try YAMLMapping.parse(yaml, source: source) else { return [] }
        let document = try file.required()
        try document.rejectUnknownKeys(["rules"])
        let list = try document.sequence("rules") ?? []
        return try list.map { node throws(RuleError) in try RuleSyntax(node).validated() }
    }
}
