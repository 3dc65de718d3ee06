// The blobs of the packs as delta trees: each whole blob is a root, each delta a child of its
// base. Rebuilding a tree from its root applies each delta once to its already rebuilt base —
// what `git index-pack` does — where reading blobs one by one resolves each delta chain again
// (libgit2's cache keeps only chain bases). Trees are independent, so workers take whole trees
// from a shared list, largest first. Only the headers are read to build the forest; contents
// are rebuilt by the workers. A subtree holding no blob the scan wants is never rebuilt.
// Memory: a worker holds the contents along its current path from the root; past a budget the
// outer ones are dropped and rebuilt through the random-access reader when needed again.

import CustosCore
import Foundation

/// The blob delta forest of a repository's packs.
public struct GitBlobForest: Sendable {
    struct Node: Sendable {
        var pack: Int32
        var offset: UInt64
        var header: PackEntryHeader
        var id: ObjectID
        /// The base node, or -1 for a whole blob or a delta whose base is in another pack.
        var parent: Int32
    }

    var nodes: [Node] = []
    /// Children of node `n`: `children[childStart[n]..<childStart[n + 1]]`.
    var childStart: [Int32] = []
    var children: [Int32] = []
    /// Nodes with no base node in the forest.
    var roots: [Int32] = []

    /// Builds the forest from every pack's index and entry headers.
    public init(store: PackStore) {
        for (packNumber, pack) in store.packs.enumerated() {
            addPack(pack, packNumber: Int32(packNumber))
        }
        var counts = [Int32](repeating: 0, count: nodes.count + 1)
        for node in nodes where node.parent >= 0 { counts[Int(node.parent) + 1] += 1 }
        for index in 1..<counts.count { counts[index] += counts[index - 1] }
        childStart = counts
        var fill = counts
        children = [Int32](repeating: 0, count: nodes.count)
        for (number, node) in nodes.enumerated() {
            if node.parent >= 0 {
                children[Int(fill[Int(node.parent)])] = Int32(number)
                fill[Int(node.parent)] += 1
            } else {
                roots.append(Int32(number))
            }
        }
    }

    /// Adds the blob entries of one pack. Entries whose header is damaged are left out (they
    /// are read, or reported unreadable, one by one later).
    private mutating func addPack(_ pack: PackFile, packNumber: Int32) {
        let count = pack.index.count
        var entries: [(offset: UInt64, position: Int32)] = []
        entries.reserveCapacity(count)
        for position in 0..<count {
            if let offset = pack.index.offset(at: position) { entries.append((offset, Int32(position))) }
        }
        entries.sort { $0.offset < $1.offset }
        var headers: [PackEntryHeader?] = entries.map { pack.header(at: $0.offset) }
        func entryNumber(atOffset offset: UInt64) -> Int? {
            var low = 0
            var high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].offset == offset { return middle }
                if entries[middle].offset < offset { low = middle + 1 } else { high = middle }
            }
            return nil
        }
        // Each entry's base entry in this pack (-1: whole, -2: outside the pack or damaged).
        var baseEntry = [Int](repeating: -1, count: entries.count)
        for number in entries.indices {
            guard let header = headers[number] else { continue }
            switch header.kind {
            case .whole:
                break
            case let .deltaAtOffset(offset):
                baseEntry[number] = entryNumber(atOffset: offset) ?? -2
            case let .deltaOnObject(id):
                if let position = pack.index.position(of: id), let offset = pack.index.offset(at: position) {
                    baseEntry[number] = entryNumber(atOffset: offset) ?? -2
                } else {
                    baseEntry[number] = -2
                }
            }
            if baseEntry[number] == -2 && !Self.isDeltaOnObject(header) { headers[number] = nil }
        }
        // What each entry is, following delta chains to their whole base (memoised).
        var kinds = [UInt8](repeating: 0, count: entries.count)  // 0 unknown, 255 unknowable
        for start in entries.indices where kinds[start] == 0 {
            var chain: [Int] = []
            var current = start
            var kind: UInt8 = 255
            while chain.count <= GitObjectReader.maxChain {
                if kinds[current] != 0 { kind = kinds[current]; break }
                guard let header = headers[current] else { break }
                if case let .whole(wholeKind) = header.kind { kind = wholeKind.rawValue; chain.append(current); break }
                chain.append(current)
                let base = baseEntry[current]
                guard base >= 0 else {
                    // A delta on an object outside this pack: a blob if that object is one,
                    // which only reading it tells; the random-access path handles it.
                    kind = 255
                    break
                }
                current = base
            }
            for member in chain { kinds[member] = kind }
            if chain.isEmpty { kinds[start] = 255 }
        }
        var nodeNumber = [Int32](repeating: -1, count: entries.count)
        for number in entries.indices where kinds[number] == GitObjectKind.blob.rawValue {
            guard let header = headers[number] else { continue }
            nodeNumber[number] = Int32(nodes.count)
            nodes.append(Node(pack: packNumber, offset: entries[number].offset,
                              header: header, id: pack.index.id(at: Int(entries[number].position)), parent: -1))
        }
        for number in entries.indices where nodeNumber[number] >= 0 && baseEntry[number] >= 0 {
            nodes[Int(nodeNumber[number])].parent = nodeNumber[baseEntry[number]]
        }
    }

    private static func isDeltaOnObject(_ header: PackEntryHeader) -> Bool {
        if case .deltaOnObject = header.kind { return true }
        return false
    }

    public var blobCount: Int { nodes.count }

    // MARK: Rebuilding

    /// Which nodes a scan wants, and the trees worth rebuilding for them, largest first.
    public struct Plan: Sendable {
        let wanted: [Bool]
        /// Per node: whether it or something below it is wanted.
        let worthBuilding: [Bool]
        /// Roots of the trees to rebuild, the ones with the most wanted bytes first.
        public let units: [Int32]
    }

    /// Plans the rebuild of the nodes `wants` says yes to (asked once per node).
    public func plan(wants: (ObjectID, _ pack: Int) -> Bool) -> Plan {
        var wanted = [Bool](repeating: false, count: nodes.count)
        for (number, node) in nodes.enumerated() { wanted[number] = wants(node.id, Int(node.pack)) }
        var worth = wanted
        var weight = [Int](repeating: 0, count: nodes.count)
        // Children come after their base in pack order within a pack, but not always (REF
        // deltas): settle the flags by a post-order walk of each tree.
        for root in roots {
            var stack: [(node: Int32, next: Int32)] = [(root, childStart[Int(root)])]
            while var top = stack.popLast() {
                let end = childStart[Int(top.node) + 1]
                if top.next < end {
                    let child = children[Int(top.next)]
                    top.next += 1
                    stack.append(top)
                    stack.append((child, childStart[Int(child)]))
                } else {
                    let node = Int(top.node)
                    if wanted[node] { weight[node] &+= nodes[node].header.inflatedSize &+ 1 }
                    if let parent = stack.last {
                        let parentNode = Int(parent.node)
                        worth[parentNode] = worth[parentNode] || worth[node]
                        weight[parentNode] &+= weight[node]
                    }
                }
            }
        }
        let units = roots.filter { worth[Int($0)] }.sorted { weight[Int($0)] != weight[Int($1)] ? weight[Int($0)] > weight[Int($1)] : $0 < $1 }
        return Plan(wanted: wanted, worthBuilding: worth, units: units)
    }

    /// The ids of the blobs a plan rebuilds.
    public func wantedIDs(_ plan: Plan) -> [ObjectID] {
        nodes.indices.filter { plan.wanted[$0] }.map { nodes[$0].id }
    }

    /// Bytes of rebuilt content a worker keeps along its path before dropping outer ones.
    static let pathBudget = 256 << 20

    /// What went wrong rebuilding a node (its subtree could not be rebuilt from it).
    public struct Failure: Sendable {
        public var blob: ObjectID
        public var reason: String
    }

    /// Rebuilds the tree at `root`, calling `visit` with each wanted blob's id and bytes;
    /// returns the wanted blobs it could not rebuild.
    public func rebuild(_ root: Int32, plan: Plan, reader: GitObjectReader,
                        visit: (ObjectID, UnsafeRawBufferPointer) -> Void) -> [Failure] {
        var failures: [Failure] = []
        struct Frame {
            var node: Int32
            var content: [UInt8]?
            var next: Int32
        }
        var held = 0
        var stack: [Frame] = []
        func content(of node: Int32, base: [UInt8]?) -> Result<[UInt8], PackReadError> {
            let entry = nodes[Int(node)]
            do {
                if let base {
                    let delta = try reader.inflate(pack: Int(entry.pack), header: entry.header)
                    return .success(try Delta.apply(delta, to: base))
                }
                return .success(try reader.read(pack: Int(entry.pack), offset: entry.offset).bytes)
            } catch {
                return .failure(error)
            }
        }
        func failSubtree(_ node: Int32, _ reason: String) {
            var pending = [node]
            while let next = pending.popLast() {
                if plan.wanted[Int(next)] { failures.append(Failure(blob: nodes[Int(next)].id, reason: reason)) }
                let range = childStart[Int(next)]..<childStart[Int(next) + 1]
                pending += range.map { children[Int($0)] }.filter { plan.worthBuilding[Int($0)] }
            }
        }
        func enter(_ node: Int32, base: [UInt8]?) {
            switch content(of: node, base: base) {
            case let .failure(error):
                failSubtree(node, "\(error)")
            case let .success(bytes):
                if plan.wanted[Int(node)] { bytes.withUnsafeBytes { visit(nodes[Int(node)].id, $0) } }
                guard childStart[Int(node)] < childStart[Int(node) + 1] else { return }
                // Past the budget, drop the outermost contents still held (rebuilt on demand).
                held += bytes.count
                var outer = 0
                while held > Self.pathBudget, outer < stack.count {
                    if let dropped = stack[outer].content {
                        held -= dropped.count
                        stack[outer].content = nil
                    }
                    outer += 1
                }
                stack.append(Frame(node: node, content: bytes, next: childStart[Int(node)]))
            }
        }
        enter(root, base: nil)
        while !stack.isEmpty {
            let top = stack.count - 1
            let end = childStart[Int(stack[top].node) + 1]
            var child: Int32?
            while stack[top].next < end {
                let candidate = children[Int(stack[top].next)]
                stack[top].next += 1
                if plan.worthBuilding[Int(candidate)] { child = candidate; break }
            }
            guard let child else {
                held -= stack[top].content?.count ?? 0
                stack.removeLast()
                continue
            }
            if stack[top].content == nil {
                // Dropped for memory: rebuilt through the reader's own chain resolution.
                switch content(of: stack[top].node, base: nil) {
                case let .success(bytes):
                    stack[top].content = bytes
                    held += bytes.count
                case let .failure(error):
                    failSubtree(child, "\(error)")
                    continue
                }
            }
            enter(child, base: stack[top].content)
        }
        return failures
    }
}
