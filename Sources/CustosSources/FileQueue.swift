// CustosSources: where bytes come from. The directory walker lists trees in parallel and hands
// out files; it never follows a symlink unless asked, never loops, and never opens anything for
// writing. Matching is CustosEngine's job; wiring both together is CustosScan's.

import CustosCore
import Foundation
import Synchronization

/// A regular file the walker found, with the path to report and the path to open.
public struct FileEntry: Sendable {
    /// The path to open.
    public var path: String
    /// The path relative to its scan root, `/`-separated (for ignore rules and rule globs).
    public var relativePath: String
    /// Size from the directory listing's stat, when known.
    public var size: Int?
    /// The file's status taken while its folder was listed (`WalkOptions.statFiles`).
    public var status: FileStatus?
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

    public init(followSymlinks: Bool = false, ignore: IgnoreRules = IgnoreRules(), statFiles: Bool = false) {
        self.followSymlinks = followSymlinks
        self.ignore = ignore
        self.statFiles = statFiles
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
        case directory(path: String, relative: String, scopes: IgnoreScopes)
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
                initial.visitedDirectories.insert(DirectoryIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
                initial.items.append(.directory(path: root, relative: "", scopes: IgnoreScopes()))
            } else {
                let name = PathText.name(of: root)
                initial.items.append(.file(FileEntry(path: root, relativePath: name, size: Int(info.st_size),
                                                     status: options.statFiles && (info.st_mode & S_IFMT) == S_IFREG ? FileStatus(info) : nil)))
            }
        }
        state = Mutex(initial)
    }

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
            case let .directory(path, relative, scopes):
                let found = list(path: path, relative: relative, scopes: scopes)
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

    /// Lists one directory without holding the lock.
    private func list(path: String, relative: String, scopes: IgnoreScopes) -> (items: [Item], report: WalkReport) {
        var items: [Item] = []
        var report = WalkReport()
        guard let directory = opendir(path) else {
            report.warnings.append(ScanWarning(.unlistedFolder, path: path, message: "cannot list folder: \(String(cString: strerror(errno)))"))
            return (items, report)
        }
        defer { closedir(directory) }
        let scopes = Self.addingIgnoreFile(in: path, relative: relative, to: scopes, report: &report)
        func isIgnored(_ childRelative: String, isDirectory: Bool) -> Bool {
            scopes.apply(to: childRelative, isDirectory: isDirectory,
                         ignored: options.ignore.isIgnored(childRelative, isDirectory: isDirectory))
        }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let childPath = path == "/" ? "/" + name : path + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            var kind = entry.pointee.d_type
            var info = stat()
            var haveInfo = false
            if kind == UInt8(DT_UNKNOWN) || kind == UInt8(DT_LNK) {
                // lstat only when the listing does not say what the entry is.
                if lstat(childPath, &info) != 0 {
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
                guard stat(childPath, &info) == 0 else { continue }  // dangling link
                kind = Self.directoryEntryType(info.st_mode)
            }
            if kind == UInt8(DT_DIR) {
                if isIgnored(childRelative, isDirectory: true) {
                    report.excluded += 1
                    continue
                }
                if options.followSymlinks {
                    if !haveInfo && stat(childPath, &info) != 0 { continue }
                    let identity = DirectoryIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
                    let firstVisit = state.withLock { $0.visitedDirectories.insert(identity).inserted }
                    guard firstVisit else { continue }
                }
                items.append(.directory(path: childPath, relative: childRelative, scopes: scopes))
            } else if kind == UInt8(DT_REG) {
                if isIgnored(childRelative, isDirectory: false) {
                    report.excluded += 1
                    continue
                }
                var status: FileStatus?
                if options.statFiles {
                    if haveInfo && !options.followSymlinks {
                        status = FileStatus(info)
                    } else if fstatat(dirfd(directory), name, &info,
                                      options.followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW) == 0,
                              (info.st_mode & S_IFMT) == S_IFREG {
                        status = FileStatus(info)
                        haveInfo = true
                    }
                }
                let size = haveInfo ? Int(info.st_size) : nil
                items.append(.file(FileEntry(path: childPath, relativePath: childRelative, size: size, status: status)))
            }
            // Sockets, FIFOs and devices are never opened: reading them can block or has effects.
        }
        return (items, report)
    }

    /// `scopes` plus the folder's own `.custosignore`, when it has one.
    private static func addingIgnoreFile(in path: String, relative: String, to scopes: IgnoreScopes,
                                         report: inout WalkReport) -> IgnoreScopes {
        let file = path + "/" + IgnoreScopes.fileName
        var info = stat()
        guard lstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return scopes }
        var rules = IgnoreRules(includeDefaults: false)
        do {
            try rules.add(fileAt: file)
        } catch {
            report.warnings.append(ScanWarning(.configuration, path: file, message: "cannot read the ignore file: \(error.localizedDescription)"))
            return scopes
        }
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
