// Reading git's packfiles directly: the index (`.idx`, versions 1 and 2), entry headers, zlib
// streams and deltas. A history scan reads every blob and tree of a repository once; through
// libgit2 each worker resolved delta chains again in its own small cache, which cost twice
// the CPU `git cat-file` needs and kept two workers from going faster than one. Here the packs
// are mapped read-only and shared by every thread; each thread inflates with its own zlib
// stream, and a blob's delta tree can be walked from its base so each object is rebuilt once
// (GitBlobForest). What this leaves to libgit2: loose objects, references, diffs, and anything
// this reader cannot find (it never decides that an object is missing on its own).
// The bytes are input: every offset, size and varint is checked against the mapping before
// use, sizes are capped, and a damaged entry is an error for that object alone.

import CGitZlib
import CustosCore
import Foundation

/// What went wrong reading one object from a pack.
public enum PackReadError: Error, Sendable, CustomStringConvertible {
    /// No pack holds the object (it may be loose, or missing).
    case notInPacks
    /// The entry breaks the format or its data does not inflate (a damaged or truncated pack).
    case damaged(String)
    /// The object is larger than custos reads into memory.
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .notInPacks: "not in any pack"
        case let .damaged(reason): "damaged pack entry: \(reason)"
        case let .tooLarge(size): "\(size) bytes, more than the \(PackStore.maxObjectBytes) bytes custos reads into memory"
        }
    }
}

/// The four kinds of git object.
public enum GitObjectKind: UInt8, Sendable {
    case commit = 1
    case tree = 2
    case blob = 3
    case tag = 4
}

/// A file mapped read-only into memory. Safe to share between threads: the mapping is never
/// written, and it is unmapped only when the last reference goes away.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }

    func uint32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= bytes.count - 4 else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func uint64(at offset: Int) -> UInt64? {
        guard offset >= 0, offset <= bytes.count - 8 else { return nil }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

/// A pack's `.idx`: object ids in sorted order and where each one starts in the pack.
struct PackIndex: Sendable {
    private let file: MappedFile
    let count: Int
    private let version: Int
    private let idsStart: Int
    private let offsetsStart: Int
    private let largeOffsetsStart: Int

    private static let magic: UInt32 = 0xff74_4f63  // "\377tOc"

    init?(file: MappedFile) {
        self.file = file
        if file.uint32(at: 0) == Self.magic {
            guard file.uint32(at: 4) == 2, let total = file.uint32(at: 8 + 255 * 4) else { return nil }
            count = Int(total)
            version = 2
            idsStart = 8 + 256 * 4
            offsetsStart = idsStart + count * 24  // ids, then CRC-32s
            largeOffsetsStart = offsetsStart + count * 4
            guard largeOffsetsStart + 40 <= file.bytes.count else { return nil }
        } else {
            guard let total = file.uint32(at: 255 * 4) else { return nil }
            count = Int(total)
            version = 1
            idsStart = 256 * 4
            offsetsStart = idsStart
            largeOffsetsStart = 0
            guard idsStart + count * 24 + 40 <= file.bytes.count else { return nil }
        }
        // The fan-out table must be monotonic, or the search below could leave the table.
        var previous: UInt32 = 0
        for bucket in 0..<256 {
            guard let value = file.uint32(at: (version == 2 ? 8 : 0) + bucket * 4), value >= previous else { return nil }
            previous = value
        }
    }

    /// Where the id at `position` (in id order) is stored.
    private func idOffset(_ position: Int) -> Int {
        version == 2 ? idsStart + position * 20 : idsStart + position * 24 + 4
    }

    func id(at position: Int) -> ObjectID {
        ObjectID(bytes: UnsafeRawBufferPointer(rebasing: file.bytes[idOffset(position)..<(idOffset(position) + 20)]))
    }

    /// The pack offset of the object at `position`, nil when the index is damaged.
    func offset(at position: Int) -> UInt64? {
        if version == 1 { return file.uint32(at: idsStart + position * 24).map(UInt64.init) }
        guard let small = file.uint32(at: offsetsStart + position * 4) else { return nil }
        guard small & 0x8000_0000 != 0 else { return UInt64(small) }
        return file.uint64(at: largeOffsetsStart + Int(small & 0x7fff_ffff) * 8)
    }

    /// The position of `id` in the index, if the pack holds it.
    func position(of id: ObjectID) -> Int? {
        let first = Int(id.firstByte)
        let fanout = version == 2 ? 8 : 0
        var low = first == 0 ? 0 : Int(file.uint32(at: fanout + (first - 1) * 4) ?? 0)
        var high = Int(file.uint32(at: fanout + first * 4) ?? 0)
        high = min(high, count)
        return withUnsafeBytes(of: id.raw) { wanted in
            while low < high {
                let middle = (low + high) / 2
                let order = memcmp(file.bytes.baseAddress! + idOffset(middle), wanted.baseAddress!, 20)
                if order == 0 { return middle }
                if order < 0 { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }
}

/// How a pack entry's content is made.
enum PackEntryKind: Sendable, Equatable {
    /// The object itself, compressed.
    case whole(GitObjectKind)
    /// A delta against the entry at this offset in the same pack.
    case deltaAtOffset(UInt64)
    /// A delta against the object with this id.
    case deltaOnObject(ObjectID)
}

/// One entry's header: its kind, the size of what its zlib stream inflates to, and where
/// that stream starts.
struct PackEntryHeader: Sendable {
    var kind: PackEntryKind
    var inflatedSize: Int
    var dataOffset: Int
}

/// One `.pack` and its index.
struct PackFile: Sendable {
    let path: String
    let file: MappedFile
    let index: PackIndex
    /// Where entries end: the trailing checksum starts here.
    let end: Int

    init?(packPath: String, indexPath: String) {
        guard let file = MappedFile(path: packPath), let indexFile = MappedFile(path: indexPath),
              let index = PackIndex(file: indexFile) else { return nil }
        // "PACK", version 2 or 3.
        guard file.uint32(at: 0) == 0x5041_434b, let version = file.uint32(at: 4), version == 2 || version == 3 else { return nil }
        self.path = packPath
        self.file = file
        self.index = index
        // A truncated pack has no checksum left; its entries are read as far as they go.
        end = max(12, file.bytes.count - 20)
    }

    /// Parses the entry header at `offset`.
    func header(at offset: UInt64) -> PackEntryHeader? {
        guard offset >= 12, offset < UInt64(end) else { return nil }
        var position = Int(offset)
        let bytes = file.bytes
        var byte = bytes[position]
        position += 1
        let type = (byte >> 4) & 7
        var size = UInt64(byte & 15)
        var shift: UInt64 = 4
        while byte & 0x80 != 0 {
            guard position < end, shift < 57 else { return nil }
            byte = bytes[position]
            position += 1
            size |= UInt64(byte & 0x7f) << shift
            shift += 7
        }
        // Larger than custos reads: the size is kept just past the limit, so reading it says so.
        let inflatedSize = Int(min(size, UInt64(PackStore.maxObjectBytes) + 1))
        let kind: PackEntryKind
        switch type {
        case 1...4:
            kind = .whole(GitObjectKind(rawValue: type)!)
        case 6:
            guard position < end else { return nil }
            byte = bytes[position]
            position += 1
            var distance = UInt64(byte & 0x7f)
            while byte & 0x80 != 0 {
                guard position < end, distance < (1 << 56) else { return nil }
                byte = bytes[position]
                position += 1
                distance = ((distance + 1) << 7) | UInt64(byte & 0x7f)
            }
            guard distance > 0, distance <= offset else { return nil }
            kind = .deltaAtOffset(offset - distance)
        case 7:
            guard position + 20 <= end else { return nil }
            kind = .deltaOnObject(ObjectID(bytes: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + 20)])))
            position += 20
        default:
            return nil
        }
        return PackEntryHeader(kind: kind, inflatedSize: inflatedSize, dataOffset: position)
    }
}

/// Every pack of a repository (and of its alternates), shared by all threads.
public struct PackStore: Sendable {
    let packs: [PackFile]

    /// Objects larger than this are not read into memory.
    public static let maxObjectBytes = 1 << 30

    /// Opens the packs under `objectsDirectory` and its alternates. Packs that cannot be
    /// opened are left to libgit2, which then reports what it cannot read.
    public init(objectsDirectory: String) {
        var packs: [PackFile] = []
        var visited = Set<String>()
        func add(_ directory: String, depth: Int) {
            let resolved = URL(fileURLWithPath: directory).standardizedFileURL.path
            guard depth < 5, visited.insert(resolved).inserted else { return }
            let packDirectory = resolved + "/pack"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: packDirectory)) ?? []
            for name in names.sorted() where name.hasSuffix(".pack") {
                let base = packDirectory + "/" + String(name.dropLast(5))
                if let pack = PackFile(packPath: base + ".pack", indexPath: base + ".idx") { packs.append(pack) }
            }
            let alternates = (try? String(contentsOfFile: resolved + "/info/alternates", encoding: .utf8)) ?? ""
            for line in alternates.split(whereSeparator: \.isNewline) {
                let entry = line.trimmingCharacters(in: .whitespaces)
                guard !entry.isEmpty, !entry.hasPrefix("#") else { continue }
                add(entry.hasPrefix("/") ? entry : resolved + "/" + entry, depth: depth + 1)
            }
        }
        add(objectsDirectory, depth: 0)
        self.packs = packs
    }

    public var packCount: Int { packs.count }

    /// The number of the first pack (in name order) that holds `id`.
    public func packHolding(_ id: ObjectID) -> Int? { locate(id)?.pack }

    /// The pack and offset that hold `id`, the first pack in name order when several do.
    func locate(_ id: ObjectID) -> (pack: Int, offset: UInt64)? {
        for (number, pack) in packs.enumerated() {
            if let position = pack.index.position(of: id), let offset = pack.index.offset(at: position) {
                return (number, offset)
            }
        }
        return nil
    }
}

/// A zlib inflater reused for every entry one thread reads. Not thread-safe.
final class Inflater {
    private var stream = z_stream()
    private var ready = false

    init() {
        ready = inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit {
        if ready { inflateEnd(&stream) }
    }

    /// Inflates the stream at `offset` of `pack` into exactly `size` bytes.
    func inflate(_ pack: PackFile, at offset: Int, size: Int) throws(PackReadError) -> [UInt8] {
        guard ready, inflateReset(&stream) == Z_OK else { throw .damaged("zlib could not start") }
        guard offset < pack.end else { throw .damaged("entry data past the end of the pack (truncated)") }
        guard size <= PackStore.maxObjectBytes else { throw .tooLarge(size) }
        var remaining = pack.end - offset
        // zlib cannot expand more than about 1032 to 1: a larger claim is a lie.
        guard size / 1032 <= remaining else { throw .damaged("claims \(size) bytes from \(remaining) (truncated or forged)") }
        var status: Int32 = Z_OK
        // One spare byte, so a stream that holds more than its header says is caught.
        let output = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            stream.next_in = UnsafeMutablePointer(mutating: pack.file.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset)
            stream.avail_in = 0
            stream.next_out = buffer.baseAddress
            stream.avail_out = UInt32(size + 1)
            while true {
                if stream.avail_in == 0 && remaining > 0 {
                    // avail_in is 32 bits: a huge remainder is fed in steps.
                    stream.avail_in = UInt32(min(remaining, Int(UInt32.max)))
                    remaining -= Int(stream.avail_in)
                }
                status = CGitZlib.inflate(&stream, Z_NO_FLUSH)
                if status == Z_OK && (stream.avail_in > 0 || remaining > 0) && stream.avail_out > 0 { continue }
                break
            }
            count = size + 1 - Int(stream.avail_out)
            stream.next_out = nil
            stream.next_in = nil
        }
        guard status == Z_STREAM_END else {
            throw .damaged(status == Z_OK || status == Z_BUF_ERROR ? "the data ends early (truncated pack)" : "the data does not inflate (zlib error \(status))")
        }
        guard output.count == size else { throw .damaged("inflates to \(output.count) bytes or more, not the \(size) its header says") }
        return output
    }
}

/// Git's delta format: the sizes of the base and the result, then copy and insert orders.
enum Delta {
    /// Rebuilds an object from its base and a delta, checking every order against both.
    static func apply(_ delta: [UInt8], to base: [UInt8]) throws(PackReadError) -> [UInt8] {
        try delta.withUnsafeBufferPointer { (delta: UnsafeBufferPointer<UInt8>) throws(PackReadError) -> [UInt8] in
            var position = 0
            func varint() -> Int? {
                var value = 0
                var shift = 0
                while position < delta.count, shift < 56 {
                    let byte = delta[position]
                    position += 1
                    value |= Int(byte & 0x7f) << shift
                    if byte & 0x80 == 0 { return value }
                    shift += 7
                }
                return nil
            }
            guard let sourceSize = varint(), let resultSize = varint() else { throw .damaged("delta header") }
            guard sourceSize == base.count else { throw .damaged("delta expects a \(sourceSize)-byte base, not \(base.count)") }
            guard resultSize <= PackStore.maxObjectBytes else { throw .tooLarge(resultSize) }
            // A copy order of at most 8 bytes copies at most 64 KiB: a larger claim is a lie.
            guard resultSize / 8192 <= delta.count else { throw .damaged("delta claims \(resultSize) bytes from \(delta.count)") }
            var written = 0
            var failure: PackReadError?
            let result = [UInt8](unsafeUninitializedCapacity: resultSize) { out, count in
                defer { count = failure == nil ? written : 0 }
                base.withUnsafeBufferPointer { source in
                    while position < delta.count {
                        let order = delta[position]
                        position += 1
                        if order & 0x80 != 0 {
                            var copyOffset = 0
                            var copySize = 0
                            for bit in 0..<4 where order & (1 << bit) != 0 {
                                guard position < delta.count else { failure = .damaged("delta copy order"); return }
                                copyOffset |= Int(delta[position]) << (8 * bit)
                                position += 1
                            }
                            for bit in 0..<3 where order & (0x10 << bit) != 0 {
                                guard position < delta.count else { failure = .damaged("delta copy order"); return }
                                copySize |= Int(delta[position]) << (8 * bit)
                                position += 1
                            }
                            if copySize == 0 { copySize = 0x10000 }
                            guard copyOffset <= source.count - copySize, copySize <= source.count, written <= resultSize - copySize else {
                                failure = .damaged("delta copies outside its base or result")
                                return
                            }
                            if copySize > 0 {
                                (out.baseAddress! + written).update(from: source.baseAddress! + copyOffset, count: copySize)
                            }
                            written += copySize
                        } else if order != 0 {
                            let count = Int(order)
                            guard count <= delta.count - position, written <= resultSize - count else {
                                failure = .damaged("delta inserts past its end")
                                return
                            }
                            (out.baseAddress! + written).update(from: delta.baseAddress! + position, count: count)
                            position += count
                            written += count
                        } else {
                            failure = .damaged("reserved delta order 0")
                            return
                        }
                    }
                }
            }
            if let failure { throw failure }
            guard written == resultSize else { throw .damaged("delta builds \(written) bytes, not \(resultSize)") }
            return result
        }
    }
}

extension ObjectID {
    /// An id from its 20 raw bytes.
    init(bytes: UnsafeRawBufferPointer) {
        self.init(high: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                  middle: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                  low: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }

    /// The id's first byte (the index's fan-out bucket).
    var firstByte: UInt8 { withUnsafeBytes(of: high) { $0[0] } }

    /// The 20 raw bytes, in order.
    var raw: (UInt64, UInt64, UInt32) { (high, middle, low) }
}
