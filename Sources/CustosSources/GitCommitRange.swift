// The commits of a range `base..tip` as far as the repository holds them. libgit2 1.5's
// revision walk stops without a word at the first parent it cannot read, which in a shallow
// clone (CI's usual checkout) made every range scan empty and green; this walk notes what it
// could not see instead. It paints commits newest first, like git: commits reached from the tip
// are in the range until a commit reached from the base says otherwise, and it stops once every
// commit still queued is the base's and older than anything in the range (and a few commits
// more, git's slack for clock skew). What it leaves to others: diffing the commits (GitDiffReader) and deciding
// what a cut means for the exit status (the command line).

import CGit2
import CustosCore
import Foundation

/// What a range walk found: the commits to look at and what it could not see.
public struct CommitRange: Sendable {
    /// The commits of the range the repository holds, parents before children.
    public var commits: [ObjectID] = []
    /// Commits of the range with a parent the repository does not hold: history cut by a
    /// shallow clone or lost to damage. What lies behind them was not walked.
    public var cut: [ObjectID] = []
    /// Commits of the range that might belong to the base after all: the base's history is
    /// cut (shallow), and these are older than the cut, so the missing commits could lead to them.
    public var uncertain: [ObjectID] = []
}

/// Walks `base..tip` with the parents the repository holds.
struct CommitRangeWalk {
    let repository: GitRepository
    /// Base commits walked past the point where the walk could stop, in case a commit's clock
    /// ran behind its parent's (git's `SLOP`).
    static let slack = 5
    /// Commits looked at at most: a bound on the walk, far above any real history.
    static let maxCommits = 50_000_000

    private struct Entry {
        var id: ObjectID
        var time: Int64
        var isBase: Bool
    }

    private enum Mark {
        case range
        case base
    }

    func run(base: ObjectID, tip: ObjectID) -> CommitRange {
        var marks: [ObjectID: Mark] = [:]
        var times: [ObjectID: Int64] = [:]
        var parents: [ObjectID: [ObjectID]] = [:]
        var missing = Set<ObjectID>()
        var inRange: [ObjectID] = []
        var queue = TimeHeap()
        var rangeQueued = 0
        var oldestInRange = Int64.max
        /// The newest commit of the base whose parents are not all in the repository.
        var baseCutTime: Int64?

        func enqueue(_ id: ObjectID, as mark: Mark, childTime: Int64) {
            switch (marks[id], mark) {
            case (nil, _), (.range?, .base):
                marks[id] = mark
            default:
                return
            }
            let time = times[id] ?? load(id, times: &times, parents: &parents, missing: &missing) ?? childTime
            queue.push(Entry(id: id, time: time, isBase: mark == .base))
            if mark == .range { rangeQueued += 1 }
        }
        enqueue(base, as: .base, childTime: 0)
        enqueue(tip, as: .range, childTime: 0)
        var looked = 0
        var pastTheEnd = 0
        while let top = queue.peek(), looked < Self.maxCommits {
            if rangeQueued == 0 && top.time < oldestInRange {
                pastTheEnd += 1
                if pastTheEnd > Self.slack { break }
            } else {
                pastTheEnd = 0
            }
            let entry = queue.pop()!
            looked += 1
            if !entry.isBase {
                rangeQueued -= 1
                // Marked as the base's since it was queued: its base entry does the work.
                if marks[entry.id] == .base { continue }
            }
            guard let ids = parents[entry.id], !missing.contains(entry.id) else {
                continue  // not in the repository; children in the range are cut there
            }
            if entry.isBase {
                if ids.contains(where: { missing.contains($0) || load($0, times: &times, parents: &parents, missing: &missing) == nil }) {
                    baseCutTime = max(baseCutTime ?? .min, entry.time)
                }
                for parent in ids { enqueue(parent, as: .base, childTime: entry.time) }
            } else {
                inRange.append(entry.id)
                oldestInRange = min(oldestInRange, entry.time)
                for parent in ids { enqueue(parent, as: .range, childTime: entry.time) }
            }
        }
        var range = CommitRange()
        let members = inRange.filter { marks[$0] == .range }
        let memberSet = Set(members)
        range.commits = Self.parentsFirst(members, memberSet: memberSet, parents: parents)
        range.cut = range.commits.filter { id in
            (parents[id] ?? []).contains { missing.contains($0) && marks[$0] != .base }
        }
        if let baseCutTime {
            range.uncertain = range.commits.filter { (times[$0] ?? .min) <= baseCutTime }
        }
        return range
    }

    /// Reads a commit's time and parents; nil when the repository does not hold it.
    private func load(_ id: ObjectID, times: inout [ObjectID: Int64], parents: inout [ObjectID: [ObjectID]],
                      missing: inout Set<ObjectID>) -> Int64? {
        if let time = times[id] { return time }
        if missing.contains(id) { return nil }
        var oid = id.oid
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, repository.pointer, &oid) == 0, let commit else {
            missing.insert(id)
            return nil
        }
        defer { git_commit_free(commit) }
        let time = Int64(git_commit_time(commit))
        times[id] = time
        parents[id] = (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0).map { ObjectID($0.pointee) } }
        return time
    }

    /// `members` ordered so that every commit comes after its parents among them.
    static func parentsFirst(_ members: [ObjectID], memberSet: Set<ObjectID>, parents: [ObjectID: [ObjectID]]) -> [ObjectID] {
        var order: [ObjectID] = []
        var done = Set<ObjectID>()
        // Oldest first as found (the walk found them newest first), then depth-first post-order.
        for start in members.reversed() where !done.contains(start) {
            var stack: [(id: ObjectID, next: Int)] = [(start, 0)]
            var entered: Set<ObjectID> = [start]
            while var top = stack.popLast() {
                let ids = parents[top.id] ?? []
                if top.next < ids.count {
                    let parent = ids[top.next]
                    top.next += 1
                    stack.append(top)
                    if memberSet.contains(parent), !done.contains(parent), entered.insert(parent).inserted {
                        stack.append((parent, 0))
                    }
                } else if done.insert(top.id).inserted {
                    order.append(top.id)
                }
            }
        }
        return order
    }

    /// A max-heap of queue entries by commit time; ties go to the base, so the walk stops sooner.
    private struct TimeHeap {
        private var items: [Entry] = []

        func peek() -> Entry? { items.first }

        private static func before(_ a: Entry, _ b: Entry) -> Bool {
            a.time != b.time ? a.time > b.time : (a.isBase && !b.isBase)
        }

        mutating func push(_ entry: Entry) {
            items.append(entry)
            var child = items.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.before(items[child], items[parent]) else { break }
                items.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> Entry? {
            guard !items.isEmpty else { return nil }
            items.swapAt(0, items.count - 1)
            let top = items.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var best = parent
                if left < items.count, Self.before(items[left], items[best]) { best = left }
                if right < items.count, Self.before(items[right], items[best]) { best = right }
                if best == parent { break }
                items.swapAt(parent, best)
                parent = best
            }
            return top
        }
    }
}
