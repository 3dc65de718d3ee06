import Crypto
import CustosSources
import Foundation

/// Computes a file's SHA-256 by streaming it through a buffer it owns. One per worker.
///
/// The hash is computed only for files whose metadata changed (or that are new): it decides
/// whether the file is scanned again, so a touched file, or one copied back unchanged, keeps
/// its findings exactly as they were. The scan that follows reads the file a second time,
/// normally from the page cache.
final class ContentHasher {
    private let buffer: UnsafeMutableRawBufferPointer
    /// How a file is opened; tests replace it to make a file unreadable even for root.
    private let open: @Sendable (FileEntry) -> Int32

    init(bufferSize: Int = 1 << 20, open: @escaping @Sendable (FileEntry) -> Int32) {
        buffer = .allocate(byteCount: bufferSize, alignment: 64)
        self.open = open
    }

    deinit { buffer.deallocate() }

    /// What hashing found: the digest and the bytes read, or why the file could not be read.
    enum Outcome {
        case hashed(digest: Data, bytes: Int64)
        case failed(String)
    }

    func hash(_ entry: FileEntry) -> Outcome {
        let descriptor = open(entry)
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
