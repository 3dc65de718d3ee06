import CustosCore
import CustosSources
import Foundation

/// Splits a share into the parts of a sharded sweep: the files at the top of the share are one
/// part and each top-level folder another; then, while the share has fewer than `targetParts`
/// parts, the part with the most subfolders is split the same way into its own files and its
/// subfolders (down to `maxDepth` levels). The parts cover the share exactly once: whatever is
/// not a part of its own (files, symbolic links, folders past the depth) belongs to the part of
/// the folder it is in.
///
/// Only folder listings, no file stats: planning a share with millions of files costs the
/// listings of the few hundred folders at its top. Folders are opened relative to their parent,
/// never through a symbolic link.
public struct SharePlanner: Sendable {
    /// Parts to aim for: enough for every worker to take several (a part costs a walk down from
    /// the top and one transaction, so not many more).
    public var targetParts: Int
    public var maxDepth: Int

    public init(targetParts: Int = 128, maxDepth: Int = 4) {
        self.targetParts = max(1, targetParts)
        self.maxDepth = max(1, maxDepth)
    }

    private struct Node {
        var relative: String
        /// The exact names from the root down to this folder.
        var names: [[UInt8]]
        var children: [(name: [UInt8], shown: String)]
        /// Indexes of the child nodes when this folder is split.
        var split: [Int]?
    }

    /// The parts of `root`, the top first, each folder before the parts inside it.
    public func parts(of root: String) -> [WalkScope] {
        let top = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK)
        guard top >= 0 else { return [WalkScope(folder: "")] }
        defer { close(top) }
        var nodes = [Node(relative: "", names: [], children: Self.childFolders(top), split: nil)]
        var count = 1
        func split(_ index: Int) {
            var indexes: [Int] = []
            // Once this split reaches the target no other can follow: its parts are not listed.
            let full = count + nodes[index].children.count + 2 > targetParts
            for child in nodes[index].children {
                let names = nodes[index].names + [child.name]
                let relative = nodes[index].relative.isEmpty ? child.shown : nodes[index].relative + "/" + child.shown
                let listed = names.count < maxDepth && !full ? Self.listing(of: names, under: top) : []
                indexes.append(nodes.count)
                nodes.append(Node(relative: relative, names: names, children: listed, split: nil))
            }
            nodes[index].split = indexes
            count += indexes.count
        }
        // The top is always split: one part per top-level folder.
        split(0)
        while true {
            let candidate = nodes.indices
                .filter { nodes[$0].split == nil && nodes[$0].children.count >= 2 && count + nodes[$0].children.count <= targetParts }
                .max { nodes[$0].children.count < nodes[$1].children.count }
            guard let candidate else { break }
            split(candidate)
        }
        var parts: [WalkScope] = []
        func emit(_ index: Int) {
            let node = nodes[index]
            guard let children = node.split else {
                parts.append(WalkScope(folder: node.relative))
                return
            }
            parts.append(WalkScope(folder: node.relative, except: Set(node.children.map(\.shown))))
            children.forEach(emit)
        }
        emit(0)
        return parts
    }

    /// The child folders of the folder reached from `top` by `names`, each opened relative to
    /// its parent without following a symbolic link; none when it cannot be opened.
    private static func listing(of names: [[UInt8]], under top: Int32) -> [(name: [UInt8], shown: String)] {
        var current = dup(top)
        for name in names {
            guard current >= 0 else { return [] }
            let next = (name + [0]).withUnsafeBufferPointer { raw in
                openat(current, UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self),
                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
            }
            close(current)
            current = next
        }
        guard current >= 0 else { return [] }
        defer { close(current) }
        return childFolders(current)
    }

    /// The real folders (not symbolic links) listed in the open folder, sorted by name.
    private static func childFolders(_ descriptor: Int32) -> [(name: [UInt8], shown: String)] {
        let listing = dup(descriptor)
        guard listing >= 0, let directory = fdopendir(listing) else {
            if listing >= 0 { close(listing) }
            return []
        }
        defer { closedir(directory) }
        var folders: [(name: [UInt8], shown: String)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name.isEmpty || name == [0x2e] || name == [0x2e, 0x2e] { continue }
            var kind = entry.pointee.d_type
            if kind == UInt8(DT_UNKNOWN) {
                var info = stat()
                let stated = (name + [0]).withUnsafeBufferPointer { raw in
                    fstatat(descriptor, UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self), &info,
                            AT_SYMLINK_NOFOLLOW) == 0
                }
                guard stated, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
                kind = UInt8(DT_DIR)
            }
            guard kind == UInt8(DT_DIR) else { continue }
            folders.append((name, EscapedName.display(name)))
        }
        return folders.sorted { $0.shown < $1.shown }
    }
}
