import CustosCore
import Foundation

/// A CODEOWNERS file (GitHub and GitLab syntax): `pattern owner…` lines, the last matching line
/// wins. It names an owner for a path, never who may revoke a credential.
public struct CodeOwners: Sendable {
    struct Entry: Sendable {
        var glob: PathGlob
        var owners: [String]
    }

    private var entries: [Entry] = []

    /// Where GitHub and GitLab look, in their order.
    public static let locations = ["CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS"]

    public init(text: String) {
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            // Comments, and GitLab section headers such as `[Database]` or `^[Docs][2] @team`.
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("[") || line.hasPrefix("^[") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let pattern = fields.first else { continue }
            let owners = fields.dropFirst().prefix { !$0.hasPrefix("#") }
            // `docs/` owns everything below docs; PathGlob's trailing slash means folders only.
            let glob = pattern.hasSuffix("/") ? pattern + "**" : pattern
            entries.append(Entry(glob: PathGlob(glob), owners: Array(owners)))
        }
    }

    /// The first CODEOWNERS file found under `root`, if any.
    public static func find(in root: String) -> CodeOwners? {
        for location in locations {
            let path = PathText.join(root, location)
            if let data = FileManager.default.contents(atPath: path) {
                return CodeOwners(text: String(decoding: data, as: UTF8.self))
            }
        }
        return nil
    }

    /// The owners of `path` (relative to the repository root); empty when none.
    public func owners(of path: String) -> [String] {
        entries.last { $0.glob.matches(path) }?.owners ?? []
    }
}
