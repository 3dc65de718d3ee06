import CGit2
import CustosCore
import Foundation

/// What a diff scan looks at.
public enum DiffSelection: Sendable {
    /// The index against HEAD: what the next commit would add (pre-commit).
    case staged
    /// Each non-merge commit in `from..to` against its first parent (CI).
    case range(from: String, to: String)
}

/// One file a change adds lines to.
public struct ChangedFile: Sendable {
    public var path: String
    /// The file's new content.
    public var blob: ObjectID
    /// Line numbers (1-based) the change adds, as sorted, non-overlapping ranges.
    public var addedLines: [ClosedRange<Int>]
    /// The commit that made the change; nil for staged changes.
    public var commit: CommitReference?

    /// Whether any line of `lines` was added.
    public func adds(anyOf lines: ClosedRange<Int>) -> Bool {
        addedLines.contains { $0.overlaps(lines) }
    }
}

/// Reads changes through libgit2 diffs with no context lines, so every hunk's new side is
/// exactly the added lines. Renames are detected, so a moved file adds nothing.
public struct GitDiffReader {
    let repository: GitRepository

    public init(repository: GitRepository) {
        self.repository = repository
    }

    public func changes(_ selection: DiffSelection) throws(GitError) -> [ChangedFile] {
        switch selection {
        case .staged:
            return try stagedChanges()
        case let .range(from, to):
            return try rangeChanges(from: from, to: to)
        }
    }

    private func stagedChanges() throws(GitError) -> [ChangedFile] {
        var index: OpaquePointer?
        guard git_repository_index(&index, repository.pointer) == 0, let index else {
            throw GitError.last("cannot read the index of \(repository.path)")
        }
        defer { git_index_free(index) }
        let head = tree(of: "HEAD^{tree}")  // nil before the first commit
        defer { if let head { git_tree_free(head) } }
        var options = Self.options()
        var diff: OpaquePointer?
        guard git_diff_tree_to_index(&diff, repository.pointer, head, index, &options) == 0, let diff else {
            throw GitError.last("cannot compare the index with HEAD")
        }
        defer { git_diff_free(diff) }
        return try files(in: diff, commit: nil)
    }

    private func rangeChanges(from: String, to: String) throws(GitError) -> [ChangedFile] {
        var walk: OpaquePointer?
        guard git_revwalk_new(&walk, repository.pointer) == 0, let walk else {
            throw GitError.last("cannot walk \(from)..\(to)")
        }
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue)
        var end = try repository.resolveCommit(to).oid
        var start = try repository.resolveCommit(from).oid
        git_revwalk_push(walk, &end)
        git_revwalk_hide(walk, &start)
        var changed: [ChangedFile] = []
        var oid = git_oid()
        while git_revwalk_next(&oid, walk) == 0 {
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, repository.pointer, &oid) == 0, let commit else {
                throw GitError.last("cannot read commit \(ObjectID(oid))")
            }
            defer { git_commit_free(commit) }
            // A merge brings in changes its other parents' commits already made.
            guard git_commit_parentcount(commit) <= 1 else { continue }
            var tree: OpaquePointer?
            guard git_commit_tree(&tree, commit) == 0, let tree else {
                throw GitError.last("cannot read the tree of commit \(ObjectID(oid))")
            }
            defer { git_tree_free(tree) }
            var parentTree: OpaquePointer?
            if git_commit_parentcount(commit) == 1 {
                var parent: OpaquePointer?
                if git_commit_parent(&parent, commit, 0) == 0, let parent {
                    _ = git_commit_tree(&parentTree, parent)
                    git_commit_free(parent)
                }
            }
            defer { if let parentTree { git_tree_free(parentTree) } }
            var options = Self.options()
            var diff: OpaquePointer?
            guard git_diff_tree_to_tree(&diff, repository.pointer, parentTree, tree, &options) == 0, let diff else {
                throw GitError.last("cannot diff commit \(ObjectID(oid))")
            }
            defer { git_diff_free(diff) }
            changed += try files(in: diff, commit: GitHistoryWalker.reference(commit, id: oid))
        }
        return changed
    }

    private func tree(of revision: String) -> OpaquePointer? {
        var object: OpaquePointer?
        guard git_revparse_single(&object, repository.pointer, revision) == 0, let object else { return nil }
        return object  // a git_tree is a git_object; freeing it as a tree is the same call
    }

    private static func options() -> git_diff_options {
        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        options.context_lines = 0
        options.interhunk_lines = 0
        options.flags |= GIT_DIFF_IGNORE_SUBMODULES.rawValue
        return options
    }

    private func files(in diff: OpaquePointer, commit: CommitReference?) throws(GitError) -> [ChangedFile] {
        var findOptions = git_diff_find_options()
        git_diff_find_options_init(&findOptions, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
        findOptions.flags = GIT_DIFF_FIND_RENAMES.rawValue | GIT_DIFF_FIND_COPIES.rawValue
        _ = git_diff_find_similar(diff, &findOptions)
        var files: [ChangedFile] = []
        for deltaIndex in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, deltaIndex)?.pointee else { continue }
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_MODIFIED, GIT_DELTA_RENAMED, GIT_DELTA_COPIED, GIT_DELTA_TYPECHANGE:
                break
            default:
                continue
            }
            guard delta.new_file.mode != UInt16(GIT_FILEMODE_COMMIT.rawValue) else { continue }
            var patch: OpaquePointer?
            guard git_patch_from_diff(&patch, diff, deltaIndex) == 0, let patch else { continue }
            defer { git_patch_free(patch) }
            var added: [ClosedRange<Int>] = []
            for hunkIndex in 0..<git_patch_num_hunks(patch) {
                var hunk: UnsafePointer<git_diff_hunk>?
                var lineCount = 0
                guard git_patch_get_hunk(&hunk, &lineCount, patch, hunkIndex) == 0, let hunk else { continue }
                let first = Int(hunk.pointee.new_start)
                let count = Int(hunk.pointee.new_lines)
                if count > 0 { added.append(first...(first + count - 1)) }
            }
            guard !added.isEmpty else { continue }
            let path = String(cString: delta.new_file.path)
            var file = ChangedFile(path: path, blob: ObjectID(delta.new_file.id), addedLines: added, commit: commit)
            file.commit?.path = path
            files.append(file)
        }
        return files
    }
}
