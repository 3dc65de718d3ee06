// CustosScan: the one pipeline every source feeds — read → decoder chain → engine → results.
// Sources (directory walk, file sets, git history, diffs, standard input) hand a worker's
// `BlobScanner` bytes and an `Origin`; it reads them through a buffer it owns (large text in
// overlapping chunks, so memory stays flat), runs the decoders (`DecoderSet`) under one budget
// per file, scans every text with its own `SecretScanner`, and maps every finding back to the
// exact bytes, line and column of the file or member a person opens. The drivers only walk
// and merge; results are merged once at the end in a fixed order, so the same input always
// gives the same report. Matching stays in CustosEngine, decoding in CustosDecoders.

import CustosCore
import CustosDecoders
import CustosEngine
import CustosSources
import Foundation

/// What one worker's scanning gave so far.
struct ScanAccumulator {
    var sink = FindingSink()
    var warnings: [ScanWarning] = []
    var summary = ScanSummary()

    mutating func warn(_ kind: WarningKind, _ origin: Origin, _ message: String) {
        warnings.append(ScanWarning(kind, path: origin.display, message: message))
    }

    /// Moves everything out, as a result the driver merges.
    mutating func take() -> ScanResult {
        let result = ScanResult(findings: sink.take(), warnings: warnings, summary: summary)
        warnings.removeAll()
        summary = ScanSummary()
        return result
    }
}

/// Reads and scans blobs for one worker through a reusable buffer. Not thread-safe: make one
/// per worker (it owns a Vectorscan scratch, PCRE2 match data and the read buffer).
final class BlobScanner {
    /// Bytes scanned at once; larger text is scanned in chunks of this size.
    static let defaultChunkSize = 8 * 1024 * 1024
    /// Bytes each chunk shares with the next, so a secret that crosses a chunk boundary is
    /// seen whole by the chunk it starts in. Longer than any rule's match window.
    static let defaultOverlap = 64 * 1024
    /// Bytes before a chunk's first reported offset that it keeps from the previous chunk,
    /// so snippets, word boundaries and allow comments see the same text in every chunk.
    static let leadingContext = 1024
    /// Structured exports up to this size are read whole to be decoded (an L5X of a whole
    /// line runs to 100 MB); larger ones are streamed as text.
    static let maxExportBytes = 256 * 1024 * 1024
    /// Containers larger than this are not opened (they are read into memory whole).
    static let maxContainerBytes = 1024 * 1024 * 1024
    /// Decodings of values nested inside each other at most (a base64 value inside one).
    static let maxDecodingDepth = 2

    let scanner: SecretScanner
    let decoders: DecoderSet
    var results = ScanAccumulator()
    var nodeRed = NodeRedMaterial()
    /// Set aside Node-RED credentials and settings for decryption after the scan; off where
    /// nothing decrypts them (git history and diffs).
    var collectsNodeRed = true
    /// The workbook parts of the archive being read (XLSX), set aside for its sheets.
    var workbook: WorkbookParts?

    private let buffer: UnsafeMutableRawBufferPointer
    let chunkSize: Int
    private let followSymlinks: Bool
    private let maxFileSize: Int
    /// Rules that report a secret in encoded form (trait `encoded`) and generic rules: both
    /// give way to what a decoded value says.
    private let yieldingToDecodedValues: Set<String>
    /// Rules that report a secret in encoded form (trait `encoded`): a match of theirs in a
    /// decoded value reads decoded bytes as if still encoded (`s6BhdRkqt3` of a decoded
    /// `Basic` header) and is dropped.
    private let encodedRules: Set<String>
    /// Generic rules (trait `generic`): their findings give way to a named value's judgement.
    let genericRules: Set<String>
    /// Named-value scanning as the engine was configured, nil when off.
    let namedValues: NamedValueScanning?

    init(engine: Engine, followSymlinks: Bool, maxFileSize: Int, decoders: DecoderSet = .standard,
         chunkSize: Int = BlobScanner.defaultChunkSize, overlap: Int = BlobScanner.defaultOverlap) {
        scanner = engine.makeScanner()
        self.decoders = decoders
        yieldingToDecodedValues = Set(engine.ruleSet.rules
            .filter { $0.traits.contains(.encoded) || $0.traits.contains(.generic) }.map(\.id))
        genericRules = Set(engine.ruleSet.rules.filter { $0.traits.contains(.generic) }.map(\.id))
        encodedRules = Set(engine.ruleSet.rules.filter { $0.traits.contains(.encoded) }.map(\.id))
        namedValues = engine.namedValues
        self.chunkSize = chunkSize
        buffer = .allocate(byteCount: chunkSize + overlap, alignment: 64)
        self.followSymlinks = followSymlinks
        self.maxFileSize = maxFileSize
    }

    deinit {
        buffer.deallocate()
    }

    // MARK: Sources

    /// Scans the file at `path` as `origin`; problems become warnings and the caller goes on.
    func scanFile(at path: String, as origin: Origin) {
        scanFile(opened: Self.openForReading(path, followSymlinks: followSymlinks), as: origin)
    }

    /// Scans a file the walk listed, opened relative to its folder (never re-resolved by path).
    func scanFile(_ entry: FileEntry, as origin: Origin) {
        scanFile(opened: entry.openForReading(followSymlinks: followSymlinks), as: origin)
    }

    /// Scans a file just opened (`descriptor` -1 with `errno` set when opening failed).
    private func scanFile(opened descriptor: Int32, as origin: Origin) {
        guard descriptor >= 0 else {
            if errno == ENOENT {
                results.warn(.vanished, origin, "vanished before it could be read")
            } else if errno != ELOOP {
                results.warn(.unreadable, origin, "cannot open: \(String(cString: strerror(errno)))")
            }
            return
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
        if maxFileSize > 0 && Int(info.st_size) > maxFileSize {
            results.summary.filesSkippedTooLarge += 1
            return
        }
        read(descriptor, as: origin, size: Int(info.st_size))
    }

    /// Scans standard input as one file, read in chunks like any other.
    func scanStandardInput() {
        read(STDIN_FILENO, as: .standardInput, size: nil)
    }

    /// Scans bytes held in memory (a git blob) like a file read whole; false when they are
    /// binary that no decoder reads (counted as skipped).
    @discardableResult
    func scanBytes(_ bytes: UnsafeRawBufferPointer, as origin: Origin) -> Bool {
        let budget = DecodeBudget(sourceBytes: bytes.count)
        return scanWhole(bytes, as: origin, depth: 0, budget: budget)
    }

    private struct ReadError: Error {
        var reason: String
    }

    /// Reads until the buffer holds `end` bytes from `offset`, or end of file.
    private func fill(_ descriptor: Int32, from offset: Int, upTo end: Int) throws(ReadError) -> Int {
        var filled = offset
        while filled < end {
            let got = Foundation.read(descriptor, buffer.baseAddress! + filled, end - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    /// Reads one file or stream: whole when it fits the buffer or must be decoded whole,
    /// otherwise as overlapping chunks of plain text.
    private func read(_ descriptor: Int32, as origin: Origin, size: Int?) {
        do {
            let capacity = buffer.count
            let filled = try fill(descriptor, from: 0, upTo: capacity)
            let first = UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled)
            let sniffed = UnsafeRawBufferPointer(rebasing: first.prefix(BlobView.sniffLength))
            if let size, ArchiveReader.recognizes(sniffed, name: String(origin.fileName)), Self.isRegularFile(descriptor) {
                // An archive on disk is read member by member from the file, never held whole
                // (ArchiveMemberScan.swift).
                results.summary.filesScanned += 1
                results.summary.bytesScanned += size
                scanArchive(descriptor, as: origin, size: size)
                return
            }
            if filled < capacity {
                results.summary.bytesScanned += filled
                if scanWhole(first, as: origin, depth: 0, budget: DecodeBudget(sourceBytes: filled)) {
                    results.summary.filesScanned += 1
                } else {
                    results.summary.bytesScanned -= filled
                }
                return
            }
            let view = BlobView(origin: origin, bytes: sniffed)
            if decoders.containers.contains(where: { $0.claims(view) })
                || (!sniffed.holdsNUL && Self.decodesWhole(origin, sniffed) && (size ?? .max) <= Self.maxExportBytes) {
                guard let data = try readWhole(descriptor, first: filled, origin: origin) else { return }
                results.summary.filesScanned += 1
                data.withUnsafeBytes { _ = scanWhole($0, as: origin, depth: 0, budget: DecodeBudget(sourceBytes: data.count)) }
                return
            }
            if sniffed.holdsNUL {
                // Too large to transcode whole and not a container: binary as far as rules go.
                results.summary.filesSkippedBinary += 1
                return
            }
            results.summary.filesScanned += 1
            try scanChunks(descriptor, as: origin, filled: filled)
        } catch {
            results.warn(.unreadable, origin, "read failed: \(error.reason)")
        }
    }

    /// Whether a large text is a structured export worth decoding whole: Logix exports, XML, JSON.
    static func decodesWhole(_ origin: Origin, _ sniffed: UnsafeRawBufferPointer) -> Bool {
        if LogixEscapes.applies(to: String(origin.fileName)) { return true }
        let structure = LogicalPaths.structure(of: sniffed, name: origin.display)
        return structure == .xml || structure == .json
    }

    /// Reads the rest of a file into memory after the `first` bytes in the buffer; nil (with a
    /// warning) when it passes the container limit, whatever its stated size.
    private func readWhole(_ descriptor: Int32, first: Int, origin: Origin) throws(ReadError) -> Data? {
        var data = Data(bytes: buffer.baseAddress!, count: first)
        results.summary.bytesScanned += first
        while true {
            let got = Foundation.read(descriptor, buffer.baseAddress!, buffer.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            data.append(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: got)
            results.summary.bytesScanned += got
            if data.count > Self.maxContainerBytes {
                results.warn(.limitExceeded, origin, "larger than \(Self.maxContainerBytes / 1_048_576) MB; not opened")
                return nil
            }
        }
        return data
    }

    /// Scans plain text too large for one buffer, chunk by chunk; no decoding.
    private func scanChunks(_ descriptor: Int32, as origin: Origin, filled initial: Int) throws(ReadError) {
        let capacity = buffer.count
        var filled = initial
        results.summary.bytesScanned += filled
        var region = BlobRegion(origin: origin)
        var position = LineCounter()
        let context = min(Self.leadingContext, chunkSize / 2)
        results.sink.beginBlob()
        defer { noteDropped(origin) }
        while true {
            let atEnd = filled < capacity
            region.acceptBefore = atEnd ? .max : chunkSize
            scanner.scan(UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled), region: region, into: &results.sink)
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
            results.summary.bytesScanned += filled - kept
        }
    }

    func noteDropped(_ origin: Origin) {
        let dropped = results.sink.droppedInBlob
        guard dropped > 0 else { return }
        results.warn(.limitExceeded, origin,
                     "more than \(results.sink.maxDistinctPerBlob) distinct findings; \(dropped) more were counted but not kept")
    }

    // MARK: The decoder chain

    /// Scans a blob held whole: containers give members (scanned the same way), an encoding
    /// gives the text a person sees, transforms give the text rules read, derivers and base64
    /// values give texts scanned beside it; every finding is then located in the blob's own
    /// bytes. False when the blob is binary that no decoder reads.
    func scanWhole(_ bytes: UnsafeRawBufferPointer, as origin: Origin, depth: Int, budget: DecodeBudget) -> Bool {
        let view = BlobView(origin: origin, bytes: bytes)
        if let container = decoders.containers.first(where: { $0.claims(view) }) {
            guard depth < budget.maxDepth else {
                results.warn(.limitExceeded, origin, "nested deeper than \(budget.maxDepth) levels; not opened")
                return true
            }
            let problems = container.decode(view, budget: budget) { decoded in
                switch decoded {
                case let .member(memberOrigin, memberBytes):
                    if budget.isPastDeadline { return }
                    // Archives nested in archives are opened by their reader: a member's origin
                    // says how deep it is.
                    _ = scanWhole(memberBytes, as: memberOrigin, depth: max(depth + 1, memberOrigin.depth), budget: budget)
                case let .derived(text):
                    scanDerivedBlob(text, parent: origin)
                case .transformed:
                    break
                }
            }
            for problem in problems { results.warn(problem.kind, origin, problem.message) }
            if budget.isPastDeadline {
                results.warn(.limitExceeded, origin, "decoding took longer than its time budget; the rest was not read")
            }
            return true
        }
        var frame = TextFrame(origin: origin, raw: bytes)
        if UnsafeRawBufferPointer(rebasing: bytes.prefix(BlobView.sniffLength)).holdsNUL {
            guard let encoding = decoders.encodings.first(where: { $0.claims(view) }) else {
                results.summary.filesSkippedBinary += 1
                return false
            }
            _ = encoding.decode(view, budget: budget) { if case let .transformed(text) = $0 { frame.setDisplay(text) } }
            guard frame.hasDisplay else {
                results.summary.filesSkippedBinary += 1
                return false
            }
        }
        frame.withDisplay { display in
            if collectsNodeRed { nodeRed.consider(origin, bytes: display) }
        }
        for transform in decoders.transforms {
            let claimed = frame.withText { transform.claims(BlobView(origin: origin, bytes: $0)) }
            guard claimed else { continue }
            var decoded: DecodedText?
            _ = frame.withText { text in
                transform.decode(BlobView(origin: origin, bytes: text), budget: budget) {
                    if case let .transformed(next) = $0 { decoded = next }
                }
            }
            if let decoded { frame.push(decoded) }
        }
        results.sink.beginBlob()
        frame.withText { text in
            scanner.scan(text, region: BlobRegion(origin: origin), into: &results.sink)
            let engineFound = results.sink.currentBlob
            for deriver in decoders.derivers where deriver.claims(BlobView(origin: origin, bytes: text)) {
                _ = deriver.decode(BlobView(origin: origin, bytes: text), budget: budget) { decoded in
                    if case let .derived(derived) = decoded { appendDerived(derived, into: origin, depth: 1) }
                }
            }
            decodeValues(in: text, origin: origin, from: engineFound.lowerBound, depth: 0)
            nameLogicalPaths(in: text, origin: origin)
        }
        frame.locate(&results.sink.findings, range: results.sink.currentBlob)
        addNamedValues(of: frame)
        noteDropped(origin)
        return true
    }

    /// Scans a derived text that is a blob of its own (a database row whose cells are each
    /// their own origin), outside any frame.
    private func scanDerivedBlob(_ text: DerivedText, parent: Origin) {
        results.sink.beginBlob()
        appendDerived(text, into: parent, depth: 1)
        noteDropped(parent)
    }

    /// Scans a derived text and adds its findings to the current blob, each moved to where it
    /// came from: into the parent text's offsets (the frame locates them later), or, for a
    /// segment with an origin of its own, located within that segment. Findings whose secret
    /// starts in context are dropped.
    private func appendDerived(_ text: DerivedText, into parent: Origin, depth: Int) {
        var local = FindingSink()
        text.bytes.withUnsafeBytes { raw in
            scanner.scan(raw, region: BlobRegion(origin: parent), into: &local)
            if depth < Self.maxDecodingDepth {
                decodeValues(in: raw, origin: parent, sink: &local, from: 0, depth: depth)
            }
            for var finding in local.findings {
                guard let segment = text.segment(at: finding.byteStart) else { continue }
                if let own = segment.origin {
                    // Located within the segment's own bytes, which are its origin's whole text.
                    let segmentBytes = UnsafeRawBufferPointer(rebasing: raw[segment.range])
                    let start = finding.byteStart - segment.range.lowerBound
                    let end = min(finding.byteEnd, segment.range.upperBound) - segment.range.lowerBound
                    finding.origin = own
                    finding.location.span = TextFrame.span(of: start..<end, in: segmentBytes)
                } else {
                    guard let source = text.map.sourceRange(of: finding.byteStart..<finding.byteEnd) else { continue }
                    finding.byteStart = source.lowerBound
                    finding.byteEnd = source.upperBound
                }
                if let logicalPath = segment.logicalPath {
                    // A path found inside the segment (a decoding within it) nests under the segment's.
                    finding.logicalPath = finding.logicalPath.map { logicalPath + "/" + $0 } ?? logicalPath
                }
                results.sink.append(finding)
            }
        }
    }

    /// Decodes the base64 runs of a text, and the base64 secrets rules reported in it, and
    /// scans what decodes to text. Generic and `encoded` findings on a run that decodes give
    /// way to what the decoded value says; a specific finding on it stays, and decoded
    /// findings over it are dropped.
    private func decodeValues(in bytes: UnsafeRawBufferPointer, origin: Origin, from first: Int, depth: Int) {
        decodeValues(in: bytes, origin: origin, sink: &results.sink, from: first, depth: depth)
    }

    private func decodeValues(in bytes: UnsafeRawBufferPointer, origin: Origin, sink: inout FindingSink,
                              from first: Int, depth: Int) {
        var runs = Base64Values.runs(in: bytes)
        let found = first..<sink.findings.count
        for index in found where sink.findings[index].origin == origin && sink.findings[index].byteEnd <= bytes.count
            && yieldingToDecodedValues.contains(sink.findings[index].ruleID) {
            let range = sink.findings[index].byteStart..<sink.findings[index].byteEnd
            if Base64Values.isCandidate(UnsafeRawBufferPointer(rebasing: bytes[range])),
               !runs.contains(where: { $0.overlaps(range) }) {
                runs.append(range)
            }
        }
        guard !runs.isEmpty else { return }
        let (text, decoded) = Base64Values.derive(bytes, runs: runs)
        guard !decoded.isEmpty else { return }
        func run(holding finding: Finding) -> Range<Int>? {
            decoded.first { $0.lowerBound <= finding.byteStart && finding.byteEnd <= $0.upperBound }
        }
        var specific: [Int] = []
        let yielding = yieldingToDecodedValues
        sink.removeFromCurrentBlob { finding in
            guard finding.origin == origin, let run = run(holding: finding) else { return false }
            if yielding.contains(finding.ruleID) { return true }
            specific.append(run.lowerBound)
            return false
        }
        var local = FindingSink()
        text.bytes.withUnsafeBytes { raw in
            scanner.scan(raw, region: BlobRegion(origin: origin), into: &local)
            if depth + 1 < Self.maxDecodingDepth {
                decodeValues(in: raw, origin: origin, sink: &local, from: 0, depth: depth + 1)
            }
        }
        for var finding in local.findings {
            guard let segment = text.segment(at: finding.byteStart),
                  let source = text.map.sourceRange(of: finding.byteStart..<finding.byteEnd),
                  !specific.contains(source.lowerBound),
                  !encodedRules.contains(finding.ruleID) || !decoded.contains(where: { $0.overlaps(source) }) else { continue }
            finding.byteStart = source.lowerBound
            finding.byteEnd = source.upperBound
            if let logicalPath = segment.logicalPath {
                finding.logicalPath = finding.logicalPath.map { logicalPath + "/" + $0 } ?? logicalPath
            }
            sink.append(finding)
        }
    }

    /// Fills in the logical path of the current blob's findings from the text's structure
    /// (XML elements, JSON members, PLC blocks); a path a decoding gave (`base64`) is nested in it.
    private func nameLogicalPaths(in bytes: UnsafeRawBufferPointer, origin: Origin) {
        let indices = results.sink.currentBlob.filter {
            let finding = results.sink.findings[$0]
            return finding.origin == origin && finding.byteStart < bytes.count
                && (finding.logicalPath == nil || finding.logicalPath!.hasPrefix(Base64Values.logicalPathName))
        }
        guard !indices.isEmpty, let structure = LogicalPaths.structure(of: bytes, name: origin.display) else { return }
        let paths = LogicalPaths.paths(for: indices.map { results.sink.findings[$0].byteStart }, in: bytes, structure: structure)
        for index in indices {
            guard let outer = paths[results.sink.findings[index].byteStart] else { continue }
            results.sink.findings[index].logicalPath = results.sink.findings[index].logicalPath.map { outer + "/" + $0 } ?? outer
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
