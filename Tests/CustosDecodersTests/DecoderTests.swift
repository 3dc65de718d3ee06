import CustosDecoders
import Foundation
import Testing
import ZIPFoundation

/// Builds a zip archive in memory from (path, bytes) pairs.
func makeZip(_ entries: [(String, Data)]) throws -> Data {
    let archive = try Archive(data: Data(), accessMode: .create)
    for (path, data) in entries {
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
    return try #require(archive.data)
}

@Suite("Decoders")
struct DecoderTests {
    @Test("UTF-16 is recognised with and without a byte-order mark, both byte orders")
    func utf16() throws {
        let text = "line one\nTOKEN=abc€\n"
        for (encoding, bom) in [(String.Encoding.utf16LittleEndian, false), (.utf16BigEndian, false), (.utf16, true)] {
            let data = try #require(text.data(using: encoding))
            let decoded = data.withUnsafeBytes { raw in TextEncoding.sniffUTF16(raw).map { $0.transcode(raw) } }
            #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == text, "\(encoding) bom \(bom)")
        }
        #expect(Data("plain ascii text here".utf8).withUnsafeBytes { TextEncoding.sniffUTF16($0) } == nil)
    }

    @Test("XML entities and character references resolve; CDATA stays literal; lines stay put")
    func xmlEntities() {
        let xml = "<?xml version=\"1.0\"?>\n<T v=\"&apos;p&amp;w&#33;&#x41;&apos;\" n=\"a&#10;b\"/>\n<![CDATA[ x&amp;y ]]>\n"
        let decoded = Data(xml.utf8).withUnsafeBytes { String(decoding: XMLEntities.decode($0), as: UTF8.self) }
        #expect(decoded == "<?xml version=\"1.0\"?>\n<T v=\"'p&w!A'\" n=\"a b\"/>\n<![CDATA[ x&amp;y ]]>\n")
    }

    @Test("nested archives are opened and members named by their chain")
    func nested() throws {
        let inner = try makeZip([("cfg/app.env", Data("TOKEN=x\n".utf8))])
        let outer = try makeZip([("projects/inner.zip", inner), ("readme.txt", Data("hi\n".utf8))])
        let (members, notes) = ArchiveExpander().members(of: outer)
        #expect(Set(members.map(\.name)) == ["projects/inner.zip!/cfg/app.env", "readme.txt"])
        #expect(notes.isEmpty)
    }

    @Test("a zip bomb, a too-deep nesting and a broken archive are notes, not crashes")
    func hostileArchives() throws {
        let bomb = try makeZip([("zeros.bin", Data(count: 20 * 1024 * 1024)), ("ok.txt", Data("fine\n".utf8))])
        let (members, notes) = ArchiveExpander().members(of: bomb)
        #expect(members.map(\.name) == ["ok.txt"])
        #expect(notes.contains { $0.contains("zip bomb") })

        var nested = try makeZip([("leaf.txt", Data("x\n".utf8))])
        for level in 0..<5 { nested = try makeZip([("level\(level).zip", nested)]) }
        let deep = ArchiveExpander().members(of: nested)
        #expect(deep.members.isEmpty)
        #expect(deep.notes.contains { $0.contains("nested deeper than") })

        let broken = ArchiveExpander().members(of: Data("PK\u{3}\u{4}garbage".utf8))
        #expect(broken.members.isEmpty)
        #expect(broken.notes.first?.contains("not a readable zip archive") == true)
    }

    @Test("the member count limit stops reading and says so")
    func memberLimit() throws {
        var limits = ArchiveLimits()
        limits.maxMembers = 3
        let archive = try makeZip((0..<6).map { ("f\($0).txt", Data("x\n".utf8)) })
        let (members, notes) = ArchiveExpander(limits: limits).members(of: archive)
        #expect(members.count == 3)
        #expect(notes.contains { $0.contains("stopped after 3 members") })
    }
}
