// Archives in the scan pipeline: every member of a file recognised as an archive goes through
// the same decoders and engine as a file, named `backup.zip!/dir/member`. ArchiveReader owns
// the archive (formats, nesting, the file's DecodeBudget); this file only decides, member by
// member, whether to scan it whole (small, or a database or export that must be seen whole,
// up to a limit) or in overlapping chunks like a large file, so memory stays flat whatever
// the archive's size. Kept apart from FileScanner.swift so the pipeline can absorb it whole.

import CustosCore
import CustosDecoders
import CustosEngine
import Glibc

extension FileScanner {
    /// Scans every member of the archive at `source`; its problems become warnings on `path`.
    func scanArchive(_ source: ArchiveSource, size: Int, path: String) {
        // Archives inside archives are opened by ArchiveReader under one budget; an archive
        // met again in decoded content (a transcoded member, a database cell) is not reopened.
        guard openArchives == 0 else {
            warnings.append(ScanWarning(path: path, message: "an archive inside decoded content is not opened"))
            return
        }
        openArchives += 1
        defer { openArchives -= 1 }
        var budget = DecodeBudget(sourceBytes: size)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize + Self.defaultOverlap, alignment: 64)
        defer { buffer.deallocate() }
        let name = String(path.split(separator: "/").last ?? Substring(path))
        let problems = ArchiveReader.forEachMember(of: source, name: name, budget: &budget) { header, reader in
            try scanMember(reader, buffer: buffer, path: path + "!/" + header.path)
        }
        for problem in problems {
            warnings.append(ScanWarning(path: path, message: problem.description))
        }
    }

    /// One member: whole when it fits the buffer or must be decoded whole, else in chunks.
    private func scanMember(_ reader: MemberReader, buffer: UnsafeMutableRawBufferPointer, path: String) throws {
        let filled = try reader.fill(buffer)
        let first = UnsafeRawBufferPointer(rebasing: buffer[..<filled])
        if filled < buffer.count {
            scanDecoded(first, path: path)
            return
        }
        let sniffed = UnsafeRawBufferPointer(rebasing: first.prefix(Self.sniffLength))
        let binary = sniffed.contains(0)
        let wholeLimit = DecodeBudget.Limits.standard.maxWholeMemberBytes
        let fitsWhole = (reader.header.declaredSize ?? 0) <= Int64(wholeLimit)
        let mustBeWhole = SQLiteCells.isDatabase(sniffed) || (binary && TextEncoding.sniffUTF16(sniffed) != nil)
        if mustBeWhole || (fitsWhole && !binary && Self.decodesWhole(path, sniffed)) {
            var whole = Array(first)
            whole += try reader.readRest(limit: max(0, wholeLimit - filled))
            whole.withUnsafeBytes { _ = scanDecoded($0, path: path) }
            return
        }
        if binary {
            summary.filesSkippedBinary += 1
            return
        }
        try streamMember(reader, buffer: buffer, filled: filled, path: path)
    }

    /// Scans a text member in overlapping chunks, as `scanChunks` scans a large file.
    private func streamMember(_ reader: MemberReader, buffer: UnsafeMutableRawBufferPointer, filled: Int,
                              path: String) throws {
        let capacity = buffer.count
        var filled = filled
        var region = BlobRegion(path: path)
        var position = LineCounter()
        let context = min(Self.leadingContext, chunkSize / 2)
        while true {
            let atEnd = filled < capacity
            region.acceptBefore = atEnd ? .max : chunkSize
            scanner.scan(UnsafeRawBufferPointer(rebasing: buffer[..<filled]), region: region, into: &findings)
            if atEnd { return }
            let moved = chunkSize - context
            position.advance(over: UnsafeRawBufferPointer(rebasing: buffer[..<moved]))
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + moved, byteCount: filled - moved)
            region.baseOffset += moved
            region.startLine = position.line
            region.startColumn = position.column
            region.acceptFrom = context
            filled = try reader.fill(buffer, from: filled - moved)
        }
    }

    /// The size of a regular file (an archive read from its descriptor); nil for a pipe.
    static func regularFileSize(_ descriptor: Int32) -> Int? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }
}
