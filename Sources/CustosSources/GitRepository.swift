import CGit2
import CustosCore
import Foundation

/// A git object id (SHA-1), compact and hashable.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    let high: UInt64
    let middle: UInt64
    let low: UInt32

    init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

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
        let digits = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: (high, middle, low)) { raw in
            String(unsafeUninitializedCapacity: 40) { text in
                for index in 0..<20 {
                    text[2 * index] = digits[Int(raw[index] >> 4)]
                    text[2 * index + 1] = digits[Int(raw[index] & 15)]
                }
                return 40
            }
        }
    }

    /// Parses 40 hexadecimal digits (either case); nil for anything else.
    public init?<Bytes: Collection>(hex: Bytes) where Bytes.Element == UInt8 {
        guard hex.count == 40 else { return nil }
        var raw = (UInt64(0), UInt64(0), UInt32(0))
        let parsed = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            var iterator = hex.makeIterator()
            for index in 0..<20 {
                guard let high = iterator.next().flatMap(Self.nibble), let low = iterator.next().flatMap(Self.nibble) else { return false }
                out[index] = high << 4 | low
            }
            return true
        }
        guard parsed else { return nil }
        self.init(high: raw.0, middle: raw.1, low: raw.2)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
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

    /// What to run when a shallow clone lacks history a scan needs.
    public static let deepenAdvice = "Fetch more history and run again: git fetch --deepen=100 (as often as needed) or git fetch --unshallow."

    /// Resolves a revision expression (`main`, `HEAD~3`, a commit id) to a commit id.
    public func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        try resolveCommit(revision, role: nil)
    }

    /// Resolves a revision that a scan cannot do without (`role` says which: "the base of the
    /// range"); the error says what to fetch when a shallow clone is why it is missing.
    public func resolveCommit(_ revision: String, role: String?) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        guard git_revparse_single(&object, pointer, revision) == 0, let object else {
            var message = GitError.last("unknown revision '\(revision)'\(role.map { " (\($0))" } ?? "")").message
            if role != nil {
                message += isShallow
                    ? ". This is a shallow clone, which may not hold it: fetch it (git fetch origin \(revision)) or more history (git fetch --deepen=100, or git fetch --unshallow); nothing was scanned"
                    : ". Fetch it (git fetch origin \(revision)) or name a commit this repository holds; nothing was scanned"
            }
            throw GitError(message)
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else {
            throw GitError.last("'\(revision)' does not name a commit")
        }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit).pointee)
    }

    /// Every commit a reference (branch, tag, remote, stash) or HEAD points at, in name order,
    /// and a warning for each reference whose object cannot be read (a damaged repository).
    /// References to trees or blobs (rare, and legitimate) name no commit and no warning.
    public func referencedCommits() throws(GitError) -> (commits: [ObjectID], warnings: [ScanWarning]) {
        var names = git_strarray()
        guard git_reference_list(&names, pointer) == 0 else {
            throw GitError.last("cannot list the references of \(path)")
        }
        defer { git_strarray_dispose(&names) }
        var commits: [ObjectID] = []
        var warnings: [ScanWarning] = []
        var seen = Set<ObjectID>()
        let all = (0..<names.count).compactMap { names.strings[$0].map { String(cString: $0) } }.sorted() + ["HEAD"]
        for name in all {
            switch peeledCommit(name) {
            case let .commit(id):
                if seen.insert(id).inserted { commits.append(id) }
            case .notACommit, .unborn:
                continue
            case let .unreadable(message):
                warnings.append(ScanWarning(.unreadableObject, path: path,
                    message: "reference \(name) cannot be read: \(message); the history behind it was not scanned"))
            }
        }
        return (commits, warnings)
    }

    private enum PeeledReference {
        case commit(ObjectID)
        case notACommit
        case unborn
        case unreadable(String)
    }

    /// What a reference leads to, telling a missing object from one that is no commit.
    private func peeledCommit(_ name: String) -> PeeledReference {
        var reference: OpaquePointer?
        guard git_reference_lookup(&reference, pointer, name) == 0, let reference else {
            return .unreadable(GitError.last("lookup").message)
        }
        defer { git_reference_free(reference) }
        var resolved: OpaquePointer?
        guard git_reference_resolve(&resolved, reference) == 0, let resolved else {
            // A symbolic reference to a branch with no commit yet (HEAD in a new repository).
            return .unborn
        }
        defer { git_reference_free(resolved) }
        guard let target = git_reference_target(resolved) else { return .unborn }
        var object: OpaquePointer?
        var oid = target.pointee
        guard git_object_lookup(&object, pointer, &oid, GIT_OBJECT_ANY) == 0, let object else {
            return .unreadable("object \(ObjectID(target.pointee)) \(GitError.last("lookup").message)")
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else {
            if git_object_type(object) == GIT_OBJECT_TAG {
                // A tag whose target is missing is damage; a tag of a tree or blob is not.
                var peeled: OpaquePointer?
                if git_object_peel(&peeled, object, GIT_OBJECT_ANY) == 0, let peeled {
                    git_object_free(peeled)
                    return .notACommit
                }
                return .unreadable("tag \(ObjectID(target.pointee)) points at an object that cannot be read")
            }
            return .notACommit
        }
        defer { git_object_free(commit) }
        return .commit(ObjectID(git_object_id(commit).pointee))
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

    /// The directory that holds the object database (`.git/objects`, shared by worktrees).
    public var objectsDirectory: String {
        let common = git_repository_commondir(pointer).map { String(cString: $0) } ?? path
        return (common.hasSuffix("/") ? common : common + "/") + "objects"
    }

    /// Reads any object through libgit2 (loose objects, and whatever the pack reader cannot find).
    public func readObject(_ id: ObjectID) throws(GitError) -> GitObject {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, pointer) == 0, let odb else { throw GitError.last("cannot open the object database") }
        defer { git_odb_free(odb) }
        var oid = id.oid
        var object: OpaquePointer?
        guard git_odb_read(&object, odb, &oid) == 0, let object else { throw GitError.last("cannot read object \(id)") }
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        guard let kind = GitObjectKind(rawValue: UInt8(truncatingIfNeeded: git_odb_object_type(object).rawValue)) else {
            throw GitError("object \(id) has an unknown type")
        }
        guard size <= PackStore.maxObjectBytes else {
            throw GitError("object \(id) is \(size) bytes, more than the \(PackStore.maxObjectBytes) custos reads into memory")
        }
        let data = git_odb_object_data(object)
        let bytes = data.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
        return GitObject(kind: kind, bytes: bytes)
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
