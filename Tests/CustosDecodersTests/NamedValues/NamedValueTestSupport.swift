import CustosBuiltinRules
import CustosDecoders
import CustosRules
import Foundation
import Testing

/// What the named-value tests look at: each value found, its name, identity, verdict and the
/// bytes its span points at in the input.
struct Found: CustomStringConvertible {
    var name: String
    var value: String
    var written: String
    var identity: String?
    var verdict: ValueVerdict
    var plaintext: String?
    var path: String

    var isCredential: Bool { verdict.isFinding }
    var description: String { "\(name)=\(value) [\(written)] id=\(identity ?? "-") \(verdict) @\(path)" }
}

enum NamedValues {
    static let vocabulary: CustosCore.CredentialVocabulary = {
        // The shipped vocabulary is checked by its own test; a failure to load shows there.
        (try? VocabularyLoader.builtin().vocabulary)!
    }()
    static let scanner = NamedValueScanner(vocabulary: vocabulary)

    /// Every classified value of `text` read as a file called `fileName`.
    static func read(_ text: String, as fileName: String) -> [Found] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { buffer in
            scanner.classify(in: buffer, fileName: Substring(fileName)).map { found(from: $0, in: buffer) }
        }
    }

    static func found(from value: ClassifiedValue, in buffer: UnsafeRawBufferPointer) -> Found {
        let span = value.named.valueSpan.clamped(to: 0..<buffer.count)
        return Found(name: value.named.name, value: value.named.text,
                     written: String(decoding: UnsafeRawBufferPointer(rebasing: buffer[span]), as: UTF8.self),
                     identity: value.named.identity, verdict: value.verdict,
                     plaintext: value.plaintext.map { String(decoding: $0, as: UTF8.self) }, path: value.named.namePath)
    }

    /// The credentials (and published-key values) of `text`.
    static func credentials(_ text: String, as fileName: String) -> [Found] {
        read(text, as: fileName).filter(\.isCredential)
    }
}

import CustosCore
