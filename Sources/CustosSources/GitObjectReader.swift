// Reading objects by id for one thread: from the shared packs (PackStore), rebuilding deltas
// through a cache of recently built objects so that reading versions of a file or tree in a
// row applies one delta each, not the whole chain; and through libgit2 for what the packs do
// not hold (loose objects). The cache is per thread and bounded in bytes; a thread that reads
// in pack order (GitBlobForest) needs none.

import CustosCore
import Foundation

/// An object's kind and bytes.
public struct GitObject: Sendable {
    public var kind: GitObjectKind
    public var bytes: [UInt8]
}

/// Reads objects by id. Not thread-safe: one per thread, all sharing one `PackStore`.
public final class GitObjectReader {
    let store: PackStore
    let repositoryPath: String
    private let inflater = Inflater()
    /// Opened the first time an object is not in the packs.
    private var fallback: GitRepository?
    private var cache: ObjectCache

    /// Delta chains followed at most (git writes 50, aggressive repacks 250).
    static let maxChain = 10_000

    public init(store: PackStore, repositoryPath: String, cacheBytes: Int = 32 << 20) {
        self.store = store
        self.repositoryPath = repositoryPath
        cache = ObjectCache(limit: cacheBytes)
    }

    /// The object with `id`, from the packs or else libgit2.
    public func read(_ id: ObjectID) throws(GitError) -> GitObject {
        try read(id, depth: 0)
    }

    private func read(_ id: ObjectID, depth: Int) throws(GitError) -> GitObject {
        if let (pack, offset) = store.locate(id) {
            do {
                return try read(pack: pack, offset: offset, depth: depth)
            } catch .notInPacks {
                // A delta on an object outside the packs that libgit2 cannot read either.
                throw GitError("object \(id): its delta base is in no pack")
            } catch {
                // Another copy (loose, or in a pack libgit2 reads and this reader does not) may be whole.
                if let object = try? libgit2().readObject(id) { return object }
                throw GitError("cannot read object \(id): \(error)")
            }
        }
        return try libgit2().readObject(id)
    }

    private func libgit2() throws(GitError) -> GitRepository {
        if let fallback { return fallback }
        let opened = try GitRepository(path: repositoryPath)
        fallback = opened
        return opened
    }

    /// Rebuilds the entry at `offset` of pack `number`: walks down its delta chain to a whole
    /// object or a cached one, then applies the deltas back up, caching each step.
    func read(pack number: Int, offset: UInt64, depth: Int = 0) throws(PackReadError) -> GitObject {
        let pack = store.packs[number]
        var chain: [PackEntryHeader] = []
        var chainOffsets: [UInt64] = []
        var current = offset
        var object: GitObject
        while true {
            if let cached = cache.object(pack: number, offset: current) {
                object = cached
                break
            }
            guard chain.count < Self.maxChain else { throw .damaged("delta chain longer than \(Self.maxChain)") }
            guard let header = pack.header(at: current) else { throw .damaged("entry header at offset \(current)") }
            switch header.kind {
            case let .whole(kind):
                object = GitObject(kind: kind, bytes: try inflater.inflate(pack, at: header.dataOffset, size: header.inflatedSize))
                if !chain.isEmpty { cache.add(object, pack: number, offset: current) }
            case let .deltaAtOffset(base):
                chain.append(header)
                chainOffsets.append(current)
                current = base
                continue
            case let .deltaOnObject(baseID):
                chain.append(header)
                chainOffsets.append(current)
                if let position = pack.index.position(of: baseID), let baseOffset = pack.index.offset(at: position) {
                    current = baseOffset
                    continue
                }
                guard depth < 8 else { throw .damaged("delta bases across packs nest too deep") }
                do {
                    object = try read(baseID, depth: depth + 1)
                } catch {
                    throw .notInPacks
                }
            }
            break
        }
        for (header, entryOffset) in zip(chain, chainOffsets).reversed() {
            let delta = try inflater.inflate(pack, at: header.dataOffset, size: header.inflatedSize)
            object.bytes = try Delta.apply(delta, to: object.bytes)
            cache.add(object, pack: number, offset: entryOffset)
        }
        return object
    }

    /// Inflates one whole entry or one delta's instructions, without following anything.
    func inflate(pack number: Int, header: PackEntryHeader) throws(PackReadError) -> [UInt8] {
        try inflater.inflate(store.packs[number], at: header.dataOffset, size: header.inflatedSize)
    }
}

/// Recently built objects by pack position, oldest dropped first once over a byte budget.
struct ObjectCache {
    private var objects: [UInt64: GitObject] = [:]
    private var order: [UInt64] = []
    private var first = 0
    private var bytes = 0
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    private static func key(pack: Int, offset: UInt64) -> UInt64 {
        UInt64(truncatingIfNeeded: pack) << 48 | (offset & 0xffff_ffff_ffff)
    }

    func object(pack: Int, offset: UInt64) -> GitObject? {
        objects[Self.key(pack: pack, offset: offset)]
    }

    mutating func add(_ object: GitObject, pack: Int, offset: UInt64) {
        guard object.bytes.count <= limit / 4 else { return }
        let key = Self.key(pack: pack, offset: offset)
        guard objects.updateValue(object, forKey: key) == nil else { return }
        order.append(key)
        bytes += object.bytes.count
        while bytes > limit, first < order.count {
            if let dropped = objects.removeValue(forKey: order[first]) { bytes -= dropped.bytes.count }
            first += 1
        }
        if first > 4096 && first * 2 > order.count {
            order.removeFirst(first)
            first = 0
        }
    }
}
