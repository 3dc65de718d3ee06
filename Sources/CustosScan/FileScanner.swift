// CustosScan: the pipeline that wires sources to the engine. Workers pull files from the
// shared FileQueue, read each through a buffer they own (large files in overlapping chunks, so
// memory stays flat), and hand the bytes to their own SecretScanner. Results are merged once
// at the end in a fixed order, so the same input always gives the same report.

import CustosCore
import CustosDecoders
import CustosEngine
import CustosSources
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

    let scanner: SecretScanner
    private let buffer: UnsafeMutableRawBufferPointer
    private let followSymlinks: Bool
    private let maxFileSize: Int

    var findings: [Finding] = []
    var warnings: [ScanWarning] = []
    var summary = ScanSummary()
    var nodeRed = NodeRedMaterial()
    /// Set aside Node-RED credentials and settings for decryption after the scan; off where
    /// nothing decrypts them (git history and diffs).
    var collectsNodeRed = true
    /// Archives being read (ArchiveMemberScan.swift): one at a time, nesting is ArchiveReader's.
    var openArchives = 0

    let chunkSize: Int
    /// Rules that report a secret in its encoded form (tag `encoded`, such as an HTTP Basic
    /// header): when the value decodes to text, the decoded text speaks for it.
    private let encodedRules: Set<String>
    /// Generic rules give way to what a decoded value says, as they give way to specific rules.
    private let genericRules: Set<String>

    /// Decodings nested inside each other at most (a base64 value inside a decoded one).
    static let maxDecodingDepth = 2
    /// SQLite cells up to this size are scanned as `TABLE.COLUMN=value` rows, so a rule sees
    /// the column's name and the row's other cells; longer cells are scanned on their own.
    static let maxRowCellBytes = 4096

    init(engine: Engine, followSymlinks: Bool, maxFileSize: Int,
         chunkSize: Int = FileScanner.defaultChunkSize, overlap: Int = FileScanner.defaultOverlap) {
        scanner = engine.makeScanner()
        encodedRules = Set(engine.ruleSet.rules.filter { $0.tags.contains("encoded") }.map(\.id))
        genericRules = Set(engine.ruleSet.rules.filter(\.isGeneric).map(\.id))
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
        scan(opened: Self.openForReading(path, followSymlinks: followSymlinks), displayPath: displayPath)
    }

    /// Scans a file the walk listed, opened relative to its folder (never re-resolved by path).
    func scan(_ entry: FileEntry, displayPath: String) {
        scan(opened: entry.openForReading(followSymlinks: followSymlinks), displayPath: displayPath)
    }

    /// Scans a file just opened (`descriptor` -1 with `errno` set when opening failed).
    private func scan(opened descriptor: Int32, displayPath: String) {
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

    /// The name findings in standard input are reported under (`custos scan -`).
    static let standardInputName = "stdin"

    /// Scans standard input as one file, read in chunks like any other.
    func scanStandardInput() {
        do {
            try scanChunks(STDIN_FILENO, displayPath: Self.standardInputName)
        } catch {
            warnings.append(ScanWarning(path: Self.standardInputName, message: "read failed: \(error.reason)"))
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
        if ArchiveReader.recognizes(sniffed, name: displayPath), let size = Self.regularFileSize(descriptor) {
            // Read member by member from the file, never held whole (ArchiveMemberScan.swift).
            summary.filesScanned += 1
            summary.bytesScanned += max(0, size - filled)
            scanArchive(.fileDescriptor(descriptor), size: size, path: displayPath)
            return
        }
        if ArchiveReader.recognizes(sniffed, name: displayPath) || SQLiteCells.isDatabase(sniffed) {
            guard let data = try readWhole(descriptor, firstBytes: filled, displayPath: displayPath) else { return }
            summary.filesScanned += 1
            _ = data.withUnsafeBytes { scanDecoded($0, path: displayPath) }
            return
        }
        // A project export too large for one buffer (an L5X of a whole line runs to 100 MB, a
        // tag export or SimaticML library as much) is still decoded whole, so escapes, entities,
        // base64 values and logical paths hold all through it. Larger ones are streamed as text.
        if !wholeFile && !sniffed.contains(0) && Self.decodesWhole(displayPath, sniffed)
            && Self.fileSize(descriptor) <= Self.maxExportBytes {
            guard let data = try readWhole(descriptor, firstBytes: filled, displayPath: displayPath) else { return }
            summary.filesScanned += 1
            _ = data.withUnsafeBytes { scanDecoded($0, path: displayPath) }
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
        if wholeFile && collectsNodeRed { nodeRed.consider(path: displayPath, bytes: UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled)) }
        var region = BlobRegion(path: displayPath)
        var position = LineCounter()
        let context = min(Self.leadingContext, chunkSize / 2)
        let before = findings.count
        while true {
            let atEnd = filled < capacity
            region.acceptBefore = atEnd ? .max : chunkSize
            scanner.scan(UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled), region: region, into: &findings)
            if atEnd {
                // A file read whole gets its decodings and logical paths; streamed ones do not.
                if wholeFile {
                    enrich(UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled), path: displayPath,
                           findings: &findings, from: before, depth: 0)
                }
                return
            }
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

    /// Structured exports up to this size are read whole to be decoded (see `decodesWhole`).
    static let maxExportBytes = 256 * 1024 * 1024

    /// Whether a file is a structured export worth decoding whole: Logix exports, XML, JSON.
    static func decodesWhole(_ path: String, _ sniffed: UnsafeRawBufferPointer) -> Bool {
        if LogixEscapes.applies(to: path) { return true }
        let structure = LogicalPaths.structure(of: sniffed, name: path)
        return structure == .xml || structure == .json
    }

    private static func fileSize(_ descriptor: Int32) -> Int {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : .max
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
            // A pipe has no size to check up front, and a file may grow while it is read.
            if data.count > Self.maxArchiveBytes {
                warnings.append(ScanWarning(path: displayPath, message: "archive or database larger than \(Self.maxArchiveBytes / 1_048_576) MB; not opened"))
                return nil
            }
        }
        return data
    }

    /// Scans the text cells of a SQLite database, each located as `db!/table.column[row]`.
    /// A row's short cells are scanned together as `TABLE.COLUMN=value` lines, so a password
    /// column is read as a password and its user name is nearby; long cells (scripts,
    /// serialized resources) are decoded and scanned on their own.
    private func scanDatabase(_ bytes: UnsafeRawBufferPointer, path: String) {
        do {
            try SQLiteCells.forEachRow(in: bytes) { row in
                var text = DerivedText()
                for (column, cell) in row.cells {
                    let location = row.location(of: column)
                    guard cell.count <= Self.maxRowCellBytes, !cell.contains(0) else {
                        scanDecoded(cell, path: path + "!/" + location)
                        continue
                    }
                    text.appendContext("\(row.table).\(column)=")
                    text.appendSegment(cell, place: .flowing(line: 1, column: 0, byte: 0),
                                       path: path + "!/" + location, logicalPath: location)
                    text.appendContext([0x0a])
                }
                if !text.isEmpty { findings += scanDerived(text, path: path, depth: 1) }
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
        if ArchiveReader.recognizes(sniffed, name: path) {
            scanArchive(.bytes(bytes), size: bytes.count, path: path)
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
        if collectsNodeRed { nodeRed.consider(path: path, bytes: bytes) }
        if LogixEscapes.applies(to: path) {
            var text = XMLEntities.worthDecoding(bytes) ? XMLEntities.decode(bytes) : Array(bytes)
            text = text.withUnsafeBytes { LogixEscapes.decode($0) }
            text.withUnsafeBytes { scanText($0, path: path) }
            return true
        }
        if XMLEntities.worthDecoding(bytes) {
            let decoded = XMLEntities.decode(bytes)
            decoded.withUnsafeBytes { scanText($0, path: path) }
            return true
        }
        scanText(bytes, path: path)
        return true
    }

    /// Scans a whole text, then what it holds: derived texts and logical paths.
    private func scanText(_ bytes: UnsafeRawBufferPointer, path: String) {
        let before = findings.count
        scanner.scan(bytes, region: BlobRegion(path: path), into: &findings)
        enrich(bytes, path: path, findings: &findings, from: before, depth: 0)
    }

    /// What a whole text holds beyond its lines, scanned by the same engine: SCL rebuilt from
    /// SimaticML tokens, credential columns of tables, base64 values that decode to text; then
    /// logical paths for the findings made in it (`list[before...]`).
    func enrich(_ bytes: UnsafeRawBufferPointer, path: String, findings list: inout [Finding],
                        from before: Int, depth: Int) {
        if depth == 0 {
            if SimaticSCL.applies(to: bytes, name: path) {
                let text = SimaticSCL.derive(bytes)
                if !text.isEmpty { list += scanDerived(text, path: path, depth: depth + 1) }
            }
            if DelimitedTable.applies(to: path) {
                let text = DelimitedTable.derive(bytes)
                if !text.isEmpty { list += scanDerived(text, path: path, depth: depth + 1) }
            }
        }
        if depth < Self.maxDecodingDepth {
            decodeBase64(bytes, path: path, findings: &list, from: before, depth: depth)
        }
        nameLogicalPaths(bytes, path: path, findings: &list, from: before)
    }

    /// Decodes the base64 runs of a text, and the base64 secrets rules reported in it, and
    /// scans what decodes to text. Generic and `encoded` findings on a run that decodes give
    /// way to what the decoded value says; a specific finding on it stays, and decoded
    /// findings over it are dropped.
    private func decodeBase64(_ bytes: UnsafeRawBufferPointer, path: String, findings list: inout [Finding],
                              from before: Int, depth: Int) {
        var runs = Base64Values.runs(in: bytes)
        for index in before..<list.count where list[index].path == path && list[index].byteEnd <= bytes.count
            && (encodedRules.contains(list[index].ruleID) || genericRules.contains(list[index].ruleID)) {
            let range = list[index].byteStart..<list[index].byteEnd
            if Base64Values.isCandidate(UnsafeRawBufferPointer(rebasing: bytes[range])),
               !runs.contains(where: { $0.overlaps(range) }) {
                runs.append(range)
            }
        }
        guard !runs.isEmpty else { return }
        let (text, decoded) = Base64Values.derive(bytes, runs: runs)
        guard !decoded.isEmpty else { return }
        func within(_ finding: Finding) -> Range<Int>? {
            decoded.first { $0.lowerBound <= finding.byteStart && finding.byteEnd <= $0.upperBound }
        }
        var kept: [Finding] = Array(list[..<before])
        var specific: [Range<Int>] = []
        for finding in list[before...] {
            guard finding.path == path, let run = within(finding) else {
                kept.append(finding)
                continue
            }
            if encodedRules.contains(finding.ruleID) || genericRules.contains(finding.ruleID) { continue }
            specific.append(run)
            kept.append(finding)
        }
        for finding in scanDerived(text, path: path, depth: depth + 1)
        where !specific.contains(where: { $0.lowerBound == finding.byteStart }) {
            kept.append(finding)
        }
        list = kept
    }

    /// Scans a derived text and moves its findings to where they came from.
    private func scanDerived(_ text: DerivedText, path: String, depth: Int) -> [Finding] {
        var local: [Finding] = []
        text.bytes.withUnsafeBytes { raw in
            scanner.scan(raw, region: BlobRegion(path: path), into: &local)
            if depth < Self.maxDecodingDepth {
                decodeBase64(raw, path: path, findings: &local, from: 0, depth: depth)
            }
        }
        return local.compactMap { finding in
            var moved = finding
            return text.relocate(&moved) ? moved : nil
        }
    }

    /// Fills in the logical path of findings made in a whole text, from its structure (XML
    /// elements, JSON members, PLC blocks); a path a decoding gave (`base64`) is nested in it.
    private func nameLogicalPaths(_ bytes: UnsafeRawBufferPointer, path: String, findings list: inout [Finding],
                                  from before: Int) {
        let indices = (before..<list.count).filter {
            list[$0].path == path && list[$0].byteStart < bytes.count
                && (list[$0].logicalPath == nil || list[$0].logicalPath!.hasPrefix(Base64Values.logicalPathName))
        }
        guard !indices.isEmpty, let structure = LogicalPaths.structure(of: bytes, name: path) else { return }
        let paths = LogicalPaths.paths(for: indices.map { list[$0].byteStart }, in: bytes, structure: structure)
        for index in indices {
            guard let outer = paths[list[index].byteStart] else { continue }
            list[index].logicalPath = list[index].logicalPath.map { outer + "/" + $0 } ?? outer
        }
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
