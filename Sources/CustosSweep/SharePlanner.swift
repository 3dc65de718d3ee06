import CustosCore
import CustosSources
import Foundation

/// Splits a share into the parts of a sharded sweep: the files at the top of the share are one
/// part, each top-level folder another, and a folder with at least `splitAt` subfolders (down to
/// `depth` levels) is split the same way into its own files and its subfolders. The parts cover
/// the share exactly once: whatever is not a part of its own (files, symbolic links, folders
/// past the depth) belongs to the part of the folder it is in.
///
/// Only folder listings, no file stats: planning a share with millions of files costs the
/// listings of its top levels. Folders are opened relative to their parent, never through a
/// symbolic link.
public struct SharePlanner: Sendable {
    public var splitAt: Int
    public var depth: Int
    /// At most this many parts (a share with a vast top level is split no further).
    public var maxParts: Int

    public init(splitAt: Int = 16, depth: Int = 3, maxParts: Int = 20_000) {
        self.splitAt = max(1, splitAt)
        self.depth = max(1, depth)
        self.maxParts = max(1, maxParts)
    }

    /// The parts of `root`, the top first.
    public func parts(of root: String) -> [WalkScope] {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return [WalkScope(folder: "")] }
        var parts: [WalkScope] = []
        split(descriptor: descriptor, relative: "", level: 0, into: &parts)
        return parts
    }

    /// Adds `relative`'s own part (with its split-off subfolders excepted) and theirs; takes
    /// ownership of `descriptor`.
    private func split(descriptor: Int32, relative: String, level: Int, into parts: inout [WalkScope]) {
        defer { close(descriptor) }
        let children = Self.childFolders(descriptor)
        // The top is always split (one part per top-level folder); deeper folders when large.
        let splits = level < depth && (level == 0 || children.count >= splitAt)
            && parts.count + 1 + children.count <= maxParts
        guard splits else {
            parts.append(WalkScope(folder: relative))
            return
        }
        parts.append(WalkScope(folder: relative, except: Set(children.map(\.shown))))
        for child in children {
            let childRelative = relative.isEmpty ? child.shown : relative + "/" + child.shown
            let opened = (child.name + [0]).withUnsafeBufferPointer { raw in
                openat(descriptor, UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self),
                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
            }
            if opened >= 0 {
                split(descriptor: opened, relative: childRelative, level: level + 1, into: &parts)
            } else {
                // Listed by its worker, who reports why it cannot be read.
                parts.append(WalkScope(folder: childRelative))
            }
        }
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
