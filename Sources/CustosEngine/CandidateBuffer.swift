import CVectorscan

/// A run of candidate end offsets for one rule: Vectorscan reports every end offset of a
/// growing match (`password=hunter2…` fires once per character), so adjacent ends collapse
/// into one run and the confirming regex runs once per run, not once per end.
struct CandidateRun {
    var rule: UInt32
    var first: UInt32
    var last: UInt32
}

/// Storage the match callback writes into. A plain struct reached through a raw pointer, so
/// the callback does no reference counting; it grows by doubling and is reused for every
/// buffer, so a scan allocates only when a buffer has more candidates than any before it.
struct CandidateBuffer {
    var runs: UnsafeMutablePointer<CandidateRun>
    var count: Int
    var capacity: Int
    /// Per rule: index of its latest run in `runs`, or -1.
    var latestRun: UnsafeMutablePointer<Int32>
    let ruleCount: Int

    init(ruleCount: Int) {
        self.ruleCount = ruleCount
        capacity = 256
        count = 0
        runs = .allocate(capacity: capacity)
        latestRun = .allocate(capacity: max(ruleCount, 1))
        latestRun.initialize(repeating: -1, count: max(ruleCount, 1))
    }

    mutating func record(rule: UInt32, end: UInt32) {
        let latest = Int(latestRun[Int(rule)])
        if latest >= 0 {
            let last = runs[latest].last
            if end <= last &+ 1 && end >= runs[latest].first {
                if end > last { runs[latest].last = end }
                return
            }
        }
        if count == capacity { grow() }
        runs[count] = CandidateRun(rule: rule, first: end, last: end)
        latestRun[Int(rule)] = Int32(count)
        count += 1
    }

    /// Forgets the runs of the last buffer, keeping the storage.
    mutating func reset() {
        for index in 0..<count {
            latestRun[Int(runs[index].rule)] = -1
        }
        count = 0
    }

    /// Orders runs by rule, then by position, so each rule is confirmed left to right.
    mutating func sortByRule() {
        var view = UnsafeMutableBufferPointer(start: runs, count: count)
        view.sort {
            $0.rule != $1.rule ? $0.rule < $1.rule : $0.first < $1.first
        }
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<CandidateRun>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: runs, count: count)
        runs.deallocate()
        runs = bigger
        capacity *= 2
    }

    func deallocate() {
        runs.deallocate()
        latestRun.deallocate()
    }
}

/// Vectorscan's match callback: records the candidate and lets the scan go on.
let recordCandidate: match_event_handler = { id, _, to, _, context in
    let buffer = context!.assumingMemoryBound(to: CandidateBuffer.self)
    buffer.pointee.record(rule: id, end: UInt32(truncatingIfNeeded: to))
    return 0
}
