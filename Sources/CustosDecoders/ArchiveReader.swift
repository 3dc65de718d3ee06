// Archives through libarchive: zip (ZIP64, vendor extra fields, and truncated zips without an
// end record, read from their local headers), tar, gzip, bzip2, xz, zstd and 7z, behind one
// streaming interface. libarchive is fuzzed continuously upstream; what it cannot protect
// against (bombs, endless work, hostile nesting) is the DecodeBudget's job, charged here in the
// read callback and as every member's bytes come out. This file owns reading members; what a
// member's bytes mean (text, database, export) is the caller's. The trade-off: members are
// handed out as streams, never as whole buffers, so a 1 GB archive is never held in memory;
// a caller that must see a member whole reads it into memory itself, up to a limit.

import CArchive
import CustosCore
import Glibc

/// Where an archive's bytes are.
public enum ArchiveSource {
    /// In memory (a member read whole, a blob from git).
    case bytes(UnsafeRawBufferPointer)
    /// An open regular file, read with `pread` from offset 0 (the descriptor's own offset is
    /// left alone); it is not closed.
    case fileDescriptor(Int32)
}

/// One member of an archive: its name and where it sits.
public struct ArchiveMemberHeader: Sendable {
    /// The member's name inside its own archive as shown to people (`EscapedName`).
    public var name: String
    /// The exact bytes of that name, as the archive stores it.
    public var nameBytes: [UInt8]
    /// The names from the outermost archive's member down to this one:
    /// `["projects/inner.zip", "cfg/app.env"]`.
    public var chain: [String]
    /// The chain as people read it: `projects/inner.zip!/cfg/app.env`.
    public var path: String { chain.joined(separator: "!/") }
    /// The size its header declares, when it declares one (headers can lie: readers stop at
    /// what really comes out).
    public var declaredSize: Int64?
    /// 1 for a member of the outermost archive, 2 for one of an archive inside it, …
    public var depth: Int { chain.count }
}

/// Reads archives member by member, recursively, under a `DecodeBudget`.
public enum ArchiveReader {
    /// Archives nested inside a member up to this size are read into memory and opened with
    /// random access (zip's central directory, 7z's header at the end); larger ones stream
    /// from their parent member.
    static let nestedInMemoryBytes = 16 << 20

    /// Whether a file or member starting with `prefix` (at least `ArchiveKind.sniffLength`
    /// bytes where it has them) is an archive this reader opens.
    public static func recognizes(_ prefix: UnsafeRawBufferPointer, name: String) -> Bool {
        ArchiveKind.sniff(prefix, name: name) != nil
    }

    /// Calls `body` for every member that is not itself an archive, in archive order; nested
    /// archives are opened in place, under the same budget. A member's bytes are read through
    /// the `MemberReader`, valid only during the call. `name` is the archive's own name (it
    /// names the one file of a compressed stream); `depth` is its own nesting (1 for a file,
    /// more for an archive found inside a container). Returns the issues met: damaged,
    /// encrypted or over-limit members are skipped and the rest of the archive is still read
    /// where the format allows; an issue `body` throws is recorded for its member.
    public static func forEachMember(of source: ArchiveSource, name: String = "", depth: Int = 1, budget: DecodeBudget,
                                     _ body: (ArchiveMemberHeader, MemberReader) throws -> Void) -> [DecodeIssue] {
        let walk = ArchiveWalk(budget: budget, baseDepth: max(0, depth - 1))
        let input: ArchiveInput
        switch source {
        case let .bytes(bytes):
            input = ArchiveInput(memory: bytes, walk: walk)
        case let .fileDescriptor(descriptor):
            var info = stat()
            guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                return [DecodeIssue(.unreadable("not a regular file"), scope: .restOfFile)]
            }
            input = ArchiveInput(file: descriptor, size: Int64(info.st_size), walk: walk)
        }
        let kind = input.sniff(name: name)
        let outcome = walk.walkArchive(input, kind: kind, depth: 1, chain: [], containerName: name, body)
        if case let .notAnArchive(reason) = outcome {
            walk.record(DecodeIssue(.unreadable("not a readable archive: \(reason)"), scope: .restOfFile))
        }
        return walk.report
    }
}

/// A member's bytes, read in chunks. Every byte that comes out is charged to the budget and
/// checked against the ratio limit; the file's deadline is checked on every read. Valid only
/// during the `forEachMember` call that handed it out.
public final class MemberReader {
    public let header: ArchiveMemberHeader
    /// Bytes that came out of this member so far.
    public private(set) var produced: Int64 = 0

    private unowned let walk: ArchiveWalk
    private unowned let input: ArchiveInput
    fileprivate var archive: OpaquePointer?
    /// Bytes read ahead (to recognise nested archives) and handed out again first.
    private var replay: [UInt8] = []
    private var replayOffset = 0
    private var ended = false
    /// Why reading stopped, once it did; every later read throws it again.
    fileprivate private(set) var failure: DecodeIssue?
    /// Whether the failure left the archive itself unreadable (nothing after it can be read).
    fileprivate private(set) var brokeArchive = false
    private let consumedAtStart: Int64
    /// Compressed bytes a member is assumed to have taken in before its first read.
    static let readAheadCredit: Int64 = 16 * 1024

    fileprivate init(header: ArchiveMemberHeader, archive: OpaquePointer, input: ArchiveInput, walk: ArchiveWalk) {
        self.header = header
        self.archive = archive
        self.input = input
        self.walk = walk
        consumedAtStart = input.delivered
    }

    /// Reads the next bytes of the member into `buffer`; 0 at its end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(DecodeIssue) -> Int {
        if let failure { throw failure }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if replayOffset < replay.count {
            let count = min(buffer.count, replay.count - replayOffset)
            replay.withUnsafeBytes { base.copyMemory(from: $0.baseAddress! + replayOffset, byteCount: count) }
            replayOffset += count
            return count
        }
        if ended { return 0 }
        guard let archive else { throw fail(DecodeIssue(.unreadable("read after its archive moved on"), scope: .restOfMember, location: header.path)) }
        if walk.stopped { throw fail(walk.problems.last ?? DecodeIssue(.unreadable("stopped"), scope: .restOfFile)) }
        do { try walk.budget.checkDeadline() } catch { throw fail(error) }
        var got = archive_read_data(archive, base, buffer.count)
        var retries = 0
        while got == Int(ARCHIVE_RETRY) && retries < 8 {
            got = archive_read_data(archive, base, buffer.count)
            retries += 1
        }
        if got < 0 {
            brokeArchive = got == Int(ARCHIVE_FATAL)
            let reason = input.failure ?? DecodeIssue(.unreadable(ArchiveWalk.errorString(archive)),
                                                        scope: produced > 0 ? .restOfMember : .member, location: header.path)
            throw fail(reason)
        }
        if got == 0 {
            ended = true
            return 0
        }
        produced += Int64(got)
        do { try walk.budget.chargeExpanded(got) } catch { throw fail(error) }
        if breaksRatio(archive) {
            throw fail(DecodeIssue(.limitExceeded(.ratio(walk.budget.limits.maxRatio)), scope: .restOfMember, location: header.path))
        }
        return got
    }

    /// Whether the member, or the compressed stream holding it, expands past the ratio limit.
    /// A compressed stream (`.gz`, `.tar.xz`) is judged as a whole: what its filter gave out
    /// against every byte read in. A member compressed on its own (zip) is judged against
    /// the bytes read in since it started, with 16 KB of credit: libarchive may have taken
    /// its compressed bytes in with the block that held its header, and a genuine 40:1 JSON
    /// member is no bomb.
    private func breaksRatio(_ archive: OpaquePointer) -> Bool {
        if archive_filter_count(archive) > 1 {
            return walk.budget.breaksRatio(produced: archive_filter_bytes(archive, 0), consumed: input.delivered)
        }
        return walk.budget.breaksRatio(produced: produced,
                                       consumed: max(input.delivered - consumedAtStart, Self.readAheadCredit))
    }

    /// Fills `buffer` from `offset` on as far as the member goes; the count filled, less than
    /// `buffer.count` only at the member's end.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer, from offset: Int = 0) throws(DecodeIssue) -> Int {
        var filled = max(0, min(offset, buffer.count))
        while filled < buffer.count {
            let got = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    /// The rest of the member in memory; throws the member-size limit when it is larger than
    /// `limit` bytes (what was read stays charged).
    public func readRest(limit: Int) throws(DecodeIssue) -> [UInt8] {
        let (bytes, complete) = try readUpTo(limit + 1)
        guard complete, bytes.count <= limit else {
            throw DecodeIssue(.limitExceeded(.memberBytes(limit)), scope: .member, location: header.path)
        }
        return bytes
    }

    /// Up to `limit` bytes of the rest, and whether that is the whole rest.
    fileprivate func readUpTo(_ limit: Int) throws(DecodeIssue) -> (bytes: [UInt8], complete: Bool) {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        while bytes.count < limit {
            let want = min(chunk.count, limit - bytes.count)
            let got = try read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<want]))
            if got == 0 { return (bytes, true) }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<got]))
        }
        return (bytes, false)
    }

    /// Reads ahead the first bytes (kept to be read again) and says which archive they start.
    fileprivate func sniff() throws(DecodeIssue) -> ArchiveKind? {
        let (bytes, _) = try readUpTo(ArchiveKind.sniffLength)
        replay = bytes
        replayOffset = 0
        return bytes.withUnsafeBytes { ArchiveKind.sniff($0, name: header.name) }
    }

    /// After the member: nothing more can be read through this reader.
    fileprivate func close() {
        archive = nil
    }

    private func fail(_ problem: DecodeIssue) -> DecodeIssue {
        failure = failure ?? problem
        return failure!
    }
}

/// One call of `forEachMember`: the budget every level charges and the problems met.
final class ArchiveWalk {
    let budget: DecodeBudget
    /// Containers above the outermost archive (its depth minus one), counted against the depth limit.
    let baseDepth: Int
    private(set) var problems: [DecodeIssue] = []
    /// A file-wide limit was reached (or the deadline passed): nothing more is read.
    private(set) var stopped = false

    init(budget: DecodeBudget, baseDepth: Int) {
        self.budget = budget
        self.baseDepth = baseDepth
    }

    /// Problems listed one by one at most; beyond, they are counted (a file of 20,000 damaged
    /// members is one warning line per member up to here, then one line for the rest).
    static let maxListedProblems = 100
    private(set) var unlistedProblems = 0

    /// Records a problem once (a failure met at several levels of nesting is one problem).
    func record(_ problem: DecodeIssue) {
        if problem.scope == .restOfFile { stopped = true }
        if problems.contains(problem) { return }
        if problems.count >= Self.maxListedProblems && problem.scope != .restOfFile {
            unlistedProblems += 1
            return
        }
        problems.append(problem)
    }

    /// The problems, with the count of those not listed.
    var report: [DecodeIssue] {
        guard unlistedProblems > 0 else { return problems }
        return problems + [DecodeIssue(.unlisted(unlistedProblems), scope: .member)]
    }

    enum Outcome {
        /// Read to its end, or as far as the format allowed (problems recorded).
        case finished
        /// libarchive found no archive in the bytes.
        case notAnArchive(String)
        /// The archive became unreadable (problem not yet recorded); `lastHeader` is the
        /// offset of the last header read, where a zip can be searched for the next one.
        case broken(String, lastHeader: Int64?, afterFailedMember: Bool)
    }

    /// A zip whose local headers are read one after the other is searched again for the next
    /// local header after a member that broke the stream, at most this many times.
    static let maxResyncs = 1_000

    /// Reads one archive. A zip is first read through its central directory (random access)
    /// where the input allows it; when that fails (a damaged or missing end record, a
    /// directory pointing past the end) it is read again from its local headers, skipping
    /// the members already handed out.
    func walkArchive(_ input: ArchiveInput, kind: ArchiveKind?, depth: Int, chain: [String], containerName: String,
                     _ body: (ArchiveMemberHeader, MemberReader) throws -> Void) -> Outcome {
        var delivered: [String: Int] = [:]
        var skipping: [String: Int] = [:]
        let seekable = input.isSeekable
        let location = chain.isEmpty ? nil : chain.joined(separator: "!/")
        input.location = location
        var outcome = readArchive(input, seekableZip: seekable, from: 0, depth: depth, chain: chain, containerName: containerName,
                                  skipping: &skipping, delivered: &delivered, body)
        if seekable && kind == .zip && !stopped {
            switch outcome {
            case .finished: break
            case .notAnArchive, .broken:
                skipping = delivered
                outcome = readArchive(input, seekableZip: false, from: 0, depth: depth, chain: chain, containerName: containerName,
                                      skipping: &skipping, delivered: &delivered, body)
            }
        }
        // Read from its local headers, a zip can go on after a member that broke the stream:
        // at the next local header signature (each such break is charged as a failing member).
        var resyncs = 0
        var searchFrom: Int64 = 0
        while case let .broken(reason, lastHeader, afterFailedMember) = outcome, kind == .zip, seekable, !stopped,
              resyncs < Self.maxResyncs {
            searchFrom = max(searchFrom, (lastHeader ?? searchFrom) + 4)
            guard let next = input.find(zipLocalHeaderSignature, from: searchFrom) else { break }
            if !afterFailedMember {
                // A damaged header, not yet reported or charged (a failed member already was).
                record(DecodeIssue(.unreadable(reason), scope: .member, location: location))
                do {
                    try budget.chargeMember()
                    try budget.chargeFailure(produced: 0)
                } catch {
                    record(error)
                    break
                }
            }
            resyncs += 1
            searchFrom = next
            outcome = readArchive(input, seekableZip: false, from: next, depth: depth, chain: chain, containerName: containerName,
                                  skipping: &skipping, delivered: &delivered, body)
            if case let .notAnArchive(reason) = outcome { outcome = .broken(reason, lastHeader: next, afterFailedMember: false) }
        }
        if case let .broken(reason, _, _) = outcome {
            record(DecodeIssue(.unreadable(reason), scope: .restOfArchive, location: location))
            return .finished
        }
        return outcome
    }

    private func locationOf(_ chain: [String]) -> String? {
        chain.isEmpty ? nil : chain.joined(separator: "!/")
    }

    private func readArchive(_ input: ArchiveInput, seekableZip: Bool, from start: Int64, depth: Int, chain: [String],
                             containerName: String, skipping: inout [String: Int], delivered: inout [String: Int],
                             _ body: (ArchiveMemberHeader, MemberReader) throws -> Void) -> Outcome {
        guard let archive = archive_read_new() else { return .notAnArchive("out of memory") }
        defer {
            input.archive = nil
            archive_read_free(archive)
        }
        Self.configure(archive, seekableZip: seekableZip)
        input.rewind(to: start)
        input.archive = archive
        let client = Unmanaged.passUnretained(input).toOpaque()
        if input.isSeekable { archive_read_set_seek_callback(archive, archiveSeek) }
        guard archive_read_open2(archive, client, nil, archiveRead, archiveSkip, nil) == ARCHIVE_OK else {
            if let failure = input.failure { record(failure); return .finished }
            return .notAnArchive(Self.errorString(archive))
        }
        var sawMember = false
        var lastHeader: Int64?
        var failuresInARow = 0
        while !stopped {
            do { try budget.checkDeadline() } catch {
                record(error)
                break
            }
            var entry: OpaquePointer?
            var status = archive_read_next_header(archive, &entry)
            var retries = 0
            while status == ARCHIVE_RETRY && retries < 8 {
                status = archive_read_next_header(archive, &entry)
                retries += 1
            }
            if status == ARCHIVE_EOF { break }
            if let failure = input.failure {
                record(failure)
                break
            }
            if status == ARCHIVE_FATAL || status == ARCHIVE_RETRY {
                return sawMember ? .broken(Self.errorString(archive), lastHeader: lastHeader, afterFailedMember: false) : .notAnArchive(Self.errorString(archive))
            }
            if !sawMember && Self.isUncompressedRaw(archive) {
                return .notAnArchive("no archive format recognised")
            }
            sawMember = true
            guard status != ARCHIVE_FAILED, let entry else {
                // One unusable header: charged like a failing member, and the next is tried.
                failuresInARow += 1
                record(DecodeIssue(.unreadable(Self.errorString(archive)), scope: .member,
                                     location: locationOf(chain)))
                do {
                    try budget.chargeMember()
                    try budget.chargeFailure(produced: 0)
                } catch { record(error) }
                if failuresInARow > 64 {
                    return .broken("too many damaged headers in a row", lastHeader: lastHeader, afterFailedMember: true)
                }
                continue
            }
            lastHeader = start + archive_read_header_position(archive)
            guard archive_entry_filetype(entry) == 0o100000, archive_entry_hardlink(entry) == nil else { continue }
            let nameBytes = Self.nameBytes(entry)
            let raw = Self.isRaw(archive)
            let name = raw ? ArchiveKind.streamMemberName(container: containerName) : EscapedName.display(nameBytes)
            let memberChain = chain + [name]
            let path = memberChain.joined(separator: "!/")
            if let count = skipping[path], count > 0 {
                skipping[path] = count - 1
                continue
            }
            delivered[path, default: 0] += 1
            do { try budget.chargeMember() } catch {
                record(error)
                break
            }
            if archive_entry_is_data_encrypted(entry) != 0 || archive_entry_is_metadata_encrypted(entry) != 0 {
                record(DecodeIssue(.encrypted, scope: .member, location: path))
                continue
            }
            let header = ArchiveMemberHeader(name: name, nameBytes: raw ? Array(name.utf8) : nameBytes, chain: memberChain,
                                             declaredSize: archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil)
            let reader = MemberReader(header: header, archive: archive, input: input, walk: self)
            handle(reader, depth: depth, body)
            reader.close()
            if let failure = reader.failure {
                failuresInARow += 1
                record(failure)
                do { try budget.chargeFailure(produced: reader.produced) } catch { record(error) }
                if reader.brokeArchive {
                    return .broken(Self.errorString(archive), lastHeader: lastHeader, afterFailedMember: true)
                }
            } else {
                failuresInARow = 0
            }
        }
        return .finished
    }

    /// One member: a nested archive is opened in place; anything else goes to `body`.
    private func handle(_ reader: MemberReader, depth: Int, _ body: (ArchiveMemberHeader, MemberReader) throws -> Void) {
        let header = reader.header
        do {
            if let kind = try reader.sniff() {
                guard depth + baseDepth < budget.limits.maxDepth else {
                    record(DecodeIssue(.limitExceeded(.depth(budget.limits.maxDepth)), scope: .member, location: header.path))
                    return
                }
                try openNested(reader, kind: kind, depth: depth + 1, body)
            } else {
                try body(header, reader)
            }
        } catch let problem as DecodeIssue {
            // The reader's own failure is recorded by the caller, with its charge.
            if reader.failure != problem { record(problem) }
        } catch {
            record(DecodeIssue(.unreadable("\(error)"), scope: .member, location: header.path))
        }
    }

    private func openNested(_ reader: MemberReader, kind: ArchiveKind, depth: Int,
                            _ body: (ArchiveMemberHeader, MemberReader) throws -> Void) throws(DecodeIssue) {
        let header = reader.header
        // What was read ahead to recognise the archive comes out of the reader first.
        let (bytes, complete) = try reader.readUpTo(ArchiveReader.nestedInMemoryBytes)
        let nested = complete ? ArchiveInput(owning: bytes, walk: self) : ArchiveInput(member: reader, pending: bytes, walk: self)
        let outcome = walkArchive(nested, kind: kind, depth: depth, chain: header.chain, containerName: header.name, body)
        if case let .notAnArchive(reason) = outcome, reader.failure == nil {
            record(DecodeIssue(.unreadable("not a readable archive: \(reason)"), scope: .member, location: header.path))
        }
    }

    /// Formats and filters custos reads. Filters that would run an external program
    /// (lrzip, lzop, grzip, lz4 without the library) are never enabled.
    private static func configure(_ archive: OpaquePointer, seekableZip: Bool) {
        archive_read_support_filter_gzip(archive)
        archive_read_support_filter_bzip2(archive)
        archive_read_support_filter_xz(archive)
        archive_read_support_filter_lzma(archive)
        archive_read_support_filter_zstd(archive)
        archive_read_support_filter_compress(archive)
        if seekableZip {
            archive_read_support_format_zip_seekable(archive)
        } else {
            archive_read_support_format_zip_streamable(archive)
        }
        archive_read_support_format_tar(archive)
        archive_read_support_format_7zip(archive)
        archive_read_support_format_raw(archive)
    }

    private static func isRaw(_ archive: OpaquePointer) -> Bool {
        archive_format(archive) & ARCHIVE_FORMAT_BASE_MASK == ARCHIVE_FORMAT_RAW
    }

    /// The raw format accepts any bytes: without a decompression filter in front of it, it
    /// means libarchive recognised nothing.
    private static func isUncompressedRaw(_ archive: OpaquePointer) -> Bool {
        isRaw(archive) && archive_filter_count(archive) <= 1
    }

    /// The member's name as the archive stores it: UTF-8 where the archive says so, else the
    /// raw bytes.
    private static func nameBytes(_ entry: OpaquePointer) -> [UInt8] {
        if let utf8 = archive_entry_pathname_utf8(entry) {
            return Array(UnsafeRawBufferPointer(start: utf8, count: strlen(utf8)))
        }
        if let raw = archive_entry_pathname(entry) {
            return Array(UnsafeRawBufferPointer(start: raw, count: strlen(raw)))
        }
        return Array("?".utf8)
    }

    static func errorString(_ archive: OpaquePointer) -> String {
        guard let message = archive_error_string(archive) else { return "damaged archive" }
        return EscapedName.display(Array(UnsafeRawBufferPointer(start: message, count: min(strlen(message), 300))))
    }
}

/// What libarchive reads from: memory, a file, or a member of an outer archive. The read
/// callback is where every byte enters, so the deadline and the ratio of each compressed
/// stream are checked there too: a decompressor working inside libarchive (skipping a member,
/// searching for a header) stops at its next read.
final class ArchiveInput {
    private enum Origin {
        case memory(UnsafeRawBufferPointer)
        case file(descriptor: Int32, size: Int64)
        case member(MemberReader)
    }

    private let origin: Origin
    private unowned let walk: ArchiveWalk
    /// Bytes copied into this input that it owns (a nested archive read whole, or read ahead).
    private var owned: UnsafeMutableRawBufferPointer?
    private var ownedHandedOut = false
    /// The buffer a file or member is read into, 128 KiB, valid until the next read.
    private var scratch: UnsafeMutableRawBufferPointer?
    private var position: Int64 = 0
    /// Bytes handed to libarchive so far (what members' ratios are judged against).
    private(set) var delivered: Int64 = 0
    /// Why this input stopped giving bytes, when it was custos that stopped it.
    private(set) var failure: DecodeIssue?
    /// The archive reading this input, for its filter counters.
    var archive: OpaquePointer?
    /// The member chain of the archive this input holds, for its problems (nil: the file).
    var location: String?

    static let blockSize = 128 * 1024

    init(memory: UnsafeRawBufferPointer, walk: ArchiveWalk) {
        origin = .memory(memory)
        self.walk = walk
    }

    init(file descriptor: Int32, size: Int64, walk: ArchiveWalk) {
        origin = .file(descriptor: descriptor, size: size)
        self.walk = walk
    }

    /// Bytes of a nested archive read whole: this input keeps its own copy.
    init(owning bytes: [UInt8], walk: ArchiveWalk) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        owned = copy
        origin = .memory(UnsafeRawBufferPointer(rebasing: copy[..<bytes.count]))
        self.walk = walk
    }

    /// A nested archive streamed from its parent member, after the `pending` bytes already read.
    init(member: MemberReader, pending: [UInt8], walk: ArchiveWalk) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(pending.count, 1), alignment: 16)
        pending.withUnsafeBytes { copy.copyMemory(from: $0) }
        owned = UnsafeMutableRawBufferPointer(rebasing: copy[..<pending.count])
        ownedBase = copy
        origin = .member(member)
        self.walk = walk
    }

    private var ownedBase: UnsafeMutableRawBufferPointer?

    deinit {
        (ownedBase ?? owned)?.deallocate()
        scratch?.deallocate()
    }

    var isSeekable: Bool {
        if case .member = origin { return false }
        return true
    }

    var size: Int64 {
        switch origin {
        case let .memory(bytes): Int64(bytes.count)
        case let .file(_, size): size
        case .member: -1
        }
    }

    /// Where libarchive's offset 0 is in the input (a zip read again from a later header).
    private var base: Int64 = 0

    /// Back to `offset`, for another reading (seekable inputs only).
    func rewind(to offset: Int64 = 0) {
        base = isSeekable ? max(0, min(offset, size)) : 0
        position = base
        delivered = 0
    }

    /// The offset of the first `signature` at or after `offset` (seekable inputs only).
    func find(_ signature: [UInt8], from offset: Int64) -> Int64? {
        guard offset >= 0, offset < size else { return nil }
        switch origin {
        case let .memory(bytes):
            let start = Int(offset)
            return Self.firstIndex(of: signature, in: UnsafeRawBufferPointer(rebasing: bytes[start...])).map { Int64(start + $0) }
        case let .file(descriptor, size):
            let buffer = scratchBuffer()
            var at = offset
            while at < size {
                if walk.budget.isPastDeadline { return nil }
                let got = pread(descriptor, buffer.baseAddress, buffer.count, off_t(at))
                guard got >= signature.count else { return nil }
                if let found = Self.firstIndex(of: signature, in: UnsafeRawBufferPointer(rebasing: buffer[..<got])) {
                    return at + Int64(found)
                }
                at += Int64(got - (signature.count - 1))
            }
            return nil
        case .member:
            return nil
        }
    }

    /// Which archive the first bytes start, without moving.
    func sniff(name: String) -> ArchiveKind? {
        switch origin {
        case let .memory(bytes):
            return ArchiveKind.sniff(UnsafeRawBufferPointer(rebasing: bytes.prefix(ArchiveKind.sniffLength)), name: name)
        case let .file(descriptor, _):
            var prefix = [UInt8](repeating: 0, count: ArchiveKind.sniffLength)
            let got = prefix.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            return prefix.withUnsafeBytes { ArchiveKind.sniff(UnsafeRawBufferPointer(rebasing: $0.prefix(max(0, got))), name: name) }
        case .member:
            return nil
        }
    }

    /// libarchive's read callback: the next block, its length (0 at the end), or -1.
    func read(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        if failure != nil || walk.stopped { return -1 }
        if walk.budget.isPastDeadline {
            failure = DecodeIssue(.limitExceeded(.time(walk.budget.limits.timeLimit)), scope: .restOfFile)
            return -1
        }
        if let archive, archive_filter_count(archive) > 1,
           walk.budget.breaksRatio(produced: archive_filter_bytes(archive, 0), consumed: delivered) {
            failure = DecodeIssue(.limitExceeded(.ratio(walk.budget.limits.maxRatio)), scope: .restOfArchive, location: location)
            return -1
        }
        let got: Int
        switch origin {
        case let .memory(bytes):
            let start = Int(clamping: position)
            got = max(0, min(Self.blockSize, bytes.count - start))
            out.pointee = got > 0 ? UnsafeRawPointer(bytes.baseAddress! + start) : nil
        case let .file(descriptor, _):
            let buffer = scratchBuffer()
            var count: Int
            repeat { count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(position)) } while count < 0 && errno == EINTR
            guard count >= 0 else {
                failure = DecodeIssue(.readFailed(String(cString: strerror(errno))), scope: .restOfFile, location: location)
                return -1
            }
            got = count
            out.pointee = UnsafeRawPointer(buffer.baseAddress)
        case let .member(parent):
            if let owned, !ownedHandedOut, owned.count > 0 {
                ownedHandedOut = true
                out.pointee = UnsafeRawPointer(owned.baseAddress)
                got = owned.count
            } else {
                let buffer = scratchBuffer()
                do {
                    got = try parent.read(into: buffer)
                } catch {
                    failure = error
                    return -1
                }
                out.pointee = UnsafeRawPointer(buffer.baseAddress)
            }
        }
        position += Int64(got)
        delivered += Int64(got)
        return got
    }

    /// libarchive's skip callback: moves forward without reading where the input allows.
    func skip(_ request: Int64) -> Int64 {
        guard isSeekable, request > 0 else { return 0 }
        let skipped = min(request, max(0, size - position))
        position += skipped
        return skipped
    }

    /// libarchive's seek callback.
    func seek(_ offset: Int64, whence: Int32) -> Int64 {
        guard isSeekable else { return Int64(ARCHIVE_FATAL) }
        let origin: Int64 = switch whence {
        case SEEK_SET: base
        case SEEK_CUR: position
        case SEEK_END: size
        default: -1
        }
        let target = origin.addingReportingOverflow(offset)
        guard origin >= 0, !target.overflow, target.partialValue >= 0 else { return Int64(ARCHIVE_FATAL) }
        position = min(target.partialValue, size)
        return position - base
    }

    /// Where `signature` first occurs in `bytes` (memchr for its first byte, then a compare).
    private static func firstIndex(of signature: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let first = signature.first, bytes.count >= signature.count else { return nil }
        var index = 0
        let last = bytes.count - signature.count
        while index <= last {
            guard let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if signature.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, $0.count) }) == 0 { return at }
            index = at + 1
        }
        return nil
    }

    private func scratchBuffer() -> UnsafeMutableRawBufferPointer {
        if let scratch { return scratch }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.blockSize, alignment: 64)
        scratch = buffer
        return buffer
    }
}

/// What every zip local header starts with.
private let zipLocalHeaderSignature: [UInt8] = [0x50, 0x4b, 0x03, 0x04]

// The C callbacks: the client data is the ArchiveInput, alive for as long as its archive.
private func archiveRead(_ archive: OpaquePointer?, _ client: UnsafeMutableRawPointer?,
                         _ out: UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int {
    guard let client, let out else { return -1 }
    return Unmanaged<ArchiveInput>.fromOpaque(client).takeUnretainedValue().read(out)
}

private func archiveSkip(_ archive: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ request: Int64) -> Int64 {
    guard let client else { return 0 }
    return Unmanaged<ArchiveInput>.fromOpaque(client).takeUnretainedValue().skip(request)
}

private func archiveSeek(_ archive: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ offset: Int64,
                         _ whence: Int32) -> Int64 {
    guard let client else { return Int64(ARCHIVE_FATAL) }
    return Unmanaged<ArchiveInput>.fromOpaque(client).takeUnretainedValue().seek(offset, whence: whence)
}
