import Foundation
import PackagePlugin

/// Generates `BuildInfo.swift` for the `custos` command: the version from the package's
/// `VERSION` file and the short git commit of the checkout it is built from (`unknown` outside
/// a git checkout or without git). The command runs again when `VERSION` changes or when the
/// checkout's HEAD moves (a commit, checkout or reset rewrites `HEAD` or its reflog).
@main
struct EmbedBuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let versionFile = root.appending(path: "VERSION")
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildInfo.swift")
        var inputs = [versionFile]
        if let gitDir = gitDirectory(of: root) {
            for name in ["HEAD", "logs/HEAD"] {
                let file = gitDir.appending(path: name)
                if FileManager.default.fileExists(atPath: file.path) { inputs.append(file) }
            }
        }
        return [.buildCommand(
            displayName: "Embedding the version and commit",
            executable: try context.tool(named: "custos-build-info").url,
            arguments: [output.path, versionFile.path, root.path],
            inputFiles: inputs,
            outputFiles: [output])]
    }

    /// `.git` is a folder in a clone and a file (`gitdir: PATH`) in a worktree or submodule.
    private func gitDirectory(of root: URL) -> URL? {
        let dotGit = root.appending(path: ".git")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue { return dotGit }
        guard let text = try? String(contentsOf: dotGit, encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("gitdir:") else { return nil }
        let path = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appending(path: path)
    }
}
