// The fast history walk: each commit's tree, skipping every tree and blob seen before by id,
// so each tree is read and parsed once in the whole history and a path string is built only
// for what is new. Raw trees are parsed here (mode, name, id), under the same checks as any
// input. Ignored folders are not entered; when some ignore rule looks at whole paths, a tree
// in which something was left out is not marked seen, so the same tree elsewhere is judged
// again at its own path.

import CustosCore
import Foundation

/// One entry of a raw tree.
struct TreeEntry {
    enum Kind {
        case tree
        case blob
        case submodule
    }

    var kind: Kind
    var name: UnsafeBufferPointer<UInt8>
    var id: ObjectID
}

/// Reads the entries of a raw tree object in order; stops at the first malformed entry.
struct RawTreeEntries {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    private(set) var isMalformed = false

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func next() -> TreeEntry? {
        guard position < bytes.count else { return nil }
        var mode: UInt32 = 0
        var cursor = position
        var digits = 0
        while cursor < bytes.count, bytes[cursor] != UInt8(ascii: " ") {
            let digit = bytes[cursor] &- UInt8(ascii: "0")
            guard digit < 8, digits < 7 else { return malformed() }
            mode = mode << 3 | UInt32(digit)
            digits += 1
            cursor += 1
        }
        guard digits > 0, cursor < bytes.count else { return malformed() }
        let nameStart = cursor + 1
        guard let nameEnd = bytes[nameStart...].firstIndex(of: 0), nameEnd > nameStart, nameEnd + 20 < bytes.count + 1 else {
            return malformed()
        }
        let id = ObjectID(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[(nameEnd + 1)..<(nameEnd + 21)])))
        position = nameEnd + 21
        let kind: TreeEntry.Kind = switch mode & 0o170000 {
        case 0o040000: .tree
        case 0o160000: .submodule
        default: .blob
        }
        return TreeEntry(kind: kind, name: UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]), id: id)
    }

    private mutating func malformed() -> TreeEntry? {
        isMalformed = true
        position = bytes.count
        return nil
    }
}

/// The first-sighting walk over commits given parents first.
struct FirstSightingWalk {
    let reader: GitObjectReader
    let ignore: GitIgnore
    private var seenTrees = ObjectIDSet(capacity: 1 << 16)
    private var seenBlobs = ObjectIDSet(capacity: 1 << 16)
    private var unreadableTrees = ObjectIDSet()
    private var notedSubmodules = Set<String>()

    /// Folders nested deeper than this are not entered (a warning says so).
    static let maxDepth = 4096

    init(reader: GitObjectReader, ignore: GitIgnore) {
        self.reader = reader
        self.ignore = ignore
    }

    private struct Frame {
        var tree: ObjectID
        var bytes: [UInt8]
        var position: Int
        var prefix: String
        /// Something below was left out by an ignore rule that looks at whole paths.
        var leftOut: Bool
    }

    mutating func run(_ commits: [CommitNode], into index: inout HistoryIndex, found: (BlobSighting, ObjectID) -> Void) {
        for (number, commit) in commits.enumerated() {
            index.commitsWalked += 1
            guard !seenTrees.contains(commit.tree) else { continue }
            walkTree(commit.tree, commit: number, commitID: commit.id, into: &index, found: found)
        }
    }

    private mutating func readTree(_ id: ObjectID, path: String, commitID: ObjectID, into index: inout HistoryIndex) -> [UInt8]? {
        do {
            let object = try reader.read(id)
            guard object.kind == .tree else {
                index.notes.append(ScanWarning(.unreadableObject, path: path.isEmpty ? reader.repositoryPath : path,
                    message: "object \(id) at commit \(commitID.description.prefix(12)) should be a tree but is a \(object.kind)"))
                return nil
            }
            return object.bytes
        } catch {
            if unreadableTrees.insert(id) {
                let what = path.isEmpty ? "the tree of commit \(commitID)" : "tree \(id) at commit \(commitID.description.prefix(12))"
                index.notes.append(ScanWarning(.unreadableObject, path: path.isEmpty ? reader.repositoryPath : path,
                    message: "\(what) cannot be read: \(error.message); the files below it were not scanned"))
            }
            return nil
        }
    }

    private mutating func walkTree(_ root: ObjectID, commit: Int, commitID: ObjectID, into index: inout HistoryIndex,
                                   found: (BlobSighting, ObjectID) -> Void) {
        guard let rootBytes = readTree(root, path: "", commitID: commitID, into: &index) else { return }
        let namesOnly = ignore.judgesNamesOnly
        if namesOnly { seenTrees.insert(root) }
        var stack = [Frame(tree: root, bytes: rootBytes, position: 0, prefix: "", leftOut: false)]
        while !stack.isEmpty {
            let top = stack.count - 1
            var descend: Frame?
            var malformed = false
            var leftOut = false
            let prefix = stack[top].prefix
            let depth = stack.count
            let treeBytes = stack[top].bytes
            var position = stack[top].position
            treeBytes.withUnsafeBufferPointer { bytes in
                var entries = RawTreeEntries(bytes)
                entries.position = position
                while descend == nil, let entry = entries.next() {
                    switch entry.kind {
                    case .tree:
                        guard !seenTrees.contains(entry.id) else { continue }
                        let path = Self.join(prefix, entry.name)
                        if ignore.isIgnored(path, isDirectory: true) {
                            if !namesOnly { leftOut = true }
                            continue
                        }
                        guard depth < Self.maxDepth else {
                            index.notes.append(ScanWarning(.limitExceeded, path: path,
                                message: "folders nested more than \(Self.maxDepth) deep at commit \(commitID.description.prefix(12)); not entered"))
                            continue
                        }
                        guard let subtree = readTree(entry.id, path: path, commitID: commitID, into: &index) else { continue }
                        if namesOnly { seenTrees.insert(entry.id) }
                        descend = Frame(tree: entry.id, bytes: subtree, position: 0, prefix: path, leftOut: false)
                    case .blob:
                        guard !seenBlobs.contains(entry.id) else { continue }
                        let path = Self.join(prefix, entry.name)
                        if ignore.isIgnored(path, isDirectory: false) {
                            index.blobsExcluded += 1
                            if !namesOnly { leftOut = true }
                            continue
                        }
                        seenBlobs.insert(entry.id)
                        let sighting = BlobSighting(blob: entry.id, path: path, commit: commit)
                        index.blobs.append(sighting)
                        found(sighting, commitID)
                    case .submodule:
                        let path = Self.join(prefix, entry.name)
                        if notedSubmodules.insert(path).inserted {
                            index.notes.append(ScanWarning(.storedElsewhere, path: path, message: "submodule skipped (scan its repository separately)"))
                        }
                    }
                }
                position = entries.position
                malformed = entries.isMalformed
            }
            stack[top].position = position
            if leftOut { stack[top].leftOut = true }
            if malformed {
                index.notes.append(ScanWarning(.unreadableObject, path: stack[top].prefix.isEmpty ? reader.repositoryPath : stack[top].prefix,
                    message: "tree \(stack[top].tree) at commit \(commitID.description.prefix(12)) is malformed; the entries after the damage were not scanned"))
            }
            if let descend {
                stack.append(descend)
                continue
            }
            let finished = stack.removeLast()
            if !namesOnly {
                if finished.leftOut {
                    if let parent = stack.indices.last { stack[parent].leftOut = true }
                } else {
                    seenTrees.insert(finished.tree)
                }
            }
        }
    }

    /// `prefix/name`, decoding the name as UTF-8 (invalid bytes become U+FFFD, as before).
    private static func join(_ prefix: String, _ name: UnsafeBufferPointer<UInt8>) -> String {
        let name = String(decoding: name, as: UTF8.self)
        return prefix.isEmpty ? name : prefix + "/" + name
    }
}
