// CustosScan: the pipeline that wires sources to the engine. Workers pull files from the
// shared FileQueue, read each through a buffer they own (large files in overlapping chunks, so
// memory stays flat), and hand the bytes to their own SecretScanner. Results are merged once
// at the end in a fixed order, so the same input always gives the same report.

import CustosCore
import CustosDecoders
import CustosEngine
import Foundation

/// Reads files for one worker through a reusable buffer and scans them. Not thread-safe.
final class FileScanner {
    /// Bytes scanned at once; larger files are scanned in chunks of this size.
    static let defaultChunkSize = 8 * 1024 * 1024
    /// Bytes each chunk shares with the next, so a secret that crosses a chunk boundary is
    /// seen whole by the chunk it starts in. Longer than any rule's match window.
    static let defaultOverlap = 64 * 1024
    /// Bytes looked at to tell text from binary.
    static let sniffLength = 8 * 1024

    private let scanner: SecretScanner
    private let buffer: UnsafeMutableRawBufferPointer
    private let followSymlinks: Bool
    private let maxFileSize: Int

    var findings: [Finding] = []
    var warnings: [ScanWarning] = []
    var summary = ScanSummary()
    var nodeRed = NodeRedMaterial()

    private let chunkSize: Int

    init(engine: Engine, followSymlinks: Bool, maxFileSize: Int,
         chunkSize: Int = FileScanner.defaultChunkSize, overlap: Int = FileScanner.defaultOverlap) {
        scanner = engine.makeScanner()
        self.chunkSize = chunkSize
        buffer = .allocate(byteCount: chunkSize + overlap, alignment: 64)
        self.followSymlinks = followSymlinks
        self.maxFileSize = maxFileSize
    }

    deinit {
        buffer.deallocate()
    }

    /// Scans one file; problems become warnings and the caller goes on.
    func scan(path: String, displayPath: String) {
        let descriptor = Self.openForReading(path, followSymlinks: followSymlinks)
        guard descriptor >= 0 else {
            if errno == ENOENT {
                warnings.append(ScanWarning(path: displayPath, message: "vanished before it could be read"))
            } else if errno != ELOOP {
                warnings.append(ScanWarning(path: displayPath, message: "cannot open: \(String(cString: strerror(errno)))"))
            }
            return
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
        if maxFileSize > 0 && Int(info.st_size) > maxFileSize {
            summary.filesSkippedTooLarge += 1
            return
        }
        do {
            try scanChunks(descriptor, displayPath: displayPath)
        } catch {
            warnings.append(ScanWarning(path: displayPath, message: "read failed: \(error.reason)"))
        }
    }

    private struct ReadError: Error {
        var reason: String
    }

    /// Reads until `count` bytes are in the buffer from `offset`, or end of file.
    private func fill(_ descriptor: Int32, from offset: Int, upTo end: Int) throws(ReadError) -> Int {
        var filled = offset
        while filled < end {
            let got = read(descriptor, buffer.baseAddress! + filled, end - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    /// Bytes before a chunk's first reported offset that it keeps from the previous chunk,
    /// so snippets, word boundaries and allow comments see the same text in every chunk.
    static let leadingContext = 1024

    private func scanChunks(_ descriptor: Int32, displayPath: String) throws(ReadError) {
        let capacity = buffer.count
        var filled = try fill(descriptor, from: 0, upTo: capacity)
        summary.bytesScanned += filled
        if filled == 0 {
            summary.filesScanned += 1
            return
        }
        let sniffed = UnsafeRawBufferPointer(start: buffer.baseAddress, count: min(filled, Self.sniffLength))
        let wholeFile = filled < buffer.count
        if ArchiveExpander.isZip(sniffed) || SQLiteCells.isDatabase(sniffed) {
            guard let data = try readWhole(descriptor, firstBytes: filled, displayPath: displayPath) else { return }
            summary.filesScanned += 1
            data.withUnsafeBytes { scanDecoded($0, path: displayPath) }
            return
        }
        if sniffed.contains(0) || (wholeFile && (LogixEscapes.applies(to: displayPath)
            || XMLEntities.worthDecoding(UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled)))) {
            if wholeFile {
                if scanDecoded(UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled), path: displayPath) {
                    summary.filesScanned += 1
                } else {
                    summary.bytesScanned -= filled
                }
            } else {
                summary.bytesScanned -= filled
                summary.filesSkippedBinary += 1
            }
            return
        }
        summary.filesScanned += 1
        if wholeFile { nodeRed.consider(path: displayPath, bytes: UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled)) }
        var region = BlobRegion(path: displayPath)
        var position = LinePosition()
        let context = min(Self.leadingContext, chunkSize / 2)
        while true {
            let atEnd = filled < capacity
            region.acceptBefore = atEnd ? .max : chunkSize
            scanner.scan(UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled), region: region, into: &findings)
            if atEnd { return }
            // The next chunk starts `context` bytes before the first offset it reports.
            let moved = chunkSize - context
            position.advance(over: UnsafeRawBufferPointer(start: buffer.baseAddress, count: moved))
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + moved, byteCount: filled - moved)
            region.baseOffset += moved
            region.startLine = position.line
            region.startColumn = position.column
            region.acceptFrom = context
            let kept = filled - moved
            filled = try fill(descriptor, from: kept, upTo: capacity)
            summary.bytesScanned += filled - kept
        }
    }

    /// Archives larger than this are not opened (they would be read into memory whole).
    static let maxArchiveBytes = 1024 * 1024 * 1024

    /// Reads an archive or database whole (they cannot be read in chunks); nil when too large.
    private func readWhole(_ descriptor: Int32, firstBytes: Int, displayPath: String) throws(ReadError) -> Data? {
        var info = stat()
        fstat(descriptor, &info)
        guard Int(info.st_size) <= Self.maxArchiveBytes else {
            warnings.append(ScanWarning(path: displayPath, message: "archive or database larger than \(Self.maxArchiveBytes / 1_048_576) MB; not opened"))
            return nil
        }
        var data = Data(bytes: buffer.baseAddress!, count: firstBytes)
        while true {
            let got = read(descriptor, buffer.baseAddress!, buffer.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            data.append(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: got)
            summary.bytesScanned += got
        }
        return data
    }

    /// Scans every member of a zip-based archive, named `archive.zip!/member`.
    private func scanArchive(_ bytes: UnsafeRawBufferPointer, path: String) {
        let (members, notes) = ArchiveExpander().members(of: Data(bytes))
        for note in notes { warnings.append(ScanWarning(path: path, message: note)) }
        for member in members {
            member.bytes.withUnsafeBytes { scanDecoded($0, path: path + "!/" + member.name) }
        }
    }

    /// Scans the text cells of a SQLite database, each located as `db!/table.column[row]`.
    private func scanDatabase(_ bytes: UnsafeRawBufferPointer, path: String) {
        do {
            try SQLiteCells.forEachTextCell(in: Data(bytes)) { cell in
                scanDecoded(cell.text, path: path + "!/" + cell.location)
            }
        } catch {
            warnings.append(ScanWarning(path: path, message: "\(error)"))
        }
    }

    /// Scans text that may need decoding first: UTF-16 is transcoded, XML has its entities
    /// resolved (lines stay where they are), anything else with NUL bytes is binary (counted
    /// as skipped; the result is false).
    @discardableResult
    func scanDecoded(_ bytes: UnsafeRawBufferPointer, path: String) -> Bool {
        let sniffed = UnsafeRawBufferPointer(rebasing: bytes.prefix(Self.sniffLength))
        if ArchiveExpander.isZip(sniffed) {
            scanArchive(bytes, path: path)
            return true
        }
        if SQLiteCells.isDatabase(sniffed) {
            scanDatabase(bytes, path: path)
            return true
        }
        if sniffed.contains(0) {
            guard let encoding = TextEncoding.sniffUTF16(bytes) else {
                summary.filesSkippedBinary += 1
                return false
            }
            let text = encoding.transcode(bytes)
            return text.withUnsafeBytes { scanDecoded($0, path: path) }
        }
        nodeRed.consider(path: path, bytes: bytes)
        if LogixEscapes.applies(to: path) {
            var text = XMLEntities.worthDecoding(bytes) ? XMLEntities.decode(bytes) : Array(bytes)
            text = text.withUnsafeBytes { LogixEscapes.decode($0) }
            text.withUnsafeBytes { scanner.scan($0, region: BlobRegion(path: path), into: &findings) }
            return true
        }
        if XMLEntities.worthDecoding(bytes) {
            let decoded = XMLEntities.decode(bytes)
            decoded.withUnsafeBytes { scanner.scan($0, region: BlobRegion(path: path), into: &findings) }
            return true
        }
        scanner.scan(bytes, region: BlobRegion(path: path), into: &findings)
        return true
    }

    /// Opens read-only, without updating the access time where the kernel allows it, and
    /// without following a final symlink unless asked.
    static func openForReading(_ path: String, followSymlinks: Bool) -> Int32 {
        var flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
        if !followSymlinks { flags |= O_NOFOLLOW }
        let descriptor = open(path, flags | noAccessTime)
        if descriptor < 0 && errno == EPERM {
            return open(path, flags)
        }
        return descriptor
    }
}

#if os(Linux)
/// `O_NOATIME` (Linux only, hidden behind `_GNU_SOURCE` in the C headers): reading a share must
/// not even touch access times where the kernel lets the owner ask for that.
private let noAccessTime: Int32 = 0o1_000_000
#else
private let noAccessTime: Int32 = 0
#endif

/// Line and column (in code points) reached after a stretch of bytes.
struct LinePosition {
    var line = 1
    var column = 0

    mutating func advance(over bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            if byte == 0x0a {
                line += 1
                column = 0
            } else if byte & 0xc0 != 0x80 {
                column += 1
            }
        }
    }
}
