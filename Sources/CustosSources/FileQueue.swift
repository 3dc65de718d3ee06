// CustosSources: where bytes come from. The directory walker lists trees in parallel and hands
// out files; it never follows a symlink unless asked, never loops, and never opens anything for
// writing. Matching is CustosEngine's job; wiring both together is CustosScan's.
//
// The walk cannot be raced: every folder is opened relative to its parent's open descriptor
// (`openat` with `O_NOFOLLOW | O_DIRECTORY`) and every file relative to its folder's, so
// swapping a folder for a symlink while the walk runs can never send a read outside the tree.
// Names are bytes end to end (a Latin-1 name on an old share is walked and read like any
// other); people see them in `EscapedName` form. The trade-off: each folder stays open while
// files listed from it wait to be read (one descriptor per folder on the way down, not per file).

import CDirectoryListing
import CustosCore
import Foundation
import Synchronization

/// A folder the walk opened, held while entries listed from it wait: they are opened relative
/// to it, never by path. Closed when the last entry is done with it.
public final class OpenFolder: Sendable {
    public let descriptor: Int32
    /// The folder's path as exact bytes: the root as given, then each name as it is on disk.
    public let pathBytes: [UInt8]

    init(descriptor: Int32, pathBytes: [UInt8]) {
        self.descriptor = descriptor
        self.pathBytes = pathBytes
    }

    deinit { close(descriptor) }
}

/// A regular file the walker found: the path to report, and the folder and exact name to open.
public struct FileEntry: Sendable {
    /// The path people see: the root as given, then each name in `EscapedName` form (invalid
    /// UTF-8 as `\xE9`, control characters escaped). Equal to the path on disk for ordinary names.
    public var path: String
    /// The path relative to its scan root, `/`-separated, names as in `path` (for ignore rules
    /// and rule globs).
    public var relativePath: String
    /// Size from the directory listing's stat, when known.
    public var size: Int?
    /// The file's status taken while its folder was listed (`WalkOptions.statFiles`).
    public var status: FileStatus?
    /// The folder it was listed in, still open; nil for a file given as a root.
    public let folder: OpenFolder?
    /// Its exact name in `folder` (for a root: the whole path as given).
    public let name: [UInt8]

    /// The exact bytes of the path on disk.
    public var pathBytes: [UInt8] {
        guard let folder else { return name }
        return folder.pathBytes == [UInt8(ascii: "/")] ? folder.pathBytes + name : folder.pathBytes + [UInt8(ascii: "/")] + name
    }

    /// Opens the file read-only, relative to its folder's descriptor: `O_NOATIME` where the
    /// kernel allows it, non-blocking (a FIFO swapped in cannot hang a worker), and never
    /// through a final symlink unless `followSymlinks`. Returns -1 with `errno` set on failure.
    public func openForReading(followSymlinks: Bool) -> Int32 {
        var flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
        if !followSymlinks { flags |= O_NOFOLLOW }
        let cName = name + [0]
        return cName.withUnsafeBufferPointer { raw -> Int32 in
            let pointer = UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self)
            func attempt(_ flags: Int32) -> Int32 {
                if let folder { return openat(folder.descriptor, pointer, flags) }
                return open(pointer, flags)
            }
            let descriptor = attempt(flags | noAccessTime)
            if descriptor < 0 && errno == EPERM { return attempt(flags) }
            return descriptor
        }
    }
}

/// What a stat says about a regular file: enough to tell "unchanged" without reading it.
///
/// Size, modification time and change time (nanoseconds) and the inode number. The change time
/// catches content written with a forged modification time (`touch -r`, some restore tools);
/// the inode catches a file replaced by another under the same name. The device number is left
/// out on purpose: network file systems get a new one at every mount.
public struct FileStatus: Sendable, Hashable {
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var changedNanoseconds: Int64
    /// Zero where the file system has no stable inode numbers.
    public var inode: Int64

    public init(size: Int64, modifiedNanoseconds: Int64, changedNanoseconds: Int64, inode: Int64) {
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
        self.inode = inode
    }

    public init(_ info: stat) {
        self.init(size: Int64(info.st_size),
                  modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                  changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec),
                  inode: Int64(bitPattern: UInt64(info.st_ino)))
    }

    /// Stats `path` (without following a final symlink unless asked); nil for anything but a
    /// regular file, with `errno` set when the stat failed.
    public static func of(_ path: String, followSymlinks: Bool) -> FileStatus? {
        var info = stat()
        let status = followSymlinks ? stat(path, &info) : lstat(path, &info)
        guard status == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileStatus(info)
    }
}

/// How the walker treats the tree.
public struct WalkOptions: Sendable {
    /// Follow symbolic links to files and directories (each directory is still visited once).
    public var followSymlinks = false
    /// Ignore rules from `.custosignore` files and `--exclude`, plus the built-in defaults.
    public var ignore: IgnoreRules
    /// Stat every file while its folder is open (`fstatat` on the folder: one name to look
    /// up, not a whole path) and hand the status out with the entry. Sweeps compare it with
    /// the state; a scan does not need it.
    public var statFiles = false
    /// Walk only this part of each root (a sharded sweep's work item); nil walks everything.
    public var scope: WalkScope?

    public init(followSymlinks: Bool = false, ignore: IgnoreRules = IgnoreRules(), statFiles: Bool = false,
                scope: WalkScope? = nil) {
        self.followSymlinks = followSymlinks
        self.ignore = ignore
        self.statFiles = statFiles
        self.scope = scope
    }
}

/// One part of a tree: everything below `folder` except the child folders named in `except`
/// (which are parts of their own). The walk still starts at the root and goes down to `folder`
/// by the same rules, so ignore files on the way and relative paths are exactly those of a
/// whole walk: the parts of a tree, walked one by one, hand out the same files as the tree.
public struct WalkScope: Sendable, Hashable, Codable {
    /// Relative to the root, `/`-separated, names in `EscapedName` form; "" is the root itself.
    public var folder: String
    /// Names of `folder`'s child folders left to other parts.
    public var except: Set<String>

    public init(folder: String, except: Set<String> = []) {
        self.folder = folder
        self.except = except
    }

    /// Whether the walk lists the child folder `child` of the folder `parent` (relative paths).
    func descends(into child: String, from parent: String) -> Bool {
        if folder.isEmpty || child == folder || Self.lies(child, below: folder) {
            guard parent == folder, !except.isEmpty else { return true }
            return !except.contains(String(decoding: child.utf8.dropFirst(parent.isEmpty ? 0 : parent.utf8.count + 1), as: UTF8.self))
        }
        return Self.lies(folder, below: child)
    }

    /// Whether a file listed in the folder `parent` belongs to this part.
    func admitsFile(in parent: String) -> Bool {
        folder.isEmpty || parent == folder || Self.lies(parent, below: folder)
    }

    private static func lies(_ path: String, below folder: String) -> Bool {
        let path = path.utf8, folder = folder.utf8
        guard path.count > folder.count, path.starts(with: folder) else { return false }
        return path[path.index(path.startIndex, offsetBy: folder.count)] == UInt8(ascii: "/")
    }
}

/// What a walk did besides handing out files: what it skipped and what went wrong.
public struct WalkReport: Sendable {
    public var excluded = 0
    public var symlinksSkipped = 0
    public var warnings: [ScanWarning] = []
}

/// A shared, thread-safe queue of directories still to list and files still to scan. Workers
/// call `next()`; when it pops a directory the calling worker lists it and pushes what it
/// finds, so listing runs on every core and needs no separate walker thread. Items are taken
/// last-in first-out, which keeps the queue as small as the tree's depth times its fan-out.
public final class FileQueue: Sendable {
    private enum Item {
        /// A folder to list: `name` in `parent` (a root: `parent` nil and `name` its path).
        case directory(parent: OpenFolder?, name: [UInt8], path: String, relative: String, scopes: IgnoreScopes)
        case file(FileEntry)
    }

    private struct State {
        var items: [Item] = []
        var listing = 0
        var report = WalkReport()
        var visitedDirectories = Set<DirectoryIdentity>()
    }

    private struct DirectoryIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private let options: WalkOptions
    private let state: Mutex<State>
    private let condition = NSCondition()

    /// Starts a walk over `roots`: folders are walked, files are queued as they are.
    public init(roots: [String], options: WalkOptions) {
        Self.raiseOpenFileLimit
        self.options = options
        var initial = State()
        for root in roots.reversed() {
            var info = stat()
            let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
            guard stat(root, &info) == 0 else {
                initial.report.warnings.append(ScanWarning(.missingRoot, path: root, message: "cannot open: \(String(cString: strerror(errno)))"))
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                initial.items.append(.directory(parent: nil, name: Array(root.utf8), path: root, relative: "", scopes: IgnoreScopes()))
            } else {
                let name = PathText.name(of: root)
                initial.items.append(.file(FileEntry(path: root, relativePath: name, size: Int(info.st_size),
                                                     status: options.statFiles && (info.st_mode & S_IFMT) == S_IFREG ? FileStatus(info) : nil,
                                                     folder: nil, name: Array(root.utf8))))
            }
        }
        state = Mutex(initial)
    }

    /// Each folder on the way down stays open while its entries wait: a deep tree needs more
    /// descriptors than the usual soft limit of 1,024, so the walk raises it to the hard limit
    /// once per process (reading only; nothing else depends on the lower limit).
    private static let raiseOpenFileLimit: Void = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = min(limit.rlim_max, 1 << 20)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }()

    /// The next file to scan, or nil when the walk is complete. Blocks while other workers
    /// are still listing directories that may add files.
    public func next() -> FileEntry? {
        while true {
            condition.lock()
            let item: Item? = state.withLock { state in
                if let item = state.items.popLast() {
                    if case .directory = item { state.listing += 1 }
                    return item
                }
                return nil
            }
            guard let item else {
                let busy = state.withLock { $0.listing > 0 }
                if !busy {
                    condition.broadcast()
                    condition.unlock()
                    return nil
                }
                condition.wait()
                condition.unlock()
                continue
            }
            condition.unlock()
            switch item {
            case let .file(entry):
                return entry
            case let .directory(parent, name, path, relative, scopes):
                let found = list(parent: parent, name: name, path: path, relative: relative, scopes: scopes)
                condition.lock()
                state.withLock { state in
                    state.listing -= 1
                    state.items.append(contentsOf: found.items.reversed())
                    state.report.excluded += found.report.excluded
                    state.report.symlinksSkipped += found.report.symlinksSkipped
                    state.report.warnings += found.report.warnings
                }
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// What the walk skipped and the problems it met; complete once `next()` returned nil.
    public var report: WalkReport {
        state.withLock { $0.report }
    }

    /// Opens a folder: a root by its path (following a symlink the user named), any other
    /// relative to its parent's descriptor and, unless following symlinks, never through one.
    private func open(parent: OpenFolder?, name: [UInt8]) -> Int32 {
        var flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK
        if parent != nil && !options.followSymlinks { flags |= O_NOFOLLOW }
        let cName = name + [0]
        return cName.withUnsafeBufferPointer { raw -> Int32 in
            let pointer = UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self)
            if let parent { return openat(parent.descriptor, pointer, flags) }
            return Glibc.open(pointer, flags)
        }
    }

    /// Lists one directory without holding the lock.
    private func list(parent: OpenFolder?, name: [UInt8], path: String, relative: String,
                      scopes: IgnoreScopes) -> (items: [Item], report: WalkReport) {
        var items: [Item] = []
        var report = WalkReport()
        let descriptor = open(parent: parent, name: name)
        guard descriptor >= 0 else {
            let reason = errno == ELOOP || errno == ENOTDIR
                ? "it is no longer a folder (replaced while the walk ran; a symbolic link is not followed)"
                : String(cString: strerror(errno))
            if errno != ENOENT || parent == nil {
                report.warnings.append(ScanWarning(.unlistedFolder, path: path, message: "cannot list folder: \(reason)"))
            }
            return (items, report)
        }
        let pathBytes = parent.map { $0.pathBytes == [UInt8(ascii: "/")] ? $0.pathBytes + name : $0.pathBytes + [UInt8(ascii: "/")] + name } ?? name
        let folder = OpenFolder(descriptor: descriptor, pathBytes: pathBytes)
        if options.followSymlinks {
            // Loops are told by what the open descriptor is, not by a path that may change.
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { return (items, report) }
            let identity = DirectoryIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            guard state.withLock({ $0.visitedDirectories.insert(identity).inserted }) else { return (items, report) }
        }
        // The listing first, names packed NUL-terminated into one buffer: whether the folder
        // has its own ignore file is then known from the listing (no open that fails in every
        // folder without one), and stats take a name from the buffer without a copy.
        let listing: FolderListing
        switch FolderListing.read(descriptor) {
        case let .success(read): listing = read
        case let .failure(error):
            report.warnings.append(ScanWarning(.unlistedFolder, path: path, message: "cannot list folder: \(String(cString: strerror(error.code)))"))
            return (items, report)
        }
        let scopes = listing.hasIgnoreFile ? Self.addingIgnoreFile(in: folder, path: path, relative: relative, to: scopes, report: &report) : scopes
        func isIgnored(_ childRelative: String, isDirectory: Bool) -> Bool {
            scopes.apply(to: childRelative, isDirectory: isDirectory,
                         ignored: options.ignore.isIgnored(childRelative, isDirectory: isDirectory))
        }
        listing.names.withUnsafeBufferPointer { names in
            guard let namesBase = UnsafeRawPointer(names.baseAddress) else { return }
            for entry in listing.entries {
                let childName = Array(names[entry.start..<entry.start + entry.count])
                let cName = (namesBase + entry.start).assumingMemoryBound(to: CChar.self)
                let shown = EscapedName.display(childName)
                let childPath = path == "/" ? "/" + shown : path + "/" + shown
                let childRelative = relative.isEmpty ? shown : relative + "/" + shown
                var kind = entry.kind
                var info = stat()
                var haveInfo = false
                func statChild(following: Bool) -> Bool {
                    fstatat(descriptor, cName, &info, following ? 0 : AT_SYMLINK_NOFOLLOW) == 0
                }
                if kind == UInt8(DT_UNKNOWN) || kind == UInt8(DT_LNK) {
                    // A stat only when the listing does not say what the entry is.
                    guard statChild(following: false) else {
                        if errno != ENOENT {
                            report.warnings.append(ScanWarning(.unreadable, path: childPath, message: "cannot stat: \(String(cString: strerror(errno)))"))
                        }
                        continue
                    }
                    haveInfo = true
                    kind = Self.directoryEntryType(info.st_mode)
                }
                if kind == UInt8(DT_LNK) {
                    guard options.followSymlinks else {
                        report.symlinksSkipped += 1
                        continue
                    }
                    guard statChild(following: true) else { continue }  // dangling link
                    kind = Self.directoryEntryType(info.st_mode)
                }
                if kind == UInt8(DT_DIR) {
                    if let scope = options.scope, !scope.descends(into: childRelative, from: relative) { continue }
                    if isIgnored(childRelative, isDirectory: true) {
                        report.excluded += 1
                        continue
                    }
                    items.append(.directory(parent: folder, name: childName, path: childPath, relative: childRelative, scopes: scopes))
                } else if kind == UInt8(DT_REG) {
                    if let scope = options.scope, !scope.admitsFile(in: relative) { continue }
                    if isIgnored(childRelative, isDirectory: false) {
                        report.excluded += 1
                        continue
                    }
                    var status: FileStatus?
                    if options.statFiles {
                        if haveInfo && !options.followSymlinks {
                            status = FileStatus(info)
                        } else if statChild(following: options.followSymlinks), (info.st_mode & S_IFMT) == S_IFREG {
                            status = FileStatus(info)
                            haveInfo = true
                        }
                    }
                    let size = haveInfo ? Int(info.st_size) : nil
                    items.append(.file(FileEntry(path: childPath, relativePath: childRelative, size: size, status: status,
                                                 folder: folder, name: childName)))
                }
                // Sockets, FIFOs and devices are never opened: reading them can block or has effects.
            }
        }
        return (items, report)
    }

    /// Ignore files larger than this are not read (a warning says so).
    static let maxIgnoreFileBytes = 1 << 20

    /// `scopes` plus the folder's own `.custosignore`, when it has one (opened in the folder,
    /// never through a symlink).
    private static func addingIgnoreFile(in folder: OpenFolder, path: String, relative: String, to scopes: IgnoreScopes,
                                         report: inout WalkReport) -> IgnoreScopes {
        let descriptor = openat(folder.descriptor, IgnoreScopes.fileName, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return scopes }
        defer { close(descriptor) }
        let file = path + "/" + IgnoreScopes.fileName
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return scopes }
        guard Int(info.st_size) <= maxIgnoreFileBytes else {
            report.warnings.append(ScanWarning(.configuration, path: file, message: "ignore file larger than 1 MB; not read"))
            return scopes
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 {
                report.warnings.append(ScanWarning(.configuration, path: file, message: "cannot read the ignore file: \(String(cString: strerror(errno)))"))
                return scopes
            }
            if got == 0 { break }
            filled += got
        }
        var rules = IgnoreRules(includeDefaults: false)
        rules.add(contents: String(decoding: bytes.prefix(filled), as: UTF8.self))
        return rules.isEmpty ? scopes : scopes.adding(rules, atFolder: relative)
    }

    private static func directoryEntryType(_ mode: mode_t) -> UInt8 {
        switch mode & S_IFMT {
        case S_IFDIR: UInt8(DT_DIR)
        case S_IFREG: UInt8(DT_REG)
        case S_IFLNK: UInt8(DT_LNK)
        default: UInt8(DT_UNKNOWN)
        }
    }
}

/// One folder's entries (without `.` and `..`), read in full before any is looked at.
struct FolderListing {
    struct Entry {
        /// Where the name starts in `names`, its length (the NUL that follows not counted) and
        /// the listing's type (`DT_*`, `DT_UNKNOWN` where the file system does not say).
        var start: Int
        var count: Int
        var kind: UInt8
    }

    /// Every name, each followed by a NUL.
    var names: [UInt8] = []
    var entries: [Entry] = []
    /// Whether the folder lists a `.custosignore` that may be a regular file.
    var hasIgnoreFile = false

    /// Bytes asked of the kernel per `getdents64` call.
    static let bufferBytes = 32 * 1024
    private static let ignoreFileName = Array(IgnoreScopes.fileName.utf8)

    /// Lists the open folder `descriptor` (whose read offset it advances; the descriptor stays
    /// open and usable for `openat`): `getdents64` straight on it, or `fdopendir` on a copy
    /// where the kernel call is not available. A failure is the `errno`.
    static func read(_ descriptor: Int32) -> Result<FolderListing, ListingError> {
        var listing = FolderListing()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferBytes, alignment: 8)
        defer { buffer.deallocate() }
        // linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
        while true {
            let filled = custos_list_directory(descriptor, buffer, UInt(bufferBytes))
            if filled == -2 { return readWithDirectoryStream(descriptor) }
            if filled < 0 {
                if errno == EINTR { continue }
                return .failure(ListingError(code: errno))
            }
            if filled == 0 { return .success(listing) }
            var offset = 0
            while offset + 19 < filled {
                let record = buffer + offset
                let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                guard length > 19, offset + length <= filled else { break }
                let kind = record.load(fromByteOffset: 18, as: UInt8.self)
                let name = UnsafeRawBufferPointer(start: record + 19, count: length - 19)
                listing.add(UnsafeRawBufferPointer(rebasing: name.prefix { $0 != 0 }), kind: kind)
                offset += length
            }
        }
    }

    private static func readWithDirectoryStream(_ descriptor: Int32) -> Result<FolderListing, ListingError> {
        let copy = dup(descriptor)
        guard copy >= 0, let directory = fdopendir(copy) else {
            let code = errno
            if copy >= 0 { close(copy) }
            return .failure(ListingError(code: code))
        }
        defer { closedir(directory) }
        var listing = FolderListing()
        while let entry = readdir(directory) {
            withUnsafeBytes(of: entry.pointee.d_name) { raw in
                listing.add(UnsafeRawBufferPointer(rebasing: raw.prefix { $0 != 0 }), kind: entry.pointee.d_type)
            }
        }
        return .success(listing)
    }

    private mutating func add(_ name: UnsafeRawBufferPointer, kind: UInt8) {
        let isDots = (name.count == 1 && name[0] == 0x2e) || (name.count == 2 && name[0] == 0x2e && name[1] == 0x2e)
        guard !name.isEmpty, !isDots else { return }
        if name.elementsEqual(Self.ignoreFileName) && (kind == UInt8(DT_REG) || kind == UInt8(DT_UNKNOWN)) {
            hasIgnoreFile = true
        }
        entries.append(Entry(start: names.count, count: name.count, kind: kind))
        names.append(contentsOf: name)
        names.append(0)
    }
}

/// Why a folder could not be listed: its `errno`.
struct ListingError: Error {
    var code: Int32
}

#if os(Linux)
/// `O_NOATIME` (Linux only, hidden behind `_GNU_SOURCE` in the C headers): reading a share must
/// not even touch access times where the kernel lets the owner ask for that.
let noAccessTime: Int32 = 0o1_000_000
#else
let noAccessTime: Int32 = 0
#endif
