import CustosDecoders
import Foundation
import CustosTestSupport
import Testing

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
