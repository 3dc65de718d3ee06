import Foundation
import PackagePlugin

/// Embeds every `rules/*.yaml` of the package into a generated Swift file (validated, with their
/// Vectorscan database compiled), so the `custos` binary carries its built-in rules wherever it
/// is copied and compiles nothing on a first run, and every `rules/vocabulary/*.yaml` (the
/// credential vocabulary, data about names rather than rules) into another enum of the same
/// file. Both stay plain YAML in the repo.
@main
struct EmbedRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let rulesDir = context.package.directoryURL.appending(path: "rules")
        let vocabularyDir = rulesDir.appending(path: "vocabulary")
        func yamlFiles(in folder: URL) -> [URL] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { folder.appending(path: $0) }
        }
        let rules = yamlFiles(in: rulesDir)
        let vocabulary = yamlFiles(in: vocabularyDir)
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltinRules.swift")
        return [.buildCommand(
            displayName: "Embedding \(rules.count) rule files and \(vocabulary.count) vocabulary files",
            executable: try context.tool(named: "custos-embed-rules").url,
            arguments: [output.path] + rules.map(\.path) + ["--vocabulary"] + vocabulary.map(\.path),
            inputFiles: rules + vocabulary,
            outputFiles: [output])]
    }
}
