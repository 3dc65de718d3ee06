/// The archive and compression formats custos opens, recognised by their first bytes (and, for
/// old tar archives without a magic string, by a valid header checksum and the name). Content
/// decides, not the name: a `.gwbk` or `.docx` is a zip, a `.log` can be gzip.
public enum ArchiveKind: Sendable, Equatable {
    case zip, tar, sevenZip, gzip, bzip2, xz, zstd, compress

    /// Bytes to look at to tell (a whole tar header).
    public static let sniffLength = 512

    /// The kind `prefix` (the first bytes of a file or member) starts like, or nil.
    public static func sniff(_ prefix: UnsafeRawBufferPointer, name: String) -> ArchiveKind? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            guard prefix.count >= offset + magic.count else { return false }
            for (index, byte) in magic.enumerated() where prefix[offset + index] != byte { return false }
            return true
        }
        if starts([0x50, 0x4b]) && prefix.count >= 4
            && ((prefix[2] == 0x03 && prefix[3] == 0x04) || (prefix[2] == 0x05 && prefix[3] == 0x06)
                || (prefix[2] == 0x07 && prefix[3] == 0x08)) {
            return .zip
        }
        if starts([0x1f, 0x8b, 0x08]) { return .gzip }
        if starts([0x1f, 0x9d]) && name.lowercased().hasSuffix(".z") { return .compress }
        if starts([0x42, 0x5a, 0x68]) && prefix.count >= 10 && (0x31...0x39).contains(prefix[3])
            && (starts([0x31, 0x41, 0x59, 0x26, 0x53, 0x59], at: 4) || starts([0x17, 0x72, 0x45, 0x38, 0x50, 0x90], at: 4)) {
            return .bzip2
        }
        if starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        if starts([0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        if starts([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) { return .sevenZip }
        if prefix.count >= 512 && hasValidTarChecksum(prefix)
            && (starts(Array("ustar".utf8), at: 257) || name.lowercased().hasSuffix(".tar")) {
            return .tar
        }
        return nil
    }

    /// Whether a compressed stream holds one file rather than an archive of members.
    var isCompressedStream: Bool {
        switch self {
        case .gzip, .bzip2, .xz, .zstd, .compress: true
        case .zip, .tar, .sevenZip: false
        }
    }

    /// The name of the one file a compressed stream holds: its container's name without the
    /// compression suffix (`app.log.gz` → `app.log`), or the container's name.
    static func streamMemberName(container: String) -> String {
        let bytes = Array(container.utf8)
        func endsWith(_ suffix: String) -> Bool {
            let tail = Array(suffix.utf8)
            guard bytes.count > tail.count else { return false }
            return Swift.zip(bytes.suffix(tail.count), tail).allSatisfy { $0 | 0x20 == $1 }
        }
        for suffix in [".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd", ".lzma", ".z"] where endsWith(suffix) {
            return String(decoding: bytes.dropLast(suffix.utf8.count), as: UTF8.self)
        }
        if endsWith(".tgz") { return String(decoding: bytes.dropLast(4), as: UTF8.self) + ".tar" }
        return container.isEmpty ? "data" : container
    }

    /// A tar header's checksum (bytes 148..<156, octal) equals the sum of its bytes with that
    /// field counted as spaces; a zero block is not a header.
    private static func hasValidTarChecksum(_ header: UnsafeRawBufferPointer) -> Bool {
        var stored = 0
        var digits = 0
        for index in 148..<156 {
            let byte = header[index]
            if byte >= 0x30 && byte <= 0x37 {
                stored = stored * 8 + Int(byte - 0x30)
                digits += 1
            } else if byte == 0 || byte == 0x20 {
                if digits > 0 { break }
            } else {
                return false
            }
        }
        guard digits > 0 else { return false }
        var sum = 0
        for index in 0..<512 { sum += (148..<156).contains(index) ? 0x20 : Int(header[index]) }
        return sum == stored && sum != 8 * 0x20
    }
}
