import CustosCore
import CustosOwners
import Foundation

/// Who owns what, for a sweep: the owners registry and CODEOWNERS of the roots, applied to each
/// finding when its file is read (the secret is in memory only then).
///
/// `digest` names everything attribution depends on. A file holding findings that were
/// attributed under another digest is read again, so editing owners.yaml or CODEOWNERS is
/// reflected at the next sweep at the cost of re-reading the files with findings only.
public struct SweepAttribution: Sendable {
    /// Places (registry sites, `--site`s, roots) and, when `ownersKnown`, ownership.
    let resolver: OwnershipResolver
    let ownersKnown: Bool
    /// SHA-256 over the registry's and every root's CODEOWNERS bytes ("none" without either).
    public let digest: String

    /// Attribution from `registry` (read from `registryPath`) and the roots' CODEOWNERS files;
    /// `sites` are folders named on the command line (`--site NAME=PATH`).
    public init(registry: OwnersRegistry?, registryPath: String?, roots: [String], sites: [Site] = []) {
        var parts: [String] = []
        if let registryPath, let data = FileManager.default.contents(atPath: registryPath) {
            parts.append("registry\u{0}" + Fingerprint.plainSHA256(String(decoding: data, as: UTF8.self)))
        }
        var scanRoots: [ScanRoot] = []
        for root in roots {
            let codeOwners = CodeOwners.find(in: root)
            for location in CodeOwners.locations {
                if let data = FileManager.default.contents(atPath: PathText.join(root, location)) {
                    parts.append(root + "\u{0}" + location + "\u{0}" + Fingerprint.plainSHA256(String(decoding: data, as: UTF8.self)))
                }
            }
            scanRoots.append(ScanRoot(displayPath: root, name: SweepRoots.name(root), codeOwners: codeOwners))
        }
        ownersKnown = registry != nil || scanRoots.contains(where: { $0.codeOwners != nil })
        resolver = OwnershipResolver(registry: registry ?? OwnersRegistry(), roots: scanRoots, extraSites: sites)
        for site in sites { parts.append("site\u{0}\(site.id)\u{0}\(site.root ?? "")") }
        digest = parts.isEmpty ? "none" : sha256Hex(parts: parts)
    }

    /// A finding as the state stores it: its place and, when owners are known, its ownership.
    func locate(_ finding: Finding) -> SweptLocation {
        SweptLocation(finding, place: resolver.place(of: finding), ownership: ownersKnown ? resolver.attribute(finding) : nil)
    }
}

/// Roots as a sweep stores them: absolute, standardized, without a trailing slash, so the same
/// share gives the same paths from any working directory.
public enum SweepRoots {
    public static func normalize(_ root: String) -> String {
        var path = URL(fileURLWithPath: root).standardizedFileURL.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// The share's or folder's name: its last path component.
    static func name(_ root: String) -> String {
        let name = PathText.name(of: root)
        return name.isEmpty ? root : name
    }

    /// Whether `path` is `root` or lies below it, by name.
    public static func contains(_ root: String, _ path: String) -> Bool {
        path == root || root == "/" || path.hasPrefix(root + "/")
    }

    /// Whether `path` (which need not exist yet) lies inside the folder `root` on disk,
    /// whatever names lead there: each existing folder on the way up from `path` is compared
    /// with `root` by device and inode, so a symbolic link or a bind mount into the swept
    /// tree is caught as surely as the plain path.
    public static func lies(_ path: String, inside root: String) -> Bool {
        var rootInfo = stat()
        guard stat(root, &rootInfo) == 0 else { return contains(normalize(root), normalize(path)) }
        var current = normalize(path)
        for _ in 0..<4096 {
            var info = stat()
            if stat(current, &info) == 0 && info.st_dev == rootInfo.st_dev && info.st_ino == rootInfo.st_ino {
                return true
            }
            let parent = PathText.folder(of: current)
            if parent == current || parent.isEmpty { break }
            current = parent
        }
        return contains(normalize(root), normalize(path))
    }
}
