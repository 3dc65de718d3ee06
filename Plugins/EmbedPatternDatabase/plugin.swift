import Foundation
import PackagePlugin

/// Compiles the built-in rules (`rules/*.yaml`) into a Vectorscan database at build time and
/// embeds it in a generated Swift file, so the first run on a fresh machine compiles nothing.
@main
struct EmbedPatternDatabase: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let rulesDir = context.package.directoryURL.appending(path: "rules")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: rulesDir.path)) ?? []
        let rules = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { rulesDir.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltinPatternImage.swift")
        return [.buildCommand(
            displayName: "Compiling the built-in rules' Vectorscan database",
            executable: try context.tool(named: "custos-compile-patterns").url,
            arguments: [output.path] + rules.map(\.path),
            inputFiles: rules,
            outputFiles: [output])]
    }
}
