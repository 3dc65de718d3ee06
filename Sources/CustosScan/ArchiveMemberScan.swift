// Archives on disk in the scan pipeline: read member by member from the file, never held
// whole, each member going through the same decoder chain and engine as a file, located by its
// origin (`backup.zip!/dir/member`). ArchiveReader owns the archive (formats, nesting, the
// file's DecodeBudget); this file only decides, member by member, whether to scan it whole
// (it fits the read buffer, or it is a database or export that must be seen whole, up to the
// budget's limit) or in overlapping chunks like a large file, so memory stays flat whatever
// the archive's size. Archives held in memory (git blobs, standard input) go through the
// decoder contract instead (`ArchiveDecoder`), members whole.

import CustosCore
import CustosDecoders
import CustosEngine
import Glibc

extension BlobScanner {
    /// Scans every member of the archive open at `descriptor`; its issues become warnings.
    func scanArchive(_ descriptor: Int32, as origin: Origin, size: Int) {
        let budget = DecodeBudget(sourceBytes: size)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize + Self.defaultOverlap, alignment: 64)
        defer { buffer.deallocate() }
        let findingsBefore = results.sink.findings.count
        let outerWorkbook = workbook
        workbook = namedValues == nil ? nil : WorkbookParts()
        let issues = ArchiveReader.forEachMember(of: .fileDescriptor(descriptor), name: String(origin.fileName),
                                                 budget: budget) { header, reader in
            try scanMember(reader, as: ArchiveDecoder.origin(of: header, in: origin), buffer: buffer, budget: budget)
        }
        if let parts = workbook { scanWorkbook(parts, findingsFrom: findingsBefore) }
        workbook = outerWorkbook
        for issue in issues {
            let problem = issue.problem
            results.warn(problem.kind, origin, problem.message)
        }
    }

    /// One member: whole when it fits the buffer or must be decoded whole, else in chunks.
    private func scanMember(_ reader: MemberReader, as origin: Origin, buffer: UnsafeMutableRawBufferPointer,
                            budget: DecodeBudget) throws {
        let filled = try reader.fill(buffer)
        let first = UnsafeRawBufferPointer(rebasing: buffer[..<filled])
        if case let .archiveMember(_, name) = origin, workbook != nil, WorkbookParts.isPart(name), reader.header.depth == 1 {
            var whole = Array(first)
            if filled == buffer.count { whole += try reader.readRest(limit: WorkbookParts.maxBytes) }
            whole.withUnsafeBytes { part in
                workbook?.keep(origin, name: name, bytes: part)
                _ = scanWhole(part, as: origin, depth: origin.depth, budget: budget)
            }
            return
        }
        if filled < buffer.count {
            _ = scanWhole(first, as: origin, depth: origin.depth, budget: budget)
            return
        }
        let sniffed = UnsafeRawBufferPointer(rebasing: first.prefix(BlobView.sniffLength))
        let binary = sniffed.holdsNUL
        let wholeLimit = budget.limits.maxWholeMemberBytes
        let fitsWhole = (reader.header.declaredSize ?? 0) <= Int64(wholeLimit)
        let view = BlobView(origin: origin, bytes: sniffed)
        let mustBeWhole = decoders.containers.contains { $0.claims(view) } || decoders.encodings.contains { $0.claims(view) }
        if mustBeWhole || (fitsWhole && !binary && Self.decodesWhole(origin, sniffed)) {
            var whole = Array(first)
            whole += try reader.readRest(limit: max(0, wholeLimit - filled))
            whole.withUnsafeBytes { _ = scanWhole($0, as: origin, depth: origin.depth, budget: budget) }
            return
        }
        if binary {
            results.summary.filesSkippedBinary += 1
            return
        }
        try streamMember(reader, as: origin, buffer: buffer, filled: filled)
    }

    /// Scans a text member in overlapping chunks, as `scanChunks` scans a large file.
    private func streamMember(_ reader: MemberReader, as origin: Origin, buffer: UnsafeMutableRawBufferPointer,
                              filled: Int) throws {
        let capacity = buffer.count
        var filled = filled
        var region = BlobRegion(origin: origin)
        var position = LineCounter()
        let context = min(Self.leadingContext, chunkSize / 2)
        results.sink.beginBlob()
        defer { noteDropped(origin) }
        while true {
            let atEnd = filled < capacity
            region.acceptBefore = atEnd ? .max : chunkSize
            scanner.scan(UnsafeRawBufferPointer(rebasing: buffer[..<filled]), region: region, into: &results.sink)
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

    /// Whether the descriptor is a regular file (an archive is read from it with `pread`).
    static func isRegularFile(_ descriptor: Int32) -> Bool {
        var info = stat()
        return fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
