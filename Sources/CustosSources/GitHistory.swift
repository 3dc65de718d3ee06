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

/// Every blob reachable from the selected commits, each listed once, with the commits that
/// added it at a path (oldest first: the first one introduced it).
public struct HistoryIndex: Sendable {
    public var blobs: [ObjectID] = []
    public var provenance: [ObjectID: [CommitReference]] = [:]
    public var commitsWalked = 0
    /// Things the user should know: shallow history, skipped submodules, unreadable objects.
    public var notes: [ScanWarning] = []
}

/// Walks commits oldest first and compares each commit's tree with its parents' trees, so a
/// blob is recorded where it first appears and every later commit that only carries it along
/// costs nothing. Unchanged subtrees are skipped by id without being opened.
public struct GitHistoryWalker {
    let repository: GitRepository
    let refs: RefSelection
    let allProvenance: Bool
    /// Commits reachable from this revision are not walked (`--since-commit`).
    let hidden: String?

    public init(repository: GitRepository, refs: RefSelection = .allRefs, allProvenance: Bool = false,
                hiding hidden: String? = nil) {
        self.repository = repository
        self.refs = refs
        self.allProvenance = allProvenance
        self.hidden = hidden
    }

    public func run() throws(GitError) -> HistoryIndex {
        var state = WalkState(allProvenance: allProvenance)
        if repository.isShallow {
            state.index.notes.append(ScanWarning(.incompleteHistory, path: repository.path,
                message: "shallow clone: commits before the shallow boundary are not in this repository and were not scanned"))
        }
        let tips: [ObjectID]
        switch refs {
        case .allRefs:
            tips = try repository.referencedCommits()
        case let .revision(revision):
            tips = [try repository.resolveCommit(revision)]
        }
        let hiddenCommits = try hidden.map { hidden throws(GitError) in
            Set(CommitGraph(repository: repository, tips: [try repository.resolveCommit(hidden)]).parentsFirst().order)
        } ?? []
        let graph = CommitGraph(repository: repository, tips: tips).parentsFirst()
        for missing in graph.missing {
            state.index.notes.append(ScanWarning(.incompleteHistory, path: repository.path,
                message: "commit \(missing) is referenced but not in the repository (shallow or damaged history); what lies behind it was not scanned"))
        }
        for commit in graph.order where !hiddenCommits.contains(commit) {
            visitCommit(commit.oid, &state)
        }
        return state.index
    }

    private struct WalkState {
        var index = HistoryIndex()
        var seenTrees = Set<ObjectID>()
        var blobPosition: [ObjectID: Int] = [:]
        var notedSubmodules = Set<String>()
        let allProvenance: Bool

        init(allProvenance: Bool) {
            self.allProvenance = allProvenance
        }
    }

    private func visitCommit(_ id: git_oid, _ state: inout WalkState) {
        var oid = id
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, repository.pointer, &oid) == 0, let commit else {
            state.index.notes.append(ScanWarning(.unreadableObject, path: repository.path,
                message: "commit \(ObjectID(id)) cannot be read: \(GitError.last("lookup").message)"))
            return
        }
        defer { git_commit_free(commit) }
        state.index.commitsWalked += 1
        var tree: OpaquePointer?
        guard git_commit_tree(&tree, commit) == 0, let tree else {
            state.index.notes.append(ScanWarning(.unreadableObject, path: repository.path,
                message: "the tree of commit \(ObjectID(id)) cannot be read: \(GitError.last("tree").message)"))
            return
        }
        defer { git_tree_free(tree) }
        var parents: [OpaquePointer] = []
        for number in 0..<git_commit_parentcount(commit) {
            var parent: OpaquePointer?
            var parentTree: OpaquePointer?
            if git_commit_parent(&parent, commit, number) == 0, let parent {
                if git_commit_tree(&parentTree, parent) == 0, let parentTree { parents.append(parentTree) }
                git_commit_free(parent)
            }
        }
        defer { parents.forEach { git_tree_free($0) } }
        let reference = Self.reference(commit, id: id)
        compare(tree, against: parents, prefix: "", commit: reference, &state)
    }

    /// Records blobs in `tree` that none of `parents` has at the same path.
    private func compare(_ tree: OpaquePointer, against parents: [OpaquePointer], prefix: String,
                         commit: CommitReference, _ state: inout WalkState) {
        let treeID = ObjectID(git_tree_id(tree).pointee)
        if !state.allProvenance {
            // Every blob below a tree seen before was recorded when it was first seen.
            guard state.seenTrees.insert(treeID).inserted else { return }
        }
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            let entryID = git_tree_entry_id(entry).pointee
            let parentEntries = parents.compactMap { git_tree_entry_byname($0, name) }
            // Unchanged from some parent: this commit only carries it along.
            if parentEntries.contains(where: { Self.sameID(git_tree_entry_id($0).pointee, entryID) }) { continue }
            let path = prefix.isEmpty ? name : prefix + "/" + name
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB:
                record(ObjectID(entryID), path: path, commit: commit, &state)
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                guard git_tree_lookup(&subtree, repository.pointer, git_tree_entry_id(entry)) == 0, let subtree else {
                    state.index.notes.append(ScanWarning(.unreadableObject, path: path,
                        message: "tree \(ObjectID(entryID)) at commit \(commit.commit.prefix(12)) cannot be read: \(GitError.last("tree").message)"))
                    continue
                }
                defer { git_tree_free(subtree) }
                var parentSubtrees: [OpaquePointer] = []
                for parentEntry in parentEntries where git_tree_entry_type(parentEntry) == GIT_OBJECT_TREE {
                    var parentSubtree: OpaquePointer?
                    if git_tree_lookup(&parentSubtree, repository.pointer, git_tree_entry_id(parentEntry)) == 0, let parentSubtree {
                        parentSubtrees.append(parentSubtree)
                    }
                }
                defer { parentSubtrees.forEach { git_tree_free($0) } }
                compare(subtree, against: parentSubtrees, prefix: path, commit: commit, &state)
            case GIT_OBJECT_COMMIT:
                if state.notedSubmodules.insert(path).inserted {
                    state.index.notes.append(ScanWarning(.storedElsewhere, path: path, message: "submodule skipped (scan its repository separately)"))
                }
            default:
                continue
            }
        }
    }

    private func record(_ blob: ObjectID, path: String, commit: CommitReference, _ state: inout WalkState) {
        var reference = commit
        reference.path = path
        if state.blobPosition[blob] == nil {
            state.blobPosition[blob] = state.index.blobs.count
            state.index.blobs.append(blob)
            state.index.provenance[blob] = [reference]
        } else if state.allProvenance {
            state.index.provenance[blob, default: []].append(reference)
        }
    }

    private static func sameID(_ a: git_oid, _ b: git_oid) -> Bool {
        var a = a
        var b = b
        return git_oid_equal(&a, &b) == 1
    }

    static func reference(_ commit: OpaquePointer, id: git_oid) -> CommitReference {
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

/// The commits reachable from some tips, parents before children. libgit2 1.5's revision walk
/// stops at the first missing parent (shallow clones, damaged repositories); this walk notes
/// missing commits and goes on.
struct CommitGraph {
    let repository: GitRepository
    let tips: [ObjectID]

    func parentsFirst() -> (order: [ObjectID], missing: [ObjectID]) {
        var order: [ObjectID] = []
        var missing: [ObjectID] = []
        var done = Set<ObjectID>()
        var entered = Set<ObjectID>()
        // Iterative depth-first post-order: a commit is emitted once all its parents are.
        var stack: [(id: ObjectID, parents: [ObjectID]?)] = tips.reversed().map { ($0, nil) }
        while var top = stack.popLast() {
            if done.contains(top.id) { continue }
            if top.parents == nil {
                guard entered.insert(top.id).inserted else { continue }
                guard let parents = parentIDs(of: top.id) else {
                    missing.append(top.id)
                    done.insert(top.id)
                    continue
                }
                top.parents = parents
            }
            if let next = top.parents!.first(where: { !done.contains($0) && !entered.contains($0) }) {
                stack.append(top)
                stack.append((next, nil))
            } else {
                done.insert(top.id)
                order.append(top.id)
            }
        }
        return (order, missing)
    }

    private func parentIDs(of id: ObjectID) -> [ObjectID]? {
        var oid = id.oid
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, repository.pointer, &oid) == 0, let commit else { return nil }
        defer { git_commit_free(commit) }
        return (0..<git_commit_parentcount(commit)).compactMap { index in
            git_commit_parent_id(commit, index).map { ObjectID($0.pointee) }
        }
    }
}
