import CustosCore

/// Where a worker's findings go: a list that folds repeats of one secret in one blob under
/// one rule into the first finding (`Finding.repeats`), so memory stays flat in the number
/// of occurrences (ten million `password=hunter2` lines are one finding), and caps the
/// distinct findings of one blob. Owned by one worker.
public struct FindingSink {
    public var findings: [Finding] = []
    /// Distinct findings one blob may add; further ones are counted, not kept.
    public var maxDistinctPerBlob: Int
    /// Findings of the current blob that did not fit under `maxDistinctPerBlob`.
    public private(set) var droppedInBlob = 0
    /// Where the current blob's findings start in `findings`.
    public private(set) var blobStart = 0
    /// Hash of (rule, secret) → indices of the current blob's findings with that hash.
    private var folds: [Int: [Int]] = [:]

    public static let defaultMaxDistinctPerBlob = 10_000

    public init(maxDistinctPerBlob: Int = FindingSink.defaultMaxDistinctPerBlob) {
        self.maxDistinctPerBlob = maxDistinctPerBlob
    }

    /// Starts folding afresh: what follows belongs to another blob.
    public mutating func beginBlob() {
        blobStart = findings.count
        droppedInBlob = 0
        folds.removeAll(keepingCapacity: true)
    }

    /// The current blob's findings.
    public var currentBlob: Range<Int> { blobStart..<findings.count }

    static func key(ruleID: String, secret: UnsafeRawBufferPointer, origin: Origin) -> Int {
        var hasher = Hasher()
        hasher.combine(ruleID)
        hasher.combine(bytes: secret)
        hasher.combine(origin)
        return hasher.finalize()
    }

    /// Folds an occurrence of `secret` under `ruleID` at `line` into an earlier finding of the
    /// current blob; false when there is none (the caller then adds a finding).
    mutating func fold(ruleID: String, secret: UnsafeRawBufferPointer, origin: Origin, line: Int) -> Bool {
        let key = Self.key(ruleID: ruleID, secret: secret, origin: origin)
        guard let candidates = folds[key] else { return false }
        for index in candidates where findings[index].ruleID == ruleID && findings[index].origin == origin
            && findings[index].secret.utf8.elementsEqual(secret) {
            if findings[index].repeats == nil { findings[index].repeats = Repeats() }
            findings[index].repeats?.add(line: line)
            return true
        }
        return false
    }

    /// Whether one more distinct finding fits in the current blob (counting it when not).
    mutating func admitsDistinct() -> Bool {
        guard findings.count - blobStart < maxDistinctPerBlob else {
            droppedInBlob += 1
            return false
        }
        return true
    }

    /// Adds a finding made in the current blob, folding it into an earlier one with the same
    /// rule, secret and origin.
    public mutating func append(_ finding: Finding) {
        let folded = Array(finding.secret.utf8).withUnsafeBytes {
            fold(ruleID: finding.ruleID, secret: $0, origin: finding.origin, line: finding.start.line)
        }
        guard !folded, admitsDistinct() else { return }
        record(finding)
    }

    /// Adds a finding known to be new, and remembers it for folding.
    mutating func record(_ finding: Finding) {
        let key = Array(finding.secret.utf8).withUnsafeBytes {
            Self.key(ruleID: finding.ruleID, secret: $0, origin: finding.origin)
        }
        folds[key, default: []].append(findings.count)
        findings.append(finding)
    }

    /// Drops findings of the current blob, keeping the fold index true.
    public mutating func removeFromCurrentBlob(where shouldRemove: (Finding) -> Bool) {
        let kept = findings[currentBlob].filter { !shouldRemove($0) }
        findings.removeSubrange(currentBlob)
        folds.removeAll(keepingCapacity: true)
        for finding in kept { record(finding) }
    }

    /// Takes the findings out, leaving the sink empty.
    public mutating func take() -> [Finding] {
        let taken = findings
        findings.removeAll(keepingCapacity: false)
        beginBlob()
        return taken
    }
}
