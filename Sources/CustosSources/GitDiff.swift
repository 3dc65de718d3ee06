// What a change adds, file by file: the staged index against HEAD (pre-commit) or each commit
// of a range against its parent (CI). libgit2's diff lists the changed files and finds
// renames; the added lines of text files come from a patch of the two blobs with no context.
// Files that are not line text on either side (archives, databases, UTF-16 exports) are
// handed over whole with their previous version, so the scan reports what they hold that the
// old version did not: the same decoders as a history scan, with no line diff to lean on.
// Nothing here is skipped silently: a blob that cannot be read, a range cut by a shallow clone,
// a base the clone does not hold are warnings or errors that name the command that fixes them.

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

/// What of a changed file's new content the change adds.
public enum AddedContent: Sendable, Hashable {
    /// Text on both sides: these lines (1-based, sorted, non-overlapping) are added.
    case lines([ClosedRange<Int>])
    /// All of it: a new file, or one whose previous version cannot be read.
    case everything
    /// Not line text (an archive, a database, UTF-16): whatever secrets it holds that the
    /// previous version (this blob) did not.
    case secretsNotIn(previous: ObjectID)
}

/// One file a change adds to.
public struct ChangedFile: Sendable {
    public var path: String
    /// The file's new content.
    public var blob: ObjectID
    public var added: AddedContent
    /// The commit that made the change; nil for staged changes.
    public var commit: CommitReference?

    /// Whether any line of `lines` was added.
    public func adds(anyOf lines: ClosedRange<Int>) -> Bool {
        switch added {
        case let .lines(ranges): ranges.contains { $0.overlaps(lines) }
        case .everything, .secretsNotIn: true
        }
    }
}

/// The changed files and what could not be seen while listing them.
public struct DiffChanges: Sendable {
    public var files: [ChangedFile] = []
    public var warnings: [ScanWarning] = []
}

/// Reads changes through libgit2 diffs. Renames and copies are detected, so a moved file adds
/// nothing.
public struct GitDiffReader {
    let repository: GitRepository
    /// Bytes git looks at to call content binary.
    static let binarySniffLength = 8000

    public init(repository: GitRepository) {
        self.repository = repository
    }

    /// The changed files; see `read(_:)` for what could not be seen.
    public func changes(_ selection: DiffSelection) throws(GitError) -> [ChangedFile] {
        try read(selection).files
    }

    /// The changed files and warnings. Throws when the selection cannot be read at all (a
    /// revision the repository does not hold, an unreadable index).
    public func read(_ selection: DiffSelection) throws(GitError) -> DiffChanges {
        switch selection {
        case .staged:
            return try stagedChanges()
        case let .range(from, to):
            return try rangeChanges(from: from, to: to)
        }
    }

    private func stagedChanges() throws(GitError) -> DiffChanges {
        var index: OpaquePointer?
        guard git_repository_index(&index, repository.pointer) == 0, let index else {
            throw GitError.last("cannot read the index of \(repository.path)")
        }
        defer { git_index_free(index) }
        var changes = DiffChanges()
        var head: OpaquePointer?  // nil before the first commit
        if let headCommit = repository.headCommit {
            head = tree(of: headCommit)
            if head == nil {
                changes.warnings.append(ScanWarning(.unreadableObject, path: repository.path,
                    message: "the tree of HEAD (\(headCommit)) cannot be read (damaged repository): every staged file was scanned whole"))
            }
        }
        defer { if let head { git_tree_free(head) } }
        var options = Self.options()
        var diff: OpaquePointer?
        guard git_diff_tree_to_index(&diff, repository.pointer, head, index, &options) == 0, let diff else {
            throw GitError.last("cannot compare the index with HEAD")
        }
        defer { git_diff_free(diff) }
        files(in: diff, commit: nil, into: &changes)
        return changes
    }

    private func rangeChanges(from: String, to: String) throws(GitError) -> DiffChanges {
        let end = try repository.resolveCommit(to, role: "the end of the range")
        let start = try repository.resolveCommit(from, role: "the base of the range")
        let range = CommitRangeWalk(repository: repository).run(base: start, tip: end)
        var changes = DiffChanges()
        let cut = Set(range.cut)
        let baseTree = tree(of: start)
        defer { if let baseTree { git_tree_free(baseTree) } }
        for id in range.commits {
            var oid = id.oid
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, repository.pointer, &oid) == 0, let commit else {
                changes.warnings.append(ScanWarning(.unreadableObject, path: repository.path,
                    message: "commit \(id) cannot be read: \(GitError.last("lookup").message); what it added was not scanned"))
                continue
            }
            defer { git_commit_free(commit) }
            let isCut = cut.contains(id)
            // A merge brings in changes its other parents' commits already made.
            guard isCut || git_commit_parentcount(commit) <= 1 else { continue }
            guard let newTree = tree(of: id) else {
                changes.warnings.append(ScanWarning(.unreadableObject, path: repository.path,
                    message: "the tree of commit \(id) cannot be read; what it added was not scanned"))
                continue
            }
            defer { git_tree_free(newTree) }
            var oldTree: OpaquePointer?
            if isCut {
                // Its parent is not in the clone: everything since the base counts as this
                // commit's change, which is what the missing commits and it added together.
                oldTree = baseTree
                changes.warnings.append(ScanWarning(.incompleteHistory, path: repository.path,
                    message: "commit \(id.description.prefix(12)) of \(from)..\(to) has a parent this clone does not hold (shallow clone): "
                        + "the commits between \(from) and it were not seen one by one; what they added that is still in it was scanned as its change, "
                        + "what they added and removed again was not. \(GitRepository.deepenAdvice)"))
            } else if let parent = git_commit_parent_id(commit, 0) {
                oldTree = tree(of: ObjectID(parent.pointee))
                if oldTree == nil {
                    changes.warnings.append(ScanWarning(.unreadableObject, path: repository.path,
                        message: "the tree of \(ObjectID(parent.pointee)), parent of \(id), cannot be read: each file of \(id.description.prefix(12)) was scanned whole"))
                }
            }
            defer { if let oldTree, oldTree != baseTree { git_tree_free(oldTree) } }
            var options = Self.options()
            var diff: OpaquePointer?
            guard git_diff_tree_to_tree(&diff, repository.pointer, oldTree, newTree, &options) == 0, let diff else {
                changes.warnings.append(ScanWarning(.unreadableObject, path: repository.path,
                    message: "commit \(id) cannot be compared with its parent: \(GitError.last("diff").message); what it added was not scanned"))
                continue
            }
            defer { git_diff_free(diff) }
            files(in: diff, commit: GitHistoryWalker.reference(commit, id: oid), into: &changes)
        }
        if !range.uncertain.isEmpty {
            changes.warnings.append(ScanWarning(.incompleteHistory, path: repository.path,
                message: "the history of \(from) is cut by this shallow clone, so \(range.uncertain.count) commit\(range.uncertain.count == 1 ? "" : "s") of "
                    + "\(from)..\(to) may belong to \(from) after all; what \(range.uncertain.count == 1 ? "it" : "they") added was reported as the range's. "
                    + GitRepository.deepenAdvice))
        }
        return changes
    }

    /// The tree of a commit, nil when either cannot be read.
    private func tree(of commitID: ObjectID) -> OpaquePointer? {
        var oid = commitID.oid
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, repository.pointer, &oid) == 0, let commit else { return nil }
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        guard git_commit_tree(&tree, commit) == 0 else { return nil }
        return tree
    }

    private static func options() -> git_diff_options {
        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        options.context_lines = 0
        options.interhunk_lines = 0
        options.flags |= GIT_DIFF_IGNORE_SUBMODULES.rawValue
        return options
    }

    private func files(in diff: OpaquePointer, commit: CommitReference?, into changes: inout DiffChanges) {
        var findOptions = git_diff_find_options()
        git_diff_find_options_init(&findOptions, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
        findOptions.flags = GIT_DIFF_FIND_RENAMES.rawValue | GIT_DIFF_FIND_COPIES.rawValue
        // Rename detection reads blobs; when one cannot be read the renames stay an add and a
        // delete, and the add is scanned whole.
        _ = git_diff_find_similar(diff, &findOptions)
        for deltaIndex in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, deltaIndex)?.pointee else { continue }
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_MODIFIED, GIT_DELTA_RENAMED, GIT_DELTA_COPIED, GIT_DELTA_TYPECHANGE:
                break
            default:
                continue
            }
            guard delta.new_file.mode != UInt16(GIT_FILEMODE_COMMIT.rawValue) else { continue }
            let path = String(cString: delta.new_file.path)
            let newID = ObjectID(delta.new_file.id)
            let oldID = delta.status == GIT_DELTA_ADDED || delta.old_file.mode == UInt16(GIT_FILEMODE_COMMIT.rawValue)
                ? nil : ObjectID(delta.old_file.id)
            let place = commit.map { " at commit \($0.commit.prefix(12))" } ?? " (staged)"
            let added: AddedContent
            switch addedContent(old: oldID, new: newID, path: path) {
            case let .added(content):
                added = content
            case .unreadableNew:
                changes.warnings.append(ScanWarning(.unreadableObject, path: path,
                    message: "blob \(newID)\(place) cannot be read: \(GitError.last("blob").message); it was not scanned"))
                continue
            case let .unreadableOld(id):
                changes.warnings.append(ScanWarning(.unreadableObject, path: path,
                    message: "the previous version of the file (blob \(id)) cannot be read (damaged repository): the new version\(place) was scanned whole"))
                added = .everything
            }
            if case let .lines(ranges) = added, ranges.isEmpty { continue }
            var file = ChangedFile(path: path, blob: newID, added: added, commit: commit)
            file.commit?.path = path
            changes.files.append(file)
        }
    }

    private enum Comparison {
        case added(AddedContent)
        case unreadableNew
        case unreadableOld(ObjectID)
    }

    /// Compares two versions of a file: line hunks when both are text, else the whole new one.
    private func addedContent(old: ObjectID?, new: ObjectID, path: String) -> Comparison {
        guard let newBlob = lookupBlob(new) else { return .unreadableNew }
        defer { git_blob_free(newBlob) }
        guard let old else { return .added(.everything) }
        guard let oldBlob = lookupBlob(old) else { return .unreadableOld(old) }
        defer { git_blob_free(oldBlob) }
        guard Self.isText(newBlob), Self.isText(oldBlob) else { return .added(.secretsNotIn(previous: old)) }
        var options = Self.options()
        options.flags |= GIT_DIFF_FORCE_TEXT.rawValue
        var patch: OpaquePointer?
        guard git_patch_from_blobs(&patch, oldBlob, path, newBlob, path, &options) == 0, let patch else {
            return .added(.everything)
        }
        defer { git_patch_free(patch) }
        var ranges: [ClosedRange<Int>] = []
        for hunkIndex in 0..<git_patch_num_hunks(patch) {
            var hunk: UnsafePointer<git_diff_hunk>?
            var lineCount = 0
            guard git_patch_get_hunk(&hunk, &lineCount, patch, hunkIndex) == 0, let hunk else { continue }
            let first = Int(hunk.pointee.new_start)
            let count = Int(hunk.pointee.new_lines)
            if count > 0 { ranges.append(first...(first + count - 1)) }
        }
        return .added(.lines(ranges))
    }

    private func lookupBlob(_ id: ObjectID) -> OpaquePointer? {
        var oid = id.oid
        var blob: OpaquePointer?
        guard git_blob_lookup(&blob, repository.pointer, &oid) == 0 else { return nil }
        return blob
    }

    /// Git's test: no NUL byte in the first 8000 bytes.
    private static func isText(_ blob: OpaquePointer) -> Bool {
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return true }
        return memchr(content, 0, min(size, binarySniffLength)) == nil
    }
}
