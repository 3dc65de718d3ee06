// The history walk: which blobs the selected references reach, and where each was first
// seen (the commit that introduced it, and its path there). Commits are visited parents first,
// so the first commit whose new trees hold a blob is the one that introduced it; a tree seen
// before is skipped by id without being read, as `git rev-list --objects` does, so a commit
// that changes one file costs the trees on that file's path and nothing that grows with the
// rest of the tree. Trees and commits are read raw from the packs (GitObjectReader) and parsed
// here; libgit2 gives the references and, at the end, the author and message of the few
// commits a report names. `--all-provenance` needs every commit that added a blob at a path,
// which only a comparison with each parent gives: that slower walk is GitProvenanceWalk.
// The walk hands each new blob to a callback as it finds it, so scanning starts at once.

import CGit2
import CustosCore
import Foundation

/// Which commits a history scan starts from.
public enum RefSelection: Sendable {
    /// Every reference (branches, tags, remotes, stashes) and HEAD.
    case allRefs
    /// One revision and its ancestors.
    case revision(String)
}

/// Where a blob was found: a path in a commit (by its position in `HistoryIndex.commits`).
public struct BlobSighting: Sendable, Hashable {
    public var blob: ObjectID
    public var path: String
    public var commit: Int
}

/// Every blob reachable from the selected commits, each listed once with where it was first
/// seen, and with `--all-provenance` every other commit that added it at a path.
public struct HistoryIndex: Sendable {
    /// Commits by the number sightings refer to them by.
    public var commits: [ObjectID] = []
    /// Each blob once, in the order found, with its first sighting.
    public var blobs: [BlobSighting] = []
    /// Later commits that added a blob at a path (with `--all-provenance`), oldest first.
    public var laterSightings: [ObjectID: [BlobSighting]] = [:]
    public var commitsWalked = 0
    /// Blobs left out by ignore rules (counted where they were met, not below ignored folders).
    public var blobsExcluded = 0
    /// Things the user should know: shallow history, skipped submodules, unreadable objects.
    public var notes: [ScanWarning] = []

    public init() {}

    /// Every sighting of `blob`, the first one first.
    public func sightings(of first: BlobSighting) -> [BlobSighting] {
        [first] + (laterSightings[first.blob] ?? [])
    }
}

/// Walks the history of a repository; see the file comment.
public struct GitHistoryWalker {
    public let repository: GitRepository
    let refs: RefSelection
    let allProvenance: Bool
    let ignore: GitIgnore

    public init(repository: GitRepository, refs: RefSelection = .allRefs, allProvenance: Bool = false,
                ignore: GitIgnore = GitIgnore()) {
        self.repository = repository
        self.refs = refs
        self.allProvenance = allProvenance
        self.ignore = ignore
    }

    /// Walks the whole history and returns the index.
    public func run() throws(GitError) -> HistoryIndex {
        try run(store: PackStore(objectsDirectory: repository.objectsDirectory)) { _, _ in }
    }

    /// Walks the history, calling `found` with each new blob, and the commit it was found in,
    /// as it is found.
    public func run(store: PackStore, found: (BlobSighting, ObjectID) -> Void) throws(GitError) -> HistoryIndex {
        var index = HistoryIndex()
        if repository.isShallow {
            index.notes.append(ScanWarning(.incompleteHistory, path: repository.path,
                message: "shallow clone: commits before the shallow boundary are not in this repository and were not scanned. \(GitRepository.deepenAdvice)"))
        }
        let tips: [ObjectID]
        switch refs {
        case .allRefs:
            let referenced = try repository.referencedCommits()
            tips = referenced.commits
            index.notes += referenced.warnings
        case let .revision(revision):
            tips = [try repository.resolveCommit(revision)]
        }
        let reader = GitObjectReader(store: store, repositoryPath: repository.path, cacheBytes: 96 << 20)
        let graph = CommitGraph(reader: reader, tips: tips).parentsFirst()
        for missing in graph.missing {
            index.notes.append(ScanWarning(.incompleteHistory, path: repository.path,
                message: "commit \(missing.id) is referenced but cannot be read (shallow or damaged history: \(missing.reason)); what lies behind it was not scanned"))
        }
        index.commits = graph.order.map(\.id)
        if allProvenance {
            GitProvenanceWalk(repository: repository, ignore: ignore).run(graph.order, into: &index, found: found)
        } else {
            var walk = FirstSightingWalk(reader: reader, ignore: ignore)
            walk.run(graph.order, into: &index, found: found)
        }
        return index
    }

    /// The commit's author, date and summary, as reports show them.
    public static func reference(_ commit: OpaquePointer, id: git_oid) -> CommitReference {
        let author = git_commit_author(commit)?.pointee
        let name = author?.name.map { String(cString: $0) } ?? ""
        let email = author?.email.map { String(cString: $0) } ?? ""
        let time = author.map { Date(timeIntervalSince1970: TimeInterval($0.when.time)) } ?? Date(timeIntervalSince1970: 0)
        let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        return CommitReference(commit: ObjectID(id).description, path: "", author: name, email: email,
                               date: isoDate(time), summary: summary)
    }

    /// `2024-05-01T12:00:00Z`, formatted by hand: a shared formatter object is not
    /// concurrency-safe, and one per commit is slow.
    static func isoDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

/// Builds the `CommitReference`s a report shows, reading each commit once through libgit2.
public final class CommitDescriber {
    private let repository: GitRepository
    private var described: [ObjectID: CommitReference] = [:]

    public init(repository: GitRepository) {
        self.repository = repository
    }

    /// The commit's reference with `path`; a commit that cannot be read is named by its id alone.
    public func reference(_ id: ObjectID, path: String) -> CommitReference {
        var reference = described[id] ?? {
            var oid = id.oid
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, repository.pointer, &oid) == 0, let commit else {
                return CommitReference(commit: id.description, path: "", author: "", email: "", date: "", summary: "")
            }
            defer { git_commit_free(commit) }
            return GitHistoryWalker.reference(commit, id: oid)
        }()
        described[id] = reference
        reference.path = path
        return reference
    }
}

/// A commit as the walk needs it: its tree and parents.
struct CommitNode: Sendable {
    var id: ObjectID
    var tree: ObjectID
    var parents: [ObjectID]

    /// Parses a raw commit's `tree` and `parent` headers; nil when they are not there.
    init?(id: ObjectID, raw: [UInt8]) {
        self.id = id
        var parents: [ObjectID] = []
        var tree: ObjectID?
        var lineStart = 0
        raw.withUnsafeBufferPointer { bytes in
            while lineStart < bytes.count {
                let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
                if line.isEmpty { break }  // the headers end at the first empty line
                if line.starts(with: Self.treePrefix) {
                    tree = ObjectID(hex: line.dropFirst(Self.treePrefix.count))
                } else if line.starts(with: Self.parentPrefix) {
                    if let parent = ObjectID(hex: line.dropFirst(Self.parentPrefix.count)) { parents.append(parent) }
                } else if tree != nil {
                    break  // author, committer, and the rest: nothing the walk needs
                }
                lineStart = lineEnd + 1
            }
        }
        guard let tree else { return nil }
        self.tree = tree
        self.parents = parents
    }

    private static let treePrefix = Array("tree ".utf8)
    private static let parentPrefix = Array("parent ".utf8)
}

/// The commits reachable from some tips, parents before children. A parent that cannot be
/// read (shallow clones, damaged repositories) is noted and the walk goes on.
struct CommitGraph {
    let reader: GitObjectReader
    let tips: [ObjectID]

    /// Commits walked at most: a bound on the walk, far above any real history.
    static let maxCommits = 50_000_000

    func parentsFirst() -> (order: [CommitNode], missing: [(id: ObjectID, reason: String)]) {
        var order: [CommitNode] = []
        var missing: [(id: ObjectID, reason: String)] = []
        var done = ObjectIDSet()
        var entered = ObjectIDSet()
        // Iterative depth-first post-order: a commit is emitted once all its parents are.
        var stack: [(node: CommitNode?, id: ObjectID, next: Int)] = tips.reversed().map { (nil, $0, 0) }
        while var top = stack.popLast(), order.count < Self.maxCommits {
            if done.contains(top.id) { continue }
            if top.node == nil {
                guard entered.insert(top.id) else { continue }
                switch load(top.id) {
                case let .success(node):
                    top.node = node
                case let .failure(reason):
                    missing.append((top.id, reason))
                    done.insert(top.id)
                    continue
                }
            }
            let parents = top.node!.parents
            while top.next < parents.count, done.contains(parents[top.next]) || entered.contains(parents[top.next]) {
                top.next += 1
            }
            if top.next < parents.count {
                let next = parents[top.next]
                stack.append(top)
                stack.append((nil, next, 0))
            } else {
                done.insert(top.id)
                order.append(top.node!)
            }
        }
        return (order, missing)
    }

    private enum Loaded {
        case success(CommitNode)
        case failure(String)
    }

    private func load(_ id: ObjectID) -> Loaded {
        do {
            let object = try reader.read(id)
            guard object.kind == .commit, let node = CommitNode(id: id, raw: object.bytes) else {
                return .failure("object \(id) is not a commit")
            }
            return .success(node)
        } catch {
            return .failure(error.message)
        }
    }
}
