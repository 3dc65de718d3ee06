import Foundation
import PackagePlugin

/// Embeds every `rules/*.yaml` of the package into a generated Swift file, so the `custos`
/// binary carries its built-in rules wherever it is copied. Rules stay plain YAML in the repo.
@main
struct EmbedRules: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let rulesDir = context.package.directoryURL.appending(path: "rules")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: rulesDir.path)) ?? []
        let inputs = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { rulesDir.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltinRules.swift")
        return [.buildCommand(
            displayName: "Embedding \(inputs.count) rule files",
            executable: try context.tool(named: "custos-embed-rules").url,
            arguments: [output.path] + inputs.map(\.path),
            inputFiles: inputs,
            outputFiles: [output])]
    }
}
