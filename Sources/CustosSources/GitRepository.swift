import CGit2
import CustosCore
import Foundation

/// A git object id (SHA-1), compact and hashable.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    let high: UInt64
    let middle: UInt64
    let low: UInt32

    init(_ oid: git_oid) {
        var copy = oid
        let (h, m, l) = withUnsafeBytes(of: &copy.id) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        }
        high = h
        middle = m
        low = l
    }

    var oid: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { raw in
            raw.storeBytes(of: high, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: middle, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: low, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }

    public var description: String {
        var oid = self.oid
        var text = [CChar](repeating: 0, count: 41)
        git_oid_fmt(&text, &oid)
        text[40] = 0
        return String(cString: text)
    }
}

/// A problem with a repository, worded for the person who has to fix it.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    /// The message libgit2 left for the last failed call.
    static func last(_ what: String) -> GitError {
        if let error = git_error_last(), let text = error.pointee.message {
            return GitError("\(what): \(String(cString: text))")
        }
        return GitError(what)
    }

    public var description: String { message }
}

/// One open repository. libgit2 objects are not shared between threads: each worker opens its
/// own `GitRepository` on the same path.
public final class GitRepository {
    let pointer: OpaquePointer
    public let path: String

    /// Initialises libgit2 once per process, with memory bounds suited to reading every
    /// object once: a small object cache (each worker has its own repository, and nothing is
    /// read twice) and a cap on how much of the packfiles is mapped at a time.
    private static let initialised: Bool = {
        git_libgit2_init()
        _ = custos_git_set_cache_max_size(16 * 1024 * 1024)
        _ = custos_git_set_mwindow_mapped_limit(32 * 1024 * 1024)
        return true
    }()

    public init(path: String) throws(GitError) {
        _ = Self.initialised
        var repository: OpaquePointer?
        guard git_repository_open_ext(&repository, path, 0, nil) == 0, let repository else {
            throw GitError.last("cannot open a git repository at \(path)")
        }
        pointer = repository
        self.path = path
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Whether the repository is a shallow clone (history before its grafts is missing).
    public var isShallow: Bool { git_repository_is_shallow(pointer) == 1 }

    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// The working directory, or nil for a bare repository.
    public var workingDirectory: String? {
        git_repository_workdir(pointer).map { String(cString: $0) }
    }

    /// Resolves a revision expression (`main`, `HEAD~3`, a commit id) to a commit id.
    public func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        guard git_revparse_single(&object, pointer, revision) == 0, let object else {
            throw GitError.last("unknown revision '\(revision)'")
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else {
            throw GitError.last("'\(revision)' does not name a commit")
        }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit).pointee)
    }

    /// Every commit a reference (branch, tag, remote, stash) or HEAD points at, in name order.
    public func referencedCommits() throws(GitError) -> [ObjectID] {
        var names = git_strarray()
        guard git_reference_list(&names, pointer) == 0 else {
            throw GitError.last("cannot list the references of \(path)")
        }
        defer { git_strarray_dispose(&names) }
        var commits: [ObjectID] = []
        var seen = Set<ObjectID>()
        let all = (0..<names.count).compactMap { names.strings[$0].map { String(cString: $0) } }.sorted() + ["HEAD"]
        for name in all {
            // References to trees or blobs (rare) and dangling ones name no commit.
            if let commit = try? resolveCommit(name), seen.insert(commit).inserted { commits.append(commit) }
        }
        return commits
    }

    /// The `origin` remote's URL, if there is one.
    public var originURL: String? {
        var remote: OpaquePointer?
        guard git_remote_lookup(&remote, pointer, "origin") == 0, let remote else { return nil }
        defer { git_remote_free(remote) }
        return git_remote_url(remote).map { String(cString: $0) }
    }

    /// The commit HEAD points at, nil on an unborn branch.
    public var headCommit: ObjectID? {
        try? resolveCommit("HEAD")
    }

    /// The short name of the branch HEAD is on, if any.
    public var headBranch: String? {
        var reference: OpaquePointer?
        guard git_repository_head(&reference, pointer) == 0, let reference else { return nil }
        defer { git_reference_free(reference) }
        guard git_reference_is_branch(reference) == 1 else { return nil }
        return git_reference_shorthand(reference).map { String(cString: $0) }
    }

    /// Calls `body` with a blob's bytes (valid only during the call), or returns an error.
    public func withBlob<T>(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) -> T) throws(GitError) -> T {
        var oid = id.oid
        var blob: OpaquePointer?
        guard git_blob_lookup(&blob, pointer, &oid) == 0, let blob else {
            throw GitError.last("cannot read blob \(id)")
        }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        return body(UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: size))
    }
}
