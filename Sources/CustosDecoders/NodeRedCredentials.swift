import Crypto
import _CryptoExtras
import Foundation

/// Node-RED keeps node credentials in `flows_cred.json` (or `<flows>_cred.json`), encrypted
/// with AES-256-CTR under SHA-256 of the credential secret, the 16-byte IV in hex in front of
/// the base64 ciphertext: `{"$": "<32 hex><base64>"}`. The secret sits in `settings.js`
/// (`credentialSecret`), in `.config.runtime.json` (`_credentialSecret`, generated when none is
/// set) or in `NODE_RED_CREDENTIAL_SECRET`. When custos finds both, it decrypts; an
/// unencrypted credentials file is a finding by itself.
public enum NodeRedCredentials {
    /// One credential field of one node.
    public struct Field: Sendable, Equatable {
        public var nodeID: String
        public var name: String
        public var value: String

        public init(nodeID: String, name: String, value: String) {
            self.nodeID = nodeID
            self.name = name
            self.value = value
        }
    }

    /// What a credentials file holds.
    public enum Contents: Sendable, Equatable {
        /// Encrypted; the payload (`$`) awaits a secret.
        case encrypted(String)
        /// Plain JSON: the fields are readable by anyone who can read the file.
        case plaintext([Field])
        case notCredentials
    }

    /// Whether a file name is a Node-RED credentials file.
    public static func isCredentialsFile<Name: StringProtocol>(_ name: Name) -> Bool {
        name.hasSuffix("_cred.json")
    }

    /// Whether a file name may hold the credential secret.
    public static func mayHoldSecret<Name: StringProtocol>(_ name: Name) -> Bool {
        [".config.runtime.json", ".config.json", "settings.js", ".env", "node-red.service"].contains { $0 == name }
            || name.hasSuffix(".env")
    }

    public static func parse(_ data: Data) -> Contents {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return .notCredentials }
        if let payload = object["$"] as? String { return .encrypted(payload) }
        let fields = Self.fields(object)
        return fields.isEmpty ? .notCredentials : .plaintext(fields)
    }

    /// Decrypts a `$` payload; nil when the secret is wrong (the plaintext is not JSON).
    public static func decrypt(_ payload: String, secret: String) -> [Field]? {
        guard payload.count > 32, let iv = hexBytes(String(payload.prefix(32))),
              let ciphertext = Data(base64Encoded: String(payload.dropFirst(32))) else { return nil }
        let key = SymmetricKey(data: SHA256.hash(data: Array(secret.utf8)))
        guard let nonce = try? AES._CTR.Nonce(nonceBytes: iv),
              let plaintext = try? AES._CTR.decrypt(ciphertext, using: key, nonce: nonce),
              let object = try? JSONSerialization.jsonObject(with: plaintext) as? [String: Any] else { return nil }
        return fields(object)
    }

    /// Candidate secrets in a settings, runtime-config or environment file.
    public static func secrets(in text: String) -> [String] {
        var found: [String] = []
        let patterns = [
            #"credentialSecret\s*:\s*["']([^"'\n]{1,200})["']"#,
            #""_credentialSecret"\s*:\s*"([^"\n]{1,200})""#,
            #"NODE_RED_CREDENTIAL_SECRET\s*=\s*["']?([^"'\s]{1,200})"#,
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            let range = NSRange(text.startIndex..., in: text)
            for match in regex.matches(in: text, range: range) {
                if let value = Range(match.range(at: 1), in: text) { found.append(String(text[value])) }
            }
        }
        return found
    }

    private static func fields(_ object: [String: Any]) -> [Field] {
        var fields: [Field] = []
        for nodeID in object.keys.sorted() {
            guard let values = object[nodeID] as? [String: Any] else { continue }
            for name in values.keys.sorted() {
                if let value = values[name] as? String, !value.isEmpty {
                    fields.append(Field(nodeID: nodeID, name: name, value: value))
                }
            }
        }
        return fields
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
