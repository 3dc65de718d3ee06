import CustosCore
import CustosEngine
import CustosOwners
import CustosRules
@testable import CustosSweep
import CustosTestSupport
import Foundation

/// One rule in the shape of GitHub's classic tokens, compiled once for every test.
let sweepEngine: Engine = {
    let rules = """
        rules:
          - id: github-classic-pat
            name: GitHub classic token
            pattern: '\\b(?P<secret>ghp_[A-Za-z0-9]{36})\\b'
            keywords: [ghp_]
            confidence: high
        """
    // swiftlint:disable:next force_try
    return try! Engine(ruleSet: RuleSet(RuleLoader.parse(yaml: rules, source: "test.yaml")), cacheDirectory: nil)
}()

/// A fake GitHub token made at run time: `ghp_` and 36 random alphanumerics.
func fakeToken() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return "ghp_" + String((0..<36).map { _ in alphabet.randomElement()! })
}

/// A share in a temporary folder and a state beside it (never inside it), swept on demand.
final class SweptShare {
    let share: TemporaryTree
    let stateFolder: TemporaryTree
    var registry: OwnersRegistry?
    var registryPath: String?
    /// Paths the sweep must fail to open, as a permission problem would (root reads anything).
    var unreadable: Set<String> = []

    init(_ files: [String: String] = [:]) throws {
        share = try TemporaryTree(files)
        stateFolder = try TemporaryTree()
    }

    var root: String { SweepRoots.normalize(share.path) }
    var statePath: String { stateFolder.url("state.db").path }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Runs one sweep (the state is opened and closed around it, as the command does).
    @discardableResult
    func sweep() throws -> SweepOutcome {
        let state = try SweepState.openForSweep(path: statePath)
        var sweep = Sweep(state: state, engine: sweepEngine, roots: [root], options: SweepOptions(threads: 2),
                          attribution: SweepAttribution(registry: registry, registryPath: registryPath, roots: [root]))
        let blocked = unreadable.map(self.path)
        let open = sweep.openFile
        sweep.openFile = { entry in
            if blocked.contains(entry.path) {
                errno = EACCES
                return -1
            }
            return open(entry)
        }
        return try sweep.run()
    }

    func history() throws -> SweepHistory {
        try SweepHistory.load(from: SweepState.openForReading(path: statePath))
    }

    func write(_ relative: String, _ text: String) throws { try share.write(relative, text) }

    func remove(_ relative: String) throws { try FileManager.default.removeItem(atPath: path(relative)) }

    /// Sets the modification time of a file without touching its bytes.
    func touch(_ relative: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)],
                                              ofItemAtPath: path(relative))
    }
}
