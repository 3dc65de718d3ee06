import Foundation

/// A git repository in a temporary folder, driven through the `git` command line so tests
/// build history exactly as users do.
public final class TemporaryRepository {
    public let tree: TemporaryTree

    public init() throws {
        tree = try TemporaryTree()
        try git("init", "-q", "-b", "main")
        try git("config", "user.name", "Ada Tester")
        try git("config", "user.email", "ada@example.org")
        try git("config", "commit.gpgsign", "false")
    }

    public var path: String { tree.path }

    /// Runs git in the repository and returns its standard output, trimmed.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        let result = try Command.run(["git", "-C", path] + arguments)
        guard result.status == 0 else {
            throw RepositoryError(message: "git \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes files, stages everything and commits; returns the new commit id.
    @discardableResult
    public func commit(_ message: String, _ files: [String: String] = [:], removing: [String] = []) throws -> String {
        for (path, text) in files { try tree.write(path, text) }
        for path in removing { try git("rm", "-q", path) }
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD")
    }

    public struct RepositoryError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
