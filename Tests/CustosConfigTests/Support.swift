import CustosCore
import Foundation

/// Fake secrets for these tests, generated (random characters of each format's alphabet).
enum Fake {
    static let githubToken = "ghp_KAzN19bj5W9N12fnEVOt7A8LXYk5XMmqwB3u"
    static let internalToken = "itk_p9wkb7qonxec8z6y2yxjfozsvqw4ql4n"
    static let password = "qorerkgc1wefQlYC1D9n9Bu4"
}

/// A finding built by hand, as the engine would report it.
func finding(_ rule: String = "github-classic-pat", path: String = "src/app.env", line: Int = 3,
             secret: String = Fake.githubToken, before: String = "TOKEN=", after: String = "",
             commits: [String]? = nil) -> Finding {
    let git = commits.map { ids in
        GitOrigin(blob: "b10b", commits: ids.map {
            CommitReference(commit: $0, path: path, author: "A", email: "a@example.com", date: "2024-01-01T00:00:00Z", summary: "s")
        })
    }
    return Finding(ruleID: rule, path: path, start: TextPosition(line: line, column: 7), end: TextPosition(line: line, column: 47),
                   byteStart: 10, byteEnd: 50, secret: secret, identity: nil,
                   fingerprint: Fingerprint(ruleID: rule, secret: secret),
                   snippet: Snippet(before: before, after: after), git: git)
}

/// A temporary folder with files, removed afterwards.
final class Folder {
    let path: String

    init(_ files: [String: String] = [:]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("custos-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: false, encoding: .utf8)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}
