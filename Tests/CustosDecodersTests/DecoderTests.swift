import CustosDecoders
import Foundation
import CustosTestSupport
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
            let decoded = data.withUnsafeBytes { raw in TextEncoding.sniffUTF16(raw).map { $0.transcode(raw).bytes } }
            #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == text, "\(encoding) bom \(bom)")
        }
        #expect(Data("plain ascii text here".utf8).withUnsafeBytes { TextEncoding.sniffUTF16($0) } == nil)
    }

    @Test("XML entities and character references resolve; CDATA stays literal; lines stay put")
    func xmlEntities() {
        let xml = "<?xml version=\"1.0\"?>\n<T v=\"&apos;p&amp;w&#33;&#x41;&apos;\" n=\"a&#10;b\"/>\n<![CDATA[ x&amp;y ]]>\n"
        let decoded = Data(xml.utf8).withUnsafeBytes { String(decoding: XMLEntities.decode($0).bytes, as: UTF8.self) }
        #expect(decoded == "<?xml version=\"1.0\"?>\n<T v=\"'p&w!A'\" n=\"a b\"/>\n<![CDATA[ x&amp;y ]]>\n")
    }

    @Test("Logix escapes decode; padding disappears; control characters keep the line")
    func logix() {
        let text = "[12,'P$$ss$'w0rd$0D$0A$00$00'] $N x $7A"
        let decoded = Data(text.utf8).withUnsafeBytes { String(decoding: LogixEscapes.decode($0).bytes, as: UTF8.self) }
        #expect(decoded == "[12,'P$ss'w0rd  ']   x z")
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

@Suite("Node-RED credentials")
struct NodeRedCredentialsTests {
    static let fixture = "fixtures/node-red/edge-gateway-1"

    func read(_ name: String) throws -> Data {
        try Data(contentsOf: PackageRoot.url.appendingPathComponent("\(Self.fixture)/\(name)"))
    }

    @Test("the secret from settings.js decrypts flows_cred.json (AES-256-CTR, key SHA-256 of the secret)")
    func decrypts() throws {
        let secrets = NodeRedCredentials.secrets(in: String(decoding: try read("settings.js"), as: UTF8.self))
        #expect(secrets.count == 1)
        guard case let .encrypted(payload) = NodeRedCredentials.parse(try read("flows_cred.json")) else {
            Issue.record("expected an encrypted credentials file")
            return
        }
        let fields = try #require(NodeRedCredentials.decrypt(payload, secret: secrets[0]))
        #expect(fields.map { "\($0.nodeID).\($0.name)" } == [
            "0aa1bb2cc3dd4ee5.token", "9f8e7d6c5b4a3928.password", "9f8e7d6c5b4a3928.user",
            "a1b2c3d4e5f60718.password", "a1b2c3d4e5f60718.user",
        ])
        #expect(NodeRedCredentials.decrypt(payload, secret: "wrong secret") == nil)
    }

    @Test("secrets are found in runtime config and environment files too")
    func secretSources() {
        #expect(NodeRedCredentials.secrets(in: #"{"_credentialSecret": "4f2a9c"}"#) == ["4f2a9c"])
        #expect(NodeRedCredentials.secrets(in: "Environment=\"NODE_RED_CREDENTIAL_SECRET=s3cr3t\"\n") == ["s3cr3t"])
        #expect(NodeRedCredentials.secrets(in: "credentialSecret: false") == [])
    }

    @Test("an unencrypted credentials file is read as it is")
    func plaintext() {
        let contents = NodeRedCredentials.parse(Data(#"{"n1": {"user": "u", "password": "p4ss"}}"#.utf8))
        #expect(contents == .plaintext([.init(nodeID: "n1", name: "password", value: "p4ss"), .init(nodeID: "n1", name: "user", value: "u")]))
    }
}
