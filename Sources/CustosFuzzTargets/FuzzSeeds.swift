import CustosDecoders
import CustosTestSupport
import Foundation

/// The seed corpus of each target, generated from `fixtures/` (and, for archives, built in
/// memory from fixture files), never checked in: `make fuzz` writes it out, the smoke test
/// reads it directly.
public enum FuzzSeeds {
    /// The seeds of `target`, deterministic for the same fixtures.
    public static func seeds(for target: FuzzTarget, fixtures: URL = PackageRoot.url.appendingPathComponent("fixtures")) -> [[UInt8]] {
        let files = fixtureFiles(fixtures)
        func named(_ suffixes: [String]) -> [[UInt8]] {
            files.filter { file in suffixes.contains { file.name.lowercased().hasSuffix($0) } }.map { cut($0.bytes, target) }
        }
        let texts = files.filter { !$0.bytes.prefix(8192).contains(0) }.map { cut($0.bytes, target) }
        var seeds: [[UInt8]]
        switch target {
        case .archives:
            seeds = named([".zip", ".gwbk", ".zef"]) + generatedArchives(files)
        case .xmlEntities, .logicalPaths:
            seeds = texts.filter { $0.first == UInt8(ascii: "<") || $0.first == UInt8(ascii: "{") || $0.first == UInt8(ascii: "[") }
                + named([".scl", ".udt", ".st", ".l5k"])
        case .logixEscapes:
            seeds = named([".l5x", ".l5k"]) + [Array("[12,'P$$ss$'w0rd$0D$0A$00$00'] $N x $7A $".utf8)]
        case .utf16:
            seeds = named([".reg"]) + texts.prefix(4).map { Array(String(decoding: $0, as: UTF8.self).data(using: .utf16BigEndian) ?? Data()) }
        case .base64, .ruleEngine:
            seeds = texts
        case .sqliteCells:
            seeds = databases(files)
        case .delimitedTables:
            seeds = named([".csv", ".tsv", ".txt"])
        case .scl:
            seeds = texts.filter { String(decoding: $0.prefix(2048), as: UTF8.self).contains("<Engineering") }
        case .namedValues:
            seeds = files.filter { !$0.bytes.prefix(8192).contains(0) }.map { file in
                cut([NamedValuesTarget.selector(for: file.name)] + file.bytes, target)
            }
        case .nodeRedCredentials:
            seeds = named(["_cred.json", "settings.js", ".config.runtime.json", "flows.json", ".env"])
        }
        return seeds.isEmpty ? [Array("seed".utf8)] : seeds
    }

    /// Writes each seed of `target` to `folder` (created) as `seed-NNNN`.
    public static func write(for target: FuzzTarget, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, seed) in seeds(for: target).enumerated() {
            try Data(seed).write(to: folder.appendingPathComponent(String(format: "seed-%04d", index)))
        }
    }

    private struct FixtureFile {
        var name: String
        var bytes: [UInt8]
    }

    private static func fixtureFiles(_ root: URL) -> [FixtureFile] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var files: [FixtureFile] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  let data = try? Data(contentsOf: url) else { continue }
            files.append(FixtureFile(name: url.lastPathComponent, bytes: Array(data)))
        }
        return files.sorted { $0.name < $1.name }
    }

    private static func cut(_ bytes: [UInt8], _ target: FuzzTarget) -> [UInt8] {
        Array(bytes.prefix(target.maxInputLength))
    }

    /// Every format the reader opens, and the hostile shapes of issue 11.
    private static func generatedArchives(_ files: [FixtureFile]) -> [[UInt8]] {
        let small = files.filter { $0.bytes.count < 4096 && !$0.bytes.contains(0) }.prefix(3).map { ($0.name, $0.bytes) }
        var seeds: [[UInt8]] = []
        let formats: [ArchiveWriter.Format] = [.zip(.deflate), .zip(.store), .tar, .sevenZip, .compressedTar(.gzip),
                                               .compressedTar(.bzip2), .compressedTar(.xz), .compressedTar(.zstd)]
        for format in formats {
            if let archive = try? ArchiveWriter.archive(format, Array(small)) { seeds.append(archive) }
        }
        for compression in [ArchiveWriter.Compression.gzip, .bzip2, .xz, .zstd] {
            if let stream = try? ArchiveWriter.compressed(compression, small.first?.1 ?? []) { seeds.append(stream) }
        }
        if let inner = try? ArchiveWriter.archive(.zip(.deflate), Array(small.prefix(1))),
           let outer = try? ArchiveWriter.archive(.zip(.deflate), [("inner.zip", inner)]) {
            seeds.append(outer)
        }
        if let locked = try? ArchiveWriter.archive(.zip(.deflate), Array(small.prefix(2)), passphrase: "fuzz") {
            seeds.append(locked)
        }
        var hostile = HostileZip()
        let offset = hostile.addLocal("loop.txt", data: [0xec, 0xbd, 0x07, 0x60, 0x1c, 0x49], method: 8, compressedSize: 4000, size: 1 << 30)
        for index in 0..<4 {
            hostile.addDirectoryEntry("f\(index).txt", offset: offset, method: 8, compressedSize: 4000, size: 1 << 30)
        }
        seeds.append(hostile.finished())
        seeds.append(hostile.finished(directoryOffset: 0x7fff_0000))
        if let zip = seeds.first { seeds.append(Array(zip.prefix(zip.count * 2 / 3))) }
        return seeds
    }

    /// SQLite databases: the fixtures' own and those inside fixture archives, and one of them
    /// marked as WAL mode.
    private static func databases(_ files: [FixtureFile]) -> [[UInt8]] {
        var found: [[UInt8]] = []
        for file in files {
            if file.bytes.withUnsafeBytes(SQLiteCells.isDatabase) { found.append(file.bytes) }
            guard file.bytes.withUnsafeBytes({ ArchiveReader.recognizes($0, name: file.name) }) else { continue }
            let budget = DecodeBudget(sourceBytes: file.bytes.count)
            _ = file.bytes.withUnsafeBytes { raw in
                ArchiveReader.forEachMember(of: .bytes(raw), name: file.name, budget: budget) { _, reader in
                    let bytes = try reader.readRest(limit: 1 << 20)
                    if bytes.withUnsafeBytes(SQLiteCells.isDatabase) { found.append(bytes) }
                }
            }
        }
        if var wal = found.first, wal.count > 20 {
            wal[18] = 2
            wal[19] = 2
            found.append(wal)
        }
        return found.map { Array($0.prefix(FuzzTarget.sqliteCells.maxInputLength)) }
    }
}
