@testable import CustosSources
import CustosTestSupport
import Foundation
import Testing

/// A repository whose files change in small steps over many commits, packed hard so its
/// blobs and trees are deep delta chains.
func deltaHeavyRepository(commits: Int = 40) throws -> TemporaryRepository {
    let repository = try TemporaryRepository()
    var lines = (0..<200).map { "line \($0) of a configuration file that changes a little each time" }
    for number in 0..<commits {
        lines[(number * 7) % lines.count] = "changed in commit \(number)"
        lines.append("appended \(number)")
        try repository.commit("step \(number)", ["config/app.cfg": lines.joined(separator: "\n") + "\n",
                                                  "docs/step\(number % 5).md": "step \(number)\n"])
    }
    try pack(repository, aggressive: true)
    return repository
}

/// Every object id of the repository, with its type, as git lists them.
func allObjects(_ repository: TemporaryRepository) throws -> [(id: ObjectID, type: String)] {
    try repository.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
        .split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let id = ObjectID(hex: Array(parts[0].utf8)) else { return nil }
            return (id, String(parts[1]))
        }
}

@Suite("Pack reader")
struct GitPackTests {
    @Test("every object read from the packs is byte for byte what libgit2 reads")
    func matchesLibgit2() throws {
        let repository = try deltaHeavyRepository()
        let opened = try GitRepository(path: repository.path)
        let store = PackStore(objectsDirectory: opened.objectsDirectory)
        #expect(store.packCount == 1)
        let reader = GitObjectReader(store: store, repositoryPath: repository.path, cacheBytes: 1 << 16)
        let objects = try allObjects(repository)
        #expect(objects.count > 100)
        for object in objects {
            #expect(store.packHolding(object.id) == 0)
            let ours = try reader.read(object.id)
            let theirs = try opened.readObject(object.id)
            #expect(ours.kind == theirs.kind && ours.bytes == theirs.bytes, "\(object.id)")
        }
    }

    @Test("rebuilding the blob delta trees gives every blob once, as libgit2 reads it")
    func forestRebuildsEveryBlob() throws {
        let repository = try deltaHeavyRepository()
        let opened = try GitRepository(path: repository.path)
        let store = PackStore(objectsDirectory: opened.objectsDirectory)
        let forest = GitBlobForest(store: store)
        let blobs = try allObjects(repository).filter { $0.type == "blob" }.map(\.id)
        #expect(forest.blobCount == blobs.count)
        #expect(forest.nodes.contains { $0.parent >= 0 })  // deltas there are
        let plan = forest.plan { _, _ in true }
        let reader = GitObjectReader(store: store, repositoryPath: repository.path)
        var seen: [ObjectID: [UInt8]] = [:]
        for unit in plan.units {
            let failures = forest.rebuild(unit, plan: plan, reader: reader) { id, bytes in
                #expect(seen[id] == nil)
                seen[id] = Array(bytes)
            }
            #expect(failures.isEmpty)
        }
        #expect(Set(seen.keys) == Set(blobs))
        for (id, bytes) in seen { #expect(try opened.readObject(id).bytes == bytes) }
    }

    @Test("a pack with damaged bytes gives errors for some objects and never a crash")
    func damagedPack() throws {
        let repository = try deltaHeavyRepository(commits: 12)
        let opened = try GitRepository(path: repository.path)
        let objects = try allObjects(repository)
        let packFolder = repository.tree.url(".git/objects/pack")
        let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: packFolder.path).first { $0.hasSuffix(".pack") })
        let packURL = packFolder.appendingPathComponent(pack)
        let original = try Data(contentsOf: packURL)
        chmod(packURL.path, 0o644)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<8 {
            var damaged = original
            for _ in 0..<(1 + round * 3) {
                let position = Int.random(in: 12..<damaged.count, using: &generator)
                damaged[position] = UInt8.random(in: 0...255, using: &generator)
            }
            if round == 7 { damaged = damaged.prefix(damaged.count * 2 / 3) }
            try damaged.write(to: packURL)
            let store = PackStore(objectsDirectory: opened.objectsDirectory)
            let reader = GitObjectReader(store: store, repositoryPath: repository.path)
            for object in objects { _ = try? reader.read(object.id) }
            let forest = GitBlobForest(store: store)
            let plan = forest.plan { _, _ in true }
            for unit in plan.units { _ = forest.rebuild(unit, plan: plan, reader: reader) { _, _ in } }
        }
    }

    @Test("object ids read from hex and print back the same; anything else is refused")
    func objectIDHex() {
        let hex = "0123456789abcdef0123456789ABCDEF01234567"
        #expect(ObjectID(hex: Array(hex.utf8))?.description == hex.lowercased())
        #expect(ObjectID(hex: Array("xyz".utf8)) == nil)
        #expect(ObjectID(hex: Array(String(repeating: "g", count: 40).utf8)) == nil)
    }

    @Test("the id set holds what was inserted, the all-zero id included, across growth")
    func idSet() {
        var set = ObjectIDSet(capacity: 4)
        let ids = (0..<5000).map { ObjectID(high: UInt64($0) &* 0x9e37_79b9_7f4a_7c15, middle: UInt64($0), low: 7) }
        let fresh = ids.map { set.insert($0) }
        #expect(fresh.allSatisfy { $0 })
        let again = set.insert(ids[17])
        #expect(!again)
        let zero = set.insert(ObjectID(high: 0, middle: 0, low: 0))
        #expect(zero)
        #expect(set.contains(ObjectID(high: 0, middle: 0, low: 0)))
        #expect(ids.allSatisfy { set.contains($0) })
        #expect(!set.contains(ObjectID(high: 1, middle: 2, low: 3)))
    }
}

/// Packs every object of a repository into one pack (deeper delta chains with `aggressive`)
/// and drops the loose copies. The object list is piped from rev-list inside one shell:
/// `git repack` hands pack-objects a pipe of its own, which in parallel test runs was seen to
/// carry other programs' output through inherited descriptors.
func pack(_ repository: TemporaryRepository, aggressive: Bool = false) throws {
    let options = aggressive ? "--depth=50 --window=250" : ""
    let script = "cd \"$0\" && git rev-list --objects --all < /dev/null | git pack-objects -q \(options) .git/objects/pack/pack > /dev/null && git prune-packed < /dev/null"
    let result = try Command.run(["sh", "-c", script, repository.path])
    guard result.status == 0 else { throw PackingFailed(message: result.stderr) }
}

struct PackingFailed: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
