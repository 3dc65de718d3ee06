// Archives for tests, built in memory: genuine ones through libarchive's write API (zip, tar,
// 7z, and single files compressed with gzip, bzip2, xz or zstd), and hostile ones byte by byte
// (HostileZip), so every archive a test reads is generated, never a checked-in binary.

import CArchive
import Foundation

/// Writes archives in memory with libarchive.
public enum ArchiveWriter {
    public enum Format: Sendable {
        case zip(ZipCompression)
        case tar
        case sevenZip
        /// A tar archive through a compression filter (`.tar.gz` …).
        case compressedTar(Compression)
    }

    public enum ZipCompression: Sendable { case deflate, store }

    public enum Compression: Sendable { case gzip, bzip2, xz, zstd }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// An archive holding `entries` (path → bytes), in order.
    public static func archive(_ format: Format, _ entries: [(String, [UInt8])], passphrase: String? = nil) throws -> [UInt8] {
        try write { archive in
            switch format {
            case let .zip(compression):
                archive_write_set_format_zip(archive)
                archive_write_set_options(archive, compression == .store ? "zip:compression=store" : "zip:compression=deflate")
                if let passphrase {
                    archive_write_set_options(archive, "zip:encryption=zipcrypt")
                    archive_write_set_passphrase(archive, passphrase)
                }
            case .tar:
                archive_write_set_format_pax_restricted(archive)
            case .sevenZip:
                archive_write_set_format_7zip(archive)
            case let .compressedTar(compression):
                archive_write_set_format_pax_restricted(archive)
                addFilter(compression, to: archive)
            }
        } entries: { archive in
            for (path, bytes) in entries { try add(path, bytes, to: archive) }
        }
    }

    /// One file compressed as a stream (`app.log.gz`), no archive around it.
    public static func compressed(_ compression: Compression, _ bytes: [UInt8]) throws -> [UInt8] {
        try write { archive in
            archive_write_set_format_raw(archive)
            addFilter(compression, to: archive)
        } entries: { archive in
            try add("data", bytes, to: archive)
        }
    }

    public static func archive(_ format: Format, _ entries: [(String, String)]) throws -> [UInt8] {
        try archive(format, entries.map { ($0.0, Array($0.1.utf8)) })
    }

    private static func addFilter(_ compression: Compression, to archive: OpaquePointer) {
        switch compression {
        case .gzip: archive_write_add_filter_gzip(archive)
        case .bzip2: archive_write_add_filter_bzip2(archive)
        case .xz: archive_write_add_filter_xz(archive)
        case .zstd: archive_write_add_filter_zstd(archive)
        }
    }

    private static func write(configure: (OpaquePointer) -> Void, entries: (OpaquePointer) throws -> Void) throws -> [UInt8] {
        guard let archive = archive_write_new() else { throw WriteError(description: "archive_write_new failed") }
        defer { archive_write_free(archive) }
        configure(archive)
        // No padding of the last block: the archive is exactly what the format needs.
        archive_write_set_bytes_in_last_block(archive, 1)
        let sink = ArchiveSink()
        let client = Unmanaged.passUnretained(sink).toOpaque()
        guard archive_write_open2(archive, client, nil, sinkWrite, nil, nil) == ARCHIVE_OK else {
            throw WriteError(description: String(cString: archive_error_string(archive)))
        }
        try withExtendedLifetime(sink) {
            try entries(archive)
            guard archive_write_close(archive) == ARCHIVE_OK else {
                throw WriteError(description: String(cString: archive_error_string(archive)))
            }
        }
        return sink.bytes
    }

    private static func add(_ path: String, _ bytes: [UInt8], to archive: OpaquePointer) throws {
        guard let entry = archive_entry_new() else { throw WriteError(description: "archive_entry_new failed") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname_utf8(entry, path)
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_size(entry, Int64(bytes.count))
        archive_entry_set_mtime(entry, 1_700_000_000, 0)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw WriteError(description: String(cString: archive_error_string(archive)))
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                archive_write_data(archive, raw.baseAddress! + offset, min(1 << 20, bytes.count - offset))
            }
            guard written > 0 else { throw WriteError(description: String(cString: archive_error_string(archive))) }
            offset += written
        }
    }
}

/// Collects what libarchive writes.
private final class ArchiveSink {
    var bytes: [UInt8] = []
}

private func sinkWrite(_ archive: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?,
                       _ length: Int) -> Int {
    guard let client, let buffer else { return -1 }
    Unmanaged<ArchiveSink>.fromOpaque(client).takeUnretainedValue().bytes
        .append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

/// Zips built byte by byte, to be as broken as a test needs: local headers, central
/// directory entries and the end record with whatever offsets, sizes and flags it says.
public struct HostileZip {
    public private(set) var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var entries = 0

    public init() {}

    /// A local header for `name` and `data` as they are (method 0 stored, 8 deflate), with
    /// the sizes it declares (`declared` or the data's own), then the data.
    @discardableResult
    public mutating func addLocal(_ name: String, data: [UInt8], method: UInt16 = 0, flags: UInt16 = 0,
                                  compressedSize: UInt32? = nil, size: UInt32? = nil) -> UInt32 {
        let offset = UInt32(bytes.count)
        let name = Array(name.utf8)
        bytes += le32(0x0403_4b50) + le16(20) + le16(flags) + le16(method) + le16(0) + le16(0x5821)
        bytes += le32(0) + le32(compressedSize ?? UInt32(data.count)) + le32(size ?? UInt32(data.count))
        bytes += le16(UInt16(name.count)) + le16(0) + name + data
        return offset
    }

    /// A central directory entry for `name`, pointing at the local header at `offset`.
    public mutating func addDirectoryEntry(_ name: String, offset: UInt32, method: UInt16 = 0, flags: UInt16 = 0,
                                           compressedSize: UInt32, size: UInt32) {
        let name = Array(name.utf8)
        directory += le32(0x0201_4b50) + le16(20) + le16(20) + le16(flags) + le16(method) + le16(0) + le16(0x5821)
        directory += le32(0) + le32(compressedSize) + le32(size)
        directory += le16(UInt16(name.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
        entries += 1
    }

    /// The archive: what was added, the central directory, and an end record (whose
    /// directory offset is `directoryOffset` when given, to point anywhere).
    public func finished(directoryOffset: UInt32? = nil) -> [UInt8] {
        let start = UInt32(bytes.count)
        let count = UInt16(min(entries, 0xffff))
        return bytes + directory + le32(0x0605_4b50) + le16(0) + le16(0) + le16(count) + le16(count)
            + le32(UInt32(directory.count)) + le32(directoryOffset ?? start) + le16(0)
    }

    private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }

    private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) } }
}
