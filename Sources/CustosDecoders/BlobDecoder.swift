import CustosCore

/// The decoders custos runs, named in warnings and in the README's decoder table.
public enum DecoderKind: String, Sendable, Hashable, CaseIterable {
    case archive
    case sqlite
    case utf16 = "utf-16"
    case xmlEntities = "xml-entities"
    case logixEscapes = "logix-escapes"
    case base64
    case simaticSCL = "simatic-scl"
    case credentialTable = "credential-table"
}

/// What a decoder is shown of a blob: its origin (and so its file name) and its bytes.
public struct BlobView {
    public let origin: Origin
    public let bytes: UnsafeRawBufferPointer

    /// Bytes looked at to recognise a format.
    public static let sniffLength = 8 * 1024

    public init(origin: Origin, bytes: UnsafeRawBufferPointer) {
        self.origin = origin
        self.bytes = bytes
    }

    /// The file name decoders and rules recognise formats by.
    public var name: Substring { origin.fileName }

    /// The first bytes, where formats show themselves.
    public var prefix: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes.prefix(Self.sniffLength))
    }
}

/// What one decoder made of a blob.
public enum DecodedBlob {
    /// A blob of its own inside a container (an archive member, a long database cell): read
    /// like a file, located by its origin. The bytes are valid only during the call.
    case member(Origin, UnsafeRawBufferPointer)
    /// The same text, decoded (transcoded, entities or escapes resolved): scanned instead of
    /// its parent, every byte mapped back to the parent's bytes.
    case transformed(DecodedText)
    /// Text made of pieces of the parent (a table's credential cells with their column names,
    /// a database row, SCL rebuilt from tokens): scanned beside the parent.
    case derived(DerivedText)
}

/// A problem one decoder had with one blob; the pipeline names the blob and goes on.
public struct DecodeProblem: Sendable, Hashable {
    public var kind: WarningKind
    public var message: String

    public init(_ kind: WarningKind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// The one contract every decoder keeps: it claims a blob by name and content, and hands
/// back what it decodes, each derived byte traceable to a byte of its parent (members by
/// their origin, transformed and derived texts by their maps). Decoders never match: every
/// derived blob goes through the same engine. They charge what they expand to the budget
/// they are given and stop when it runs out, with a problem saying which limit.
public protocol BlobDecoder: Sendable {
    var kind: DecoderKind { get }
    /// Whether this decoder reads `blob`, judged from its name and first bytes.
    func claims(_ blob: BlobView) -> Bool
    /// Decodes `blob`, calling `emit` for each derived blob, and returns the problems met.
    func decode(_ blob: BlobView, budget: DecodeBudget, emit: (DecodedBlob) -> Void) -> [DecodeProblem]
}
