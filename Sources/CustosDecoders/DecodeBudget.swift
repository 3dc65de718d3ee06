// What one file may cost its decoders, and why a decoder stopped when input is hostile or
// merely broken. Every decoder that expands or walks input charges the one DecodeBudget of the
// file (a reference, handed down the recursion), so nested archives, databases and decodings
// share one allowance per file. The trade-off: limits are judged as bytes come out, never from sizes a header
// declares (headers lie), and failures are charged too (a member that fails after inflating N
// bytes costs N, and at least a fixed minimum), so a file cannot buy unlimited work by failing.

import CustosCore

/// A limit a decoder ran into.
public enum DecodeLimit: Sendable, Hashable, CustomStringConvertible {
    /// Bytes produced by decoding one file, at every depth together.
    case expandedBytes(Int64)
    /// Archive members read from one file, at every depth together.
    case members(Int)
    /// Archives inside archives, the outermost counting 1.
    case depth(Int)
    /// Bytes out per byte in, judged as the bytes come out.
    case ratio(Int)
    /// Time spent on one file.
    case time(Duration)
    /// A member that must be seen whole (a nested archive, a database, an export) read into
    /// memory at most this large.
    case memberBytes(Int)
    /// Rows read from one database.
    case rows(Int)
    /// Cells read from one database.
    case cells(Int)

    public var description: String {
        switch self {
        case let .expandedBytes(bytes): "expanded-bytes limit (\(DecodeLimit.megabytes(bytes)))"
        case let .members(count): "member limit (\(count))"
        case let .depth(depth): "depth limit (\(depth) archives deep)"
        case let .ratio(ratio): "compression-ratio limit (\(ratio):1)"
        case let .time(duration): "time limit (\(duration.components.seconds) s per file)"
        case let .memberBytes(bytes): "limit for a member read whole (\(DecodeLimit.megabytes(Int64(bytes))))"
        case let .rows(count): "row limit (\(count))"
        case let .cells(count): "cell limit (\(count))"
        }
    }

    static func megabytes(_ bytes: Int64) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }
}

/// Why a decoder could not read something, or stopped reading, with what was left unread and
/// where: always a warning, never fatal. `problem` is the form the decoder contract reports.
public struct DecodeIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A limit was reached; `scope` says what was left unread.
        case limitExceeded(DecodeLimit)
        /// An encrypted member: custos does not guess passwords.
        case encrypted
        /// The input is damaged or in a form the decoder cannot read (the library's words).
        case unreadable(String)
        /// Reading the file itself failed (an I/O error).
        case readFailed(String)
        /// This many more problems, not listed one by one.
        case unlisted(Int)
    }

    /// What was left unread because of the problem.
    public enum Scope: Sendable, Hashable {
        /// The member (or table, or value) named by `location`.
        case member
        /// The rest of the member named by `location`, after what was already read.
        case restOfMember
        /// The rest of the archive (or database) holding `location`.
        case restOfArchive
        /// Everything after this point in the file.
        case restOfFile
    }

    public var kind: Kind
    public var scope: Scope
    /// Where inside the file: a member chain (`inner.zip!/cfg/app.env`), a table; nil for the
    /// file itself (the warning carrying this problem names the file).
    public var location: String?

    public init(_ kind: Kind, scope: Scope, location: String? = nil) {
        self.kind = kind
        self.scope = scope
        self.location = location
    }

    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        let unread: String = switch scope {
        case .member: "skipped"
        case .restOfMember: "the rest of it was not read"
        case .restOfArchive: location == nil ? "the rest of the archive was not read" : "the rest of that archive was not read"
        case .restOfFile: "the rest of the file was not read"
        }
        switch kind {
        case .encrypted:
            return "encrypted member \(location ?? "?"): not read"
        case let .limitExceeded(limit):
            var text = "\(place)over the \(limit): \(unread)"
            if case .ratio = limit { text += " (possible zip bomb)" }
            if case .expandedBytes = limit { text += " (possible zip bomb)" }
            return text
        case let .unreadable(reason):
            return "\(place)cannot be read (\(reason)); \(unread)"
        case let .readFailed(reason):
            return "\(place)read failed (\(reason)); \(unread)"
        case let .unlisted(count):
            return "\(count) more problems like those above"
        }
    }

    /// The issue as the decoder contract reports it.
    public var problem: DecodeProblem {
        let kind: WarningKind = switch self.kind {
        case .limitExceeded: .limitExceeded
        case .encrypted: .encrypted
        case .unreadable, .unlisted: .malformed
        case .readFailed: .unreadable
        }
        return DecodeProblem(kind, description)
    }
}

/// The allowance of one file: expanded bytes, archive members, nesting depth, compression
/// ratio, database rows and cells, and a deadline on the monotonic clock. One per file being
/// decoded, owned by one worker; a reference, so nested decoders charge the same one. A charge
/// over a limit throws the issue to report.
public final class DecodeBudget {
    /// The limits, the same for every file of a scan.
    public struct Limits: Sendable, Equatable {
        /// Archives inside archives, counting the outermost as 1 (a file itself is depth 0).
        public var maxDepth = 4
        /// Members read from one file, at every depth together.
        public var maxMembers = 20_000
        /// Bytes out per byte in, for each member and each compressed stream, judged once
        /// `ratioGrace` bytes came out (small members of zeros are not bombs).
        public var maxRatio = 200
        public var ratioGrace: Int64 = 1 << 20
        /// Bytes all decoders together may produce from one file: `maxRatio` times its size,
        /// and at least this many. A genuine archive of normal ratio is read whole, however
        /// large; a bomb stops at its limit.
        public var minimumExpandedBytes: Int64 = 512 << 20
        /// Bytes a member that must be seen whole may be read into memory.
        public var maxWholeMemberBytes = 128 << 20
        /// What a failing member costs at least, in members (one) and expanded bytes.
        public var failureCharge: Int64 = 1 << 20
        /// Time all decoders together may spend on one file.
        public var timeLimit: Duration = .seconds(300)
        /// Rows and cells read from one database.
        public var maxRows = 5_000_000
        public var maxCells = 50_000_000

        public init() {}

        public static let standard = Limits()
    }

    public let limits: Limits
    /// Bytes decoders may produce from this file in all.
    public let maxExpandedBytes: Int64
    /// When decoding this file must stop.
    public let deadline: ContinuousClock.Instant
    public private(set) var expandedBytes: Int64 = 0
    public private(set) var memberCount = 0
    public private(set) var rows = 0
    public private(set) var cells = 0

    /// A fresh allowance for a file of `sourceBytes` bytes (0 when unknown: the minimum
    /// allowance), its clock starting now.
    public init(limits: Limits = .standard, sourceBytes: Int = 0) {
        self.limits = limits
        let scaled = Int64(clamping: sourceBytes).multipliedReportingOverflow(by: Int64(limits.maxRatio))
        maxExpandedBytes = max(limits.minimumExpandedBytes, scaled.overflow ? .max : scaled.partialValue)
        deadline = ContinuousClock.now.advanced(by: limits.timeLimit)
    }

    /// Containers inside containers at most.
    public var maxDepth: Int { limits.maxDepth }
    /// Expanded over compressed size above which a member is treated as a bomb.
    public var maxRatio: Int { limits.maxRatio }

    /// Charges `count` bytes a decoder produced.
    public func chargeExpanded(_ count: Int) throws(DecodeIssue) {
        expandedBytes = expandedBytes.addingReportingOverflow(Int64(count)).partialValue
        if expandedBytes > maxExpandedBytes || expandedBytes < 0 {
            throw DecodeIssue(.limitExceeded(.expandedBytes(maxExpandedBytes)), scope: .restOfFile)
        }
    }

    /// Charges one archive member.
    public func chargeMember() throws(DecodeIssue) {
        memberCount += 1
        if memberCount > limits.maxMembers {
            throw DecodeIssue(.limitExceeded(.members(limits.maxMembers)), scope: .restOfFile)
        }
    }

    /// Charges a member that failed after producing `produced` bytes (already charged): it
    /// costs at least `failureCharge` in all.
    public func chargeFailure(produced: Int64) throws(DecodeIssue) {
        let missing = limits.failureCharge - produced
        if missing > 0 { try chargeExpanded(Int(clamping: missing)) }
    }

    /// Charges one database row with `cellCount` cells.
    public func chargeRow(cells cellCount: Int) throws(DecodeIssue) {
        rows += 1
        cells += cellCount
        if rows > limits.maxRows { throw DecodeIssue(.limitExceeded(.rows(limits.maxRows)), scope: .restOfArchive) }
        if cells > limits.maxCells { throw DecodeIssue(.limitExceeded(.cells(limits.maxCells)), scope: .restOfArchive) }
    }

    /// Throws once the file's time is up. Cheap (one read of the monotonic clock): call it in
    /// every loop over input, once per chunk or row.
    public func checkDeadline() throws(DecodeIssue) {
        if isPastDeadline {
            throw DecodeIssue(.limitExceeded(.time(limits.timeLimit)), scope: .restOfFile)
        }
    }

    public var isPastDeadline: Bool { ContinuousClock.now >= deadline }

    /// Whether `produced` bytes out of `consumed` bytes in break the ratio limit.
    public func breaksRatio(produced: Int64, consumed: Int64) -> Bool {
        guard produced > limits.ratioGrace else { return false }
        let allowed = max(consumed, 1).multipliedReportingOverflow(by: Int64(limits.maxRatio))
        return !allowed.overflow && produced - limits.ratioGrace > allowed.partialValue
    }
}
