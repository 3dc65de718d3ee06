import CVectorscan
import CustosCore
import CustosRules
import Foundation

/// Where a buffer sits in the file it came from, so findings get the path, line and column a
/// person can open. A large file is scanned as overlapping chunks: `acceptBefore` keeps a match
/// that starts in the overlap for the next chunk, which sees it whole.
public struct BlobRegion: Sendable {
    /// What the buffer's bytes belong to.
    public var origin: Origin
    /// The path rules' `paths:` globs are matched against (the origin as displayed).
    public var matchPath: String
    /// Byte offset of the buffer's first byte in the file.
    public var baseOffset: Int
    /// Line number (1-based) of the buffer's first byte.
    public var startLine: Int
    /// Code points between the start of that line and the buffer's first byte.
    public var startColumn: Int
    /// Only secrets starting before this buffer offset are reported.
    public var acceptBefore: Int
    /// Only secrets starting at or after this buffer offset are reported (the bytes before it
    /// are context that the previous chunk already reported on).
    public var acceptFrom: Int = 0

    public init(origin: Origin, baseOffset: Int = 0, startLine: Int = 1, startColumn: Int = 0,
                acceptBefore: Int = .max) {
        self.origin = origin
        matchPath = origin.matchPath
        self.baseOffset = baseOffset
        self.startLine = startLine
        self.startColumn = startColumn
        self.acceptBefore = acceptBefore
    }
}

/// One worker's matcher: its own Vectorscan scratch, PCRE2 match data and candidate buffer,
/// reused for every buffer it scans. Not thread-safe; make one per worker.
public final class SecretScanner {
    private let engine: Engine
    private let scratch: OpaquePointer?
    private let candidates: UnsafeMutablePointer<CandidateBuffer>
    private let regex: RegexWorkspace
    private var entropy = EntropyMeter()
    private var confirmed: [ConfirmedMatch] = []
    /// Secrets a specific rule recognised and its allow patterns cleared (a vendor default, a
    /// documented demo value): generic rules may not report them either.
    private var vetoed: [Range<Int>] = []

    /// When two rules report overlapping secrets and one of them is generic, keep the
    /// specific one. Off for `rules check`, which judges each rule alone.
    public var suppressGenericOverlaps = true
    /// Honour inline allow comments (`custos:allow` and its peers); off for an audit
    /// (`--ignore-allow-comments`).
    public var honorsAllowComments = true
    /// Apply rules limited to some paths (`paths:`) everywhere; `rules check` runs examples
    /// that have no path.
    public var ignorePathRestrictions = false
    /// Told about each confirmed match a filter dropped (for diagnostics; off in scans).
    public var onRejection: ((Rule, Rejection) -> Void)?
    /// Matches that filters dropped in this scanner's lifetime.
    public private(set) var rejectedCount = 0
    /// PCRE2 searches run to confirm candidates in this scanner's lifetime: the measure that
    /// shows confirmation stays linear on dense input.
    public private(set) var confirmationSearches = 0

    init(engine: Engine) {
        self.engine = engine
        scratch = engine.database?.makeScratch()
        candidates = .allocate(capacity: 1)
        candidates.initialize(to: CandidateBuffer(ruleCount: engine.rules.count))
        regex = RegexWorkspace(maxCaptureCount: engine.maxCaptureCount)
        confirmed.reserveCapacity(64)
    }

    deinit {
        candidates.pointee.deallocate()
        candidates.deinitialize(count: 1)
        candidates.deallocate()
        if let scratch { hs_free_scratch(scratch) }
    }

    /// Indexes of the rules whose prefilter reports a candidate in `buffer` (for `rules check`).
    public func candidateRules(in buffer: UnsafeRawBufferPointer) -> Set<Int> {
        collectCandidates(buffer)
        var rules = Set<Int>()
        for index in 0..<candidates.pointee.count {
            rules.insert(Int(candidates.pointee.runs[index].rule))
        }
        candidates.pointee.reset()
        return rules
    }

    /// Scans `buffer` and appends the confirmed, filtered findings in it to `findings`.
    public func scan(_ buffer: UnsafeRawBufferPointer, region: BlobRegion, into findings: inout FindingSink) {
        guard buffer.count > 0, let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        collectCandidates(buffer)
        guard candidates.pointee.count > 0 else { return }
        candidates.pointee.sortByRule()
        confirmed.removeAll(keepingCapacity: true)
        vetoed.removeAll(keepingCapacity: true)
        confirmCandidates(base, buffer.count, region: region)
        candidates.pointee.reset()
        guard !confirmed.isEmpty else { return }
        confirmed.sort { $0.secretStart != $1.secretStart ? $0.secretStart < $1.secretStart : $0.rule < $1.rule }
        if suppressGenericOverlaps { dropGenericOverlaps() }
        FindingBuilder(base: base, count: buffer.count, region: region)
            .build(confirmed, rules: engine.rules, into: &findings)
    }

    private func collectCandidates(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, let database = engine.database, let scratch else { return }
        let status = VectorscanRuntime.scan(database.database, base.assumingMemoryBound(to: CChar.self),
                                            UInt32(truncatingIfNeeded: buffer.count), scratch, recordCandidate,
                                            UnsafeMutableRawPointer(candidates))
        // HS_SCAN_TERMINATED cannot happen (the callback never stops the scan); any other
        // error leaves whatever candidates were recorded, which are still confirmed below.
        _ = status
    }

    /// Runs each rule's PCRE2 pattern once per candidate run, from the furthest point the
    /// match could start (bounded by the rule's width) and never before where the previous
    /// search of that rule stopped, so dense input costs linear time.
    private func confirmCandidates(_ subject: UnsafePointer<UInt8>, _ length: Int, region: BlobRegion) {
        var currentRule = -1
        var searchFrom = 0
        var ruleApplies = true
        let buffer = candidates.pointee
        for index in 0..<buffer.count {
            let run = buffer.runs[index]
            let ruleIndex = Int(run.rule)
            let compiled = engine.rules[ruleIndex]
            if ruleIndex != currentRule {
                currentRule = ruleIndex
                searchFrom = 0
                ruleApplies = ignorePathRestrictions || compiled.applies(toPath: region.matchPath)
            }
            guard ruleApplies else { continue }
            let last = Int(run.last)
            if last < searchFrom { continue }
            var start = max(searchFrom, Int(run.first) - (engine.database?.lookback[ruleIndex] ?? 0))
            while start <= last {
                confirmationSearches += 1
                guard let match = regex.firstMatch(compiled.regex, in: subject, length: length,
                                                   from: start, startLimit: last) else { break }
                consider(match, rule: ruleIndex, compiled, subject, length, region: region)
                start = match.end > match.start ? match.end : match.start + 1
            }
            searchFrom = max(start, last + 1)
        }
    }

    /// Applies the filters to one PCRE2 match and keeps it if it passes.
    private func consider(_ match: RegexMatch, rule ruleIndex: Int, _ compiled: CompiledRule,
                          _ subject: UnsafePointer<UInt8>, _ length: Int, region: BlobRegion) {
        guard let secret = regex.group(compiled.secretGroup), secret.lowerBound < region.acceptBefore,
              secret.lowerBound >= region.acceptFrom else { return }
        var identity = compiled.identityGroup.flatMap { regex.group($0) }
        let secretBytes = UnsafeBufferPointer(start: subject + secret.lowerBound, count: secret.count)
        if let rejection = rejection(compiled, secretBytes, match, subject, length) {
            if case .allowPattern = rejection, !compiled.isGeneric { vetoed.append(secret) }
            rejectedCount += 1
            onRejection?(compiled.rule, rejection)
            return
        }
        if let identity, PlaceholderSyntax.isTemplatePair(
            identity: UnsafeBufferPointer(start: subject + identity.lowerBound, count: identity.count), secret: secretBytes) {
            rejectedCount += 1
            onRejection?(compiled.rule, .placeholder(.templatePair))
            return
        }
        if identity == nil, let identityRegex = compiled.identityRegex {
            let from = max(0, match.start - compiled.identityWithin)
            let to = min(length, match.end + compiled.identityWithin)
            if regex.firstMatch(identityRegex, in: subject, length: to, from: from, startLimit: to) != nil {
                identity = regex.group(compiled.identityRegexGroup)
            }
        }
        confirmed.append(ConfirmedMatch(rule: ruleIndex, matchStart: match.start, matchEnd: match.end,
                                        secretStart: secret.lowerBound, secretEnd: secret.upperBound,
                                        identity: identity))
    }

    private func rejection(_ compiled: CompiledRule, _ secret: UnsafeBufferPointer<UInt8>, _ match: RegexMatch,
                           _ subject: UnsafePointer<UInt8>, _ length: Int) -> Rejection? {
        if secret.isEmpty { return .emptySecret }
        let matched = UnsafeBufferPointer(start: subject + match.start, count: match.end - match.start)
        if !compiled.keywords.contains(where: { PlaceholderFilter.contains(matched, lowercased: $0) }) {
            return .keywordMissing
        }
        if compiled.rule.minEntropy > 0 {
            let measured = entropy.bitsPerByte(secret)
            if measured < compiled.rule.minEntropy {
                return .lowEntropy(measured: measured, required: compiled.rule.minEntropy)
            }
        }
        if let why = PlaceholderFilter.reason(secret, strict: compiled.strictPlaceholders, generic: compiled.isGeneric) {
            return .placeholder(why)
        }
        for allow in compiled.allow {
            if regex.firstMatch(allow.regex, in: secret.baseAddress!, length: secret.count,
                                from: 0, startLimit: secret.count) != nil {
                return .allowPattern(allow.pattern)
            }
        }
        guard honorsAllowComments else { return nil }
        let lines = LineBounds.enclosing(match.start..<match.end, in: subject, length: length)
        if InlineAllow.present(in: UnsafeBufferPointer(start: subject + lines.lowerBound, count: lines.count)) {
            return .inlineAllowComment
        }
        if lines.lowerBound > 0 {
            let previous = LineBounds.enclosing(lines.lowerBound - 1..<lines.lowerBound - 1, in: subject, length: length)
            if InlineAllow.coversNextLine(UnsafeBufferPointer(start: subject + previous.lowerBound, count: previous.count)) {
                return .inlineAllowComment
            }
        }
        return nil
    }

    /// Drops a generic rule's match when a specific rule's secret overlaps it, or when a
    /// specific rule's allow pattern cleared that secret (`GenericPrecedence`).
    private func dropGenericOverlaps() {
        guard confirmed.contains(where: { engine.rules[$0.rule].isGeneric }) else { return }
        var specific: [Range<Int>] = vetoed
        for match in confirmed where !engine.rules[match.rule].isGeneric {
            specific.append(match.secretStart..<match.secretEnd)
        }
        let index = OverlapIndex(specific)
        guard !index.isEmpty else { return }
        confirmed.removeAll { engine.rules[$0.rule].isGeneric && index.overlaps($0.secretStart..<$0.secretEnd) }
    }
}

/// A PCRE2 match that passed every filter, in buffer offsets.
struct ConfirmedMatch {
    var rule: Int
    var matchStart: Int
    var matchEnd: Int
    var secretStart: Int
    var secretEnd: Int
    var identity: Range<Int>?
}

/// Line boundaries around a range, looking at most `limit` bytes either way.
enum LineBounds {
    /// Longer lines are cut: an allow marker sits next to the secret it silences.
    static let limit = 1024

    static func enclosing(_ range: Range<Int>, in subject: UnsafePointer<UInt8>, length: Int) -> Range<Int> {
        var start = range.lowerBound
        let floor = max(0, start - limit)
        while start > floor && subject[start - 1] != 0x0a { start -= 1 }
        var end = range.upperBound
        let ceiling = min(length, end + limit)
        while end < ceiling && subject[end] != 0x0a { end += 1 }
        return start..<end
    }
}

extension SecretScanner {
    /// Whether an inline allow comment covers the line holding `range` of `buffer` (or the
    /// line before it, for a next-line pragma); false when allow comments are not honoured.
    /// For findings made outside the rules (named values), which must obey the same comments.
    public func allowCommentCovers(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Bool {
        guard honorsAllowComments, let subject = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self),
              range.lowerBound >= 0, range.upperBound <= buffer.count else { return false }
        let lines = LineBounds.enclosing(range, in: subject, length: buffer.count)
        if InlineAllow.present(in: UnsafeBufferPointer(start: subject + lines.lowerBound, count: lines.count)) { return true }
        guard lines.lowerBound > 0 else { return false }
        let previous = LineBounds.enclosing(lines.lowerBound - 1..<lines.lowerBound - 1, in: subject, length: buffer.count)
        return InlineAllow.coversNextLine(UnsafeBufferPointer(start: subject + previous.lowerBound, count: previous.count))
    }
}

extension Snippet {
    /// The snippet for a secret at `range` of `buffer`: up to `FindingBuilder.snippetContext`
    /// characters either side, within its line.
    public static func around(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Snippet {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self),
              range.lowerBound >= 0, range.lowerBound <= range.upperBound, range.upperBound <= buffer.count else {
            return Snippet(before: "", after: "")
        }
        let floor = max(0, range.lowerBound - FindingBuilder.snippetContext)
        var lineStart = range.lowerBound
        while lineStart > floor && base[lineStart - 1] != 0x0a && base[lineStart - 1] != 0x0d { lineStart -= 1 }
        let builder = FindingBuilder(base: base, count: buffer.count, region: BlobRegion(origin: .standardInput))
        return builder.snippet(secretStart: range.lowerBound, secretEnd: range.upperBound, lineStart: lineStart)
    }
}
