import CustosCore
import CustosDecoders
import Foundation

/// Files a scan set aside for Node-RED: credentials files and the files that may hold their
/// secret. Small, and only kept for these names.
struct NodeRedMaterial: Sendable {
    var credentialFiles: [(origin: Origin, data: Data)] = []
    var secrets: [String] = []

    /// Files above this size are not Node-RED settings or credentials.
    static let maxFileBytes = 4 * 1024 * 1024

    /// Runs for every file a scan reads: the name is looked at in place, without copying.
    mutating func consider(_ origin: Origin, bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= Self.maxFileBytes else { return }
        let name = origin.fileName
        if NodeRedCredentials.isCredentialsFile(name) {
            credentialFiles.append((origin, Data(bytes)))
        } else if NodeRedCredentials.mayHoldSecret(name) {
            secrets += NodeRedCredentials.secrets(in: String(decoding: bytes, as: UTF8.self))
        }
    }

    mutating func merge(_ other: NodeRedMaterial) {
        credentialFiles += other.credentialFiles
        secrets += other.secrets
    }
}

/// The findings Node-RED credentials files give, and their rule metadata.
public enum NodeRedAnalysis {
    public static let decryptedRule = "node-red-decrypted-credential"
    public static let plaintextRule = "node-red-plaintext-credential"

    /// Field names that name who logs in rather than the secret.
    static let identityFields: Set<String> = ["user", "username", "userid", "login", "clientid", "client_id", "email"]

    public static var rules: [RuleInfo] {
        [
            RuleInfo(id: decryptedRule, name: "Node-RED credential (decrypted)",
                 description: "A node credential from an encrypted Node-RED credentials file, decrypted with the credential secret found in the same scan (settings.js, .config.runtime.json or NODE_RED_CREDENTIAL_SECRET). Anyone holding both files holds the credential.",
                 confidence: .high, tags: ["node-red", "ot"],
                 references: ["https://nodered.org/docs/user-guide/runtime/securing-node-red"], source: "built-in decoder",
                 kind: .decoder),
            RuleInfo(id: plaintextRule, name: "Node-RED credential (unencrypted credentials file)",
                 description: "A Node-RED credentials file stored without encryption (credentialSecret: false): every node credential in it is readable.",
                 confidence: .high, tags: ["node-red", "ot"],
                 references: ["https://nodered.org/docs/user-guide/runtime/securing-node-red"], source: "built-in decoder",
                 kind: .decoder),
        ]
    }

    static func findings(_ material: NodeRedMaterial) -> (findings: [Finding], warnings: [ScanWarning]) {
        var findings: [Finding] = []
        var warnings: [ScanWarning] = []
        let secrets = Array(Set(material.secrets)).sorted()
        for (origin, data) in material.credentialFiles {
            switch NodeRedCredentials.parse(data) {
            case let .plaintext(fields):
                findings += makeFindings(fields, rule: plaintextRule, origin: origin, data: data)
            case let .encrypted(payload):
                if let fields = secrets.lazy.compactMap({ NodeRedCredentials.decrypt(payload, secret: $0) }).first {
                    findings += makeFindings(fields, rule: decryptedRule, origin: origin, data: data, ciphertext: payload)
                } else if !secrets.isEmpty {
                    warnings.append(ScanWarning(.encrypted, path: origin.display, message: "Node-RED credentials are encrypted and none of the \(secrets.count) credential secrets found in this scan opens them"))
                }
            case .notCredentials:
                continue
            }
        }
        return (findings, warnings)
    }

    private static func makeFindings(_ fields: [NodeRedCredentials.Field], rule: String, origin: Origin, data: Data,
                                     ciphertext: String? = nil) -> [Finding] {
        let text = String(decoding: data, as: UTF8.self)
        var findings: [Finding] = []
        for field in fields where !identityFields.contains(field.name.lowercased()) {
            let user = fields.first { $0.nodeID == field.nodeID && identityFields.contains($0.name.lowercased()) }?.value
            // Point at the value when it is readable in the file, else at the encrypted payload
            // that holds it (the bytes a person would find it in).
            let anchor = ciphertext ?? field.value
            let position = locate(anchor, in: text) ?? (line: 1, column: 1, byte: 0)
            let span = Span(byteStart: position.byte, byteEnd: position.byte + anchor.utf8.count,
                            start: TextPosition(line: position.line, column: position.column),
                            end: TextPosition(line: position.line, column: position.column + anchor.unicodeScalars.count))
            findings.append(Finding(
                ruleID: rule, location: Location(origin: origin, span: span),
                secret: field.value, identity: "node \(field.nodeID) \(field.name)" + (user.map { " (user \($0))" } ?? ""),
                fingerprint: Fingerprint(ruleID: rule, secret: field.value),
                snippet: Snippet(before: "node \(field.nodeID) · \(field.name): ", after: "")))
            findings[findings.count - 1].logicalPath = "$[\"\(field.nodeID)\"].\(field.name)"
        }
        return findings
    }

    private static func locate(_ needle: String, in text: String) -> (line: Int, column: Int, byte: Int)? {
        guard let range = text.range(of: needle) else { return nil }
        let before = text[..<range.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.split(separator: "\n", omittingEmptySubsequences: false).last.map { $0.unicodeScalars.count } ?? 0
        return (line, column + 1, before.utf8.count)
    }
}
