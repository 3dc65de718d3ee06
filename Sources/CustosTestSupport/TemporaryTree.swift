// CustosTestSupport: small helpers that keep each test a few lines long — temporary trees,
// running the real binary, validating SARIF. Only test targets depend on it.

import Foundation

/// A folder under the system temp directory, removed when the test is done with it.
public final class TemporaryTree {
    public let root: URL

    /// Creates the folder and writes `files` (relative path → text) into it.
    public init(_ files: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("custos-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, text) in files {
            try write(path, Data(text.utf8))
        }
    }

    deinit {
        // Undo anything a test made unreadable so the folder can be removed.
        if let walker = FileManager.default.enumerator(atPath: root.path) {
            for case let path as String in walker {
                chmod(root.appendingPathComponent(path).path, 0o755)
            }
        }
        try? FileManager.default.removeItem(at: root)
    }

    public var path: String { root.path }

    /// A path that does not exist yet, in a fresh temporary folder of its own (outside any tree).
    public static func outside(_ name: String) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    public func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// Writes bytes at `relative`, creating folders on the way.
    public func write(_ relative: String, _ data: Data) throws {
        let url = self.url(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    public func write(_ relative: String, _ text: String) throws {
        try write(relative, Data(text.utf8))
    }

    public func symlink(_ relative: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url(relative).path, withDestinationPath: destination)
    }
}
