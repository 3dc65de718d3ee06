// The walk behind `--all-provenance`: every commit that added a blob at a path, which only a
// comparison of each commit's tree with its parents' trees gives (a tree seen before cannot
// be skipped: a later commit may add the same blob at a new path). Slower than the
// first-sighting walk, and only run when asked. Trees are read through libgit2, entries
// unchanged from some parent are skipped by id.

import CGit2
import CustosCore
import Foundation

struct GitProvenanceWalk {
    let repository: GitRepository
    let ignore: GitIgnore

    /// Folders nested deeper than this are not entered (each level is a stack frame here).
    static let maxDepth = 256

    private struct State {
        var positions: [ObjectID: Int] = [:]
        var notedSubmodules = Set<String>()
    }

    func run(_ commits: [CommitNode], into index: inout HistoryIndex, found: (BlobSighting, ObjectID) -> Void) {
        var state = State()
        for (number, node) in commits.enumerated() {
            visitCommit(node, number: number, &state, &index, found)
        }
    }

    private func visitCommit(_ node: CommitNode, number: Int, _ state: inout State, _ index: inout HistoryIndex,
                             _ found: (BlobSighting, ObjectID) -> Void) {
        var oid = node.id.oid
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, repository.pointer, &oid) == 0, let commit else {
            index.notes.append(ScanWarning(.unreadableObject, path: repository.path,
                message: "commit \(node.id) cannot be read: \(GitError.last("lookup").message)"))
            return
        }
        defer { git_commit_free(commit) }
        index.commitsWalked += 1
        var tree: OpaquePointer?
        guard git_commit_tree(&tree, commit) == 0, let tree else {
            index.notes.append(ScanWarning(.unreadableObject, path: repository.path,
                message: "the tree of commit \(node.id) cannot be read: \(GitError.last("tree").message); the files below it were not scanned"))
            return
        }
        defer { git_tree_free(tree) }
        var parents: [OpaquePointer] = []
        for parentNumber in 0..<git_commit_parentcount(commit) {
            var parent: OpaquePointer?
            var parentTree: OpaquePointer?
            if git_commit_parent(&parent, commit, parentNumber) == 0, let parent {
                if git_commit_tree(&parentTree, parent) == 0, let parentTree { parents.append(parentTree) }
                git_commit_free(parent)
            }
        }
        defer { parents.forEach { git_tree_free($0) } }
        compare(tree, against: parents, prefix: "", commit: number, commitID: node.id, depth: 0, &state, &index, found)
    }

    /// Records blobs in `tree` that none of `parents` has at the same path.
    private func compare(_ tree: OpaquePointer, against parents: [OpaquePointer], prefix: String, commit: Int, commitID: ObjectID,
                         depth: Int, _ state: inout State, _ index: inout HistoryIndex, _ found: (BlobSighting, ObjectID) -> Void) {
        for entryNumber in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, entryNumber), let namePointer = git_tree_entry_name(entry) else { continue }
            let entryID = git_tree_entry_id(entry).pointee
            let parentEntries = parents.compactMap { git_tree_entry_byname($0, namePointer) }
            // Unchanged from some parent: this commit only carries it along.
            if parentEntries.contains(where: { Self.sameID(git_tree_entry_id($0).pointee, entryID) }) { continue }
            let name = String(cString: namePointer)
            let path = prefix.isEmpty ? name : prefix + "/" + name
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB:
                if ignore.isIgnored(path, isDirectory: false) {
                    index.blobsExcluded += 1
                    continue
                }
                let sighting = BlobSighting(blob: ObjectID(entryID), path: path, commit: commit)
                if state.positions[sighting.blob] == nil {
                    state.positions[sighting.blob] = index.blobs.count
                    index.blobs.append(sighting)
                    found(sighting, commitID)
                } else {
                    index.laterSightings[sighting.blob, default: []].append(sighting)
                }
            case GIT_OBJECT_TREE:
                if ignore.isIgnored(path, isDirectory: true) { continue }
                guard depth < Self.maxDepth else {
                    index.notes.append(ScanWarning(.limitExceeded, path: path,
                        message: "folders nested more than \(Self.maxDepth) deep at commit \(commitID.description.prefix(12)); not entered"))
                    continue
                }
                var subtree: OpaquePointer?
                guard git_tree_lookup(&subtree, repository.pointer, git_tree_entry_id(entry)) == 0, let subtree else {
                    index.notes.append(ScanWarning(.unreadableObject, path: path,
                        message: "tree \(ObjectID(entryID)) at commit \(commitID.description.prefix(12)) cannot be read: \(GitError.last("tree").message); the files below it were not scanned"))
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
                compare(subtree, against: parentSubtrees, prefix: path, commit: commit, commitID: commitID, depth: depth + 1,
                        &state, &index, found)
            case GIT_OBJECT_COMMIT:
                if state.notedSubmodules.insert(path).inserted {
                    index.notes.append(ScanWarning(.storedElsewhere, path: path, message: "submodule skipped (scan its repository separately)"))
                }
            default:
                continue
            }
        }
    }

    private static func sameID(_ a: git_oid, _ b: git_oid) -> Bool {
        var a = a
        var b = b
        return git_oid_equal(&a, &b) == 1
    }
}
