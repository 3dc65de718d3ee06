import CustosCore
import Foundation

// The decoders custos ships, each behind the one `BlobDecoder` contract. Containers (archives,
// databases) hand back members; transforms (UTF-16, XML entities, Logix escapes) hand back the
// same text decoded with a map to its bytes; derivers (credential tables, SCL from SimaticML
// tokens) hand back text built from pieces of it. Base64 values are decoded by the pipeline
// itself (`Base64Values`), since which runs to decode depends on what rules found.

/// Archives read through libarchive (`ArchiveReader`): zip and everything built on it (.gwbk,
/// .zef, .apa, .jar, .docx, …), tar, 7z, and files compressed with gzip, bzip2, xz or zstd.
/// Archives nested inside are opened by the reader itself, under the same budget; every other
/// member is handed back whole (up to the budget's whole-member limit; an archive on disk is
/// instead streamed member by member by the pipeline, so large members never need to fit).
public struct ArchiveDecoder: BlobDecoder {
    public let kind = DecoderKind.archive
    public init() {}

    public func claims(_ blob: BlobView) -> Bool { ArchiveReader.recognizes(blob.prefix, name: String(blob.name)) }

    public func decode(_ blob: BlobView, budget: DecodeBudget, emit: (DecodedBlob) -> Void) -> [DecodeProblem] {
        let limit = budget.limits.maxWholeMemberBytes
        let issues = ArchiveReader.forEachMember(of: .bytes(blob.bytes), name: String(blob.name),
                                                 depth: blob.origin.depth + 1, budget: budget) { header, reader in
            let bytes = try reader.readRest(limit: limit)
            bytes.withUnsafeBytes { emit(.member(Self.origin(of: header, in: blob.origin), $0)) }
        }
        return issues.map(\.problem)
    }

    /// Where a member is: its chain of names under the archive's own origin.
    public static func origin(of header: ArchiveMemberHeader, in archive: Origin) -> Origin {
        header.chain.reduce(archive) { .archiveMember(parent: $0, name: $1) }
    }
}

/// SQLite databases (Ignition `config.idb`, historian caches): each row's short text cells
/// become one derived text of `TABLE.COLUMN=value` lines, so a rule sees the column's name
/// and the row's user beside a password, each cell located as its own origin; long cells
/// (scripts, serialized resources) are members read on their own.
public struct SQLiteDecoder: BlobDecoder {
    public let kind = DecoderKind.sqlite
    /// Cells up to this size are read within their row.
    public static let maxRowCellBytes = 4096
    public init() {}

    public func claims(_ blob: BlobView) -> Bool { SQLiteCells.isDatabase(blob.prefix) }

    public func decode(_ blob: BlobView, budget: DecodeBudget, emit: (DecodedBlob) -> Void) -> [DecodeProblem] {
        do {
            try SQLiteCells.forEachRow(in: blob.bytes, budget: budget) { row in
                var text = DerivedText()
                for (column, cell) in row.cells {
                    let origin = Origin.databaseCell(parent: blob.origin,
                                                     cell: DatabaseCell(table: row.table, column: column, row: Int64(row.number)))
                    guard cell.count <= Self.maxRowCellBytes, !cell.contains(0) else {
                        emit(.member(origin, cell))
                        continue
                    }
                    text.appendContext("\(row.table).\(column)=")
                    text.appendCopied(cell, sourceStart: 0, origin: origin, logicalPath: row.location(of: column))
                    text.appendContext([0x0a])
                }
                if !text.isEmpty { emit(.derived(text)) }
            }
            return []
        } catch {
            return error.issues.map(\.problem)
        }
    }
}

/// UTF-16 text (with or without a byte-order mark), transcoded to UTF-8.
public struct UTF16Decoder: BlobDecoder {
    public let kind = DecoderKind.utf16
    public init() {}

    public func claims(_ blob: BlobView) -> Bool {
        blob.prefix.holdsNUL && TextEncoding.sniffUTF16(blob.bytes) != nil
    }

    public func decode(_ blob: BlobView, budget: DecodeBudget, emit: (DecodedBlob) -> Void) -> [DecodeProblem] {
        guard let encoding = TextEncoding.sniffUTF16(blob.bytes) else { return [] }
        emit(.transformed(encoding.transcode(blob.bytes)))
        return []
    }
}

/// XML with character references and predefined entities.
public struct XMLEntityDecoder: BlobDecoder {
    public let kind = DecoderKind.xmlEntities
    public init() {}

    public func claims(_ blob: BlobView) -> Bool { XMLEntities.worthDecoding(blob.bytes) }

    public func decode(_ blob: BlobView, budget: DecodeBudget, emit: (DecodedBlob) -> Void) -> [DecodeProblem] {
        emit(.transformed(XMLEntities.decode(blob.bytes)))
        return []
    }
}

/// Rockwell Logix string escapes in `.L5X` and `.L5K` exports.
public struct LogixEscapeDecoder: BlobDecoder {
    public let kind = DecoderKind.logixEscapes
    public init() {}

    public func claims(_ blob: BlobView) -> Bool { LogixEscapes.applies(to: String(blob.name)) }

    public func decode(_ blob: BlobView, budget: DecodeBudget, emit: (DecodedBlob) -> Void) -> [DecodeProblem] {
        emit(.transformed(LogixEscapes.decode(blob.bytes)))
        return []
    }
}

/// SCL networks of a SimaticML export, rebuilt from one XML element per token.
public struct SimaticSCLDecoder: BlobDecoder {
    public let kind = DecoderKind.simaticSCL
    public init() {}

    public func claims(_ blob: BlobView) -> Bool { SimaticSCL.applies(to: blob.bytes, name: String(blob.name)) }

    public func decode(_ blob: BlobView, budget: DecodeBudget, emit: (DecodedBlob) -> Void) -> [DecodeProblem] {
        let text = SimaticSCL.derive(blob.bytes)
        if !text.isEmpty { emit(.derived(text)) }
        return []
    }
}

/// Tables whose header names a credential column (CSV user lists, eWON `:UserList`).
public struct CredentialTableDecoder: BlobDecoder {
    public let kind = DecoderKind.credentialTable
    public init() {}

    public func claims(_ blob: BlobView) -> Bool { DelimitedTable.applies(to: String(blob.name)) }

    public func decode(_ blob: BlobView, budget: DecodeBudget, emit: (DecodedBlob) -> Void) -> [DecodeProblem] {
        let text = DelimitedTable.derive(blob.bytes)
        if !text.isEmpty { emit(.derived(text)) }
        return []
    }
}

/// The decoders a scan runs, by role, in the order they apply.
public struct DecoderSet: Sendable {
    /// Containers: their members are read like files.
    public var containers: [any BlobDecoder]
    /// Character encodings: the text a person sees, where lines and columns are counted.
    public var encodings: [any BlobDecoder]
    /// Markup and escapes resolved before rules read the text, in order.
    public var transforms: [any BlobDecoder]
    /// Texts built from pieces of the decoded text, scanned beside it.
    public var derivers: [any BlobDecoder]

    public static let standard = DecoderSet(
        containers: [ArchiveDecoder(), SQLiteDecoder()],
        encodings: [UTF16Decoder()],
        transforms: [XMLEntityDecoder(), LogixEscapeDecoder()],
        derivers: [SimaticSCLDecoder(), CredentialTableDecoder()])
}
