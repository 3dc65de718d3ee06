import Crypto
import CustosScan
import CustosSources
import Foundation

/// What a stat says about a file: enough to tell "unchanged" without reading it.
///
/// Size, modification time and change time (nanoseconds) and the inode number are compared.
/// The change time catches content written with a forged modification time (`touch -r`, some
/// restore tools); the inode catches a file replaced by another under the same name. The device
/// number is left out on purpose: network file systems get a new one at every mount.
public struct FileMetadata: Sendable, Hashable {
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

    /// The status the walker took while listing the file's folder.
    public init(_ status: FileStatus) {
        self.init(size: status.size, modifiedNanoseconds: status.modifiedNanoseconds,
                  changedNanoseconds: status.changedNanoseconds, inode: status.inode)
    }

    /// Stats `path` (without following a final symlink unless asked); nil with `errno` set.
    public static func of(_ path: String, followSymlinks: Bool) -> FileMetadata? {
        var info = stat()
        let status = followSymlinks ? stat(path, &info) : lstat(path, &info)
        guard status == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileMetadata(
            size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec),
            inode: Int64(bitPattern: UInt64(info.st_ino)))
    }
}

/// Computes a file's SHA-256 by streaming it through a buffer it owns. One per worker.
///
/// The hash is computed only for files whose metadata changed (or that are new): it decides
/// whether the file is scanned again, so a touched file, or one copied back unchanged, keeps
/// its findings exactly as they were. The scan that follows reads the file a second time,
/// normally from the page cache.
final class ContentHasher {
    private let buffer: UnsafeMutableRawBufferPointer
    /// How a file is opened; tests replace it to make a file unreadable even for root.
    private let open: @Sendable (String) -> Int32

    init(bufferSize: Int = 1 << 20, open: @escaping @Sendable (String) -> Int32) {
        buffer = .allocate(byteCount: bufferSize, alignment: 64)
        self.open = open
    }

    deinit { buffer.deallocate() }

    /// What hashing found: the digest and the bytes read, or why the file could not be read.
    enum Outcome {
        case hashed(digest: Data, bytes: Int64)
        case failed(String)
    }

    func hash(_ path: String) -> Outcome {
        let descriptor = open(path)
        guard descriptor >= 0 else {
            return .failed(errno == ENOENT ? "vanished before it could be read" : "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var hasher = SHA256()
        var total: Int64 = 0
        while true {
            let got = read(descriptor, buffer.baseAddress!, buffer.count)
            if got < 0 {
                if errno == EINTR { continue }
                return .failed("read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer.baseAddress, count: got))
            total += Int64(got)
        }
        return .hashed(digest: Data(hasher.finalize()), bytes: total)
    }
}
