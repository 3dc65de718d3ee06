/// The one rule of precedence between findings: a generic rule's finding (trait `generic`)
/// gives way to a specific rule's finding over the same bytes of the same blob, and to a
/// value a specific rule recognised and cleared (a vendor default). The engine applies it
/// within each buffer; the end of every scan applies it again across what decoders added.
public struct OverlapIndex {
    private var starts: [Int] = []
    private var maxEnds: [Int] = []

    /// Indexes the specific secrets' ranges.
    public init(_ ranges: [Range<Int>]) {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        starts.reserveCapacity(sorted.count)
        maxEnds.reserveCapacity(sorted.count)
        for range in sorted {
            starts.append(range.lowerBound)
            maxEnds.append(max(maxEnds.last ?? Int.min, range.upperBound))
        }
    }

    public var isEmpty: Bool { starts.isEmpty }

    /// Whether any indexed range overlaps `range` (an empty range counts as its first byte),
    /// by one binary search over the prefix maximum of the ends.
    public func overlaps(_ range: Range<Int>) -> Bool {
        let upper = max(range.upperBound, range.lowerBound + 1)
        var low = 0
        var high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] < upper { low = mid + 1 } else { high = mid }
        }
        return low > 0 && maxEnds[low - 1] > range.lowerBound
    }
}

public enum GenericPrecedence {
    /// `findings` without the generic findings that give way to a specific finding over the
    /// same bytes of the same origin (and, for history, the same blob).
    public static func apply(to findings: [Finding], genericRules: Set<String>) -> [Finding] {
        guard !genericRules.isEmpty, findings.contains(where: { genericRules.contains($0.ruleID) }) else { return findings }
        var specific: [Origin: [Range<Int>]] = [:]
        for finding in findings where !genericRules.contains(finding.ruleID) {
            specific[finding.origin, default: []].append(finding.byteStart..<max(finding.byteEnd, finding.byteStart + 1))
        }
        let indexes = specific.mapValues(OverlapIndex.init)
        return findings.filter { finding in
            guard genericRules.contains(finding.ruleID), let index = indexes[finding.origin] else { return true }
            return !index.overlaps(finding.byteStart..<finding.byteEnd)
        }
    }
}
