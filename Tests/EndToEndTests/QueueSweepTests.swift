import CustosTestSupport
import Foundation
import Testing

/// A fake GitHub token made at run time: `ghp_` and 36 random alphanumerics.
private func queueToken() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return "ghp_" + String((0..<36).map { _ in alphabet.randomElement()! })
}

/// A share shaped like an engineering share: files at the top, a dozen project folders, one of
/// them with 20 line folders (split into parts of its own), a secret repeated in two folders,
/// a `.custosignore` at the top that must keep working for every part, and `filler` plain files
/// per folder.
private struct GeneratedShare {
    let tree: TemporaryTree
    var tokens: [String: String] = [:]

    init(filler: Int) throws {
        var files: [String: String] = [".custosignore": "archive/\n"]
        var tokens: [String: String] = [:]
        func secret(_ path: String) {
            let token = queueToken()
            tokens[path] = token
            files[path] = "# deployment\nGITHUB_TOKEN=\(token)\n"
        }
        secret("top.env")
        secret("archive/old.env")  // ignored by the top's .custosignore, in every part
        for project in 0..<12 {
            secret("project-\(project)/deploy.env")
            for index in 0..<filler { files["project-\(project)/notes/n\(index).txt"] = "line \(index)\n" }
        }
        for line in 0..<20 {
            secret("lines/line-\(line)/plc/config.env")
            for index in 0..<filler { files["lines/line-\(line)/docs/d\(index).txt"] = "doc \(index)\n" }
        }
        files["lines/readme.env"] = files["project-3/deploy.env"]
        tree = try TemporaryTree(files)
        self.tokens = tokens
    }
}

/// What a site's published sweep says, in a fixed order: places and findings' statuses.
private func siteResult(_ postgres: TemporaryPostgres, _ site: String) throws -> String {
    let places = try postgres.sql("""
        SELECT string_agg(fingerprint || ' ' || path || ':' || line || ' ' || current, E'\\n' ORDER BY fingerprint, path)
        FROM custos.places WHERE site = '\(site)'
        """)
    let findings = try postgres.sql("""
        SELECT string_agg(fingerprint || ' ' || rule_id || ' ' || status, E'\\n' ORDER BY fingerprint)
        FROM custos.findings WHERE site = '\(site)'
        """)
    let files = try postgres.sql("SELECT files_seen FROM custos.sweeps WHERE site = '\(site)' ORDER BY sweep DESC LIMIT 1")
    return places + "\n--\n" + findings + "\n--\nfiles seen: " + files
}

/// A custos worker running in the background, its output thrown away.
private func startWorker(_ arguments: [String], environment: [String: String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CustosBinary.path)
    process.arguments = arguments
    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value }
    process.environment = merged
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

@Suite("custos sweep --queue: one share swept by many workers (end to end)", .serialized,
       .enabled(if: TemporaryPostgres.isInstalled, "needs PostgreSQL's initdb and pg_ctl (Debian's postgresql package)"))
struct QueueSweepTests {
    @Test("one share swept by 1 and by 2 workers ends with the same findings and places as a plain sweep, in a first and a second round")
    func sameAsOneSweep() throws {
        let postgres = try #require(try TemporaryPostgres.start())
        let share = try GeneratedShare(filler: 3)
        let states = try TemporaryTree()
        let url = postgres.url()
        func plain() throws -> CommandResult {
            try CustosBinary.run(["sweep", share.tree.path, "--state", states.url("plain.db").path, "--site", "plain",
                                  "--publish", url], environment: postgres.environment)
        }
        func queued(_ site: String, worker: String, run: String) -> [String] {
            ["sweep", share.tree.path, "--queue", url, "--site", site, "--worker-id", worker, "--run", run, "--threads", "2"]
        }
        func round(_ number: Int) throws {
            #expect(try plain().status == 1)
            let single = try CustosBinary.run(queued("one-worker", worker: "w1", run: "r\(number)"), environment: postgres.environment)
            #expect(single.status == 1, "\(single.stderr)")
            let pair = Locked<[CommandResult]>([])
            let commands = (0..<2).map { queued("two-workers", worker: "w\($0)", run: "r\(number)") }
            let environment = postgres.environment
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                if let result = try? CustosBinary.run(commands[index], environment: environment) {
                    pair.withLock { $0.append(result) }
                }
            }
            let results = pair.withLock { $0 }
            #expect(results.count == 2 && results.allSatisfy { $0.status == 1 }, "\(results.map(\.stderr))")
            #expect(results.map(\.stdout) == [results[0].stdout, results[0].stdout], "every worker reports the same run")
            let expected = try siteResult(postgres, "plain")
            #expect(try siteResult(postgres, "one-worker") == expected)
            #expect(try siteResult(postgres, "two-workers") == expected)
        }
        try round(1)
        #expect(try postgres.sql("SELECT count(*) FROM custos.places WHERE site = 'plain'") == "34",
                "33 secrets in 34 places; the ignored folder's is not among them")
        #expect(try postgres.sql("SELECT count(*) > 20 FROM custos.queue_items WHERE site = 'two-workers'") == "t",
                "the large folder is split into parts of its own")
        #expect(try postgres.sql("SELECT count(DISTINCT worker) FROM custos.queue_items WHERE site = 'two-workers'") == "2",
                "both workers swept parts")

        // Second round: one secret removed, one added, one moved.
        try FileManager.default.removeItem(atPath: share.tree.url("project-5/deploy.env").path)
        try Data("API=\(queueToken())\nGITHUB_TOKEN=\(queueToken())\n".utf8).write(to: share.tree.url("lines/line-7/new.env"))
        try FileManager.default.moveItem(atPath: share.tree.url("project-9/deploy.env").path,
                                         toPath: share.tree.url("project-10/moved.env").path)
        try round(2)
        #expect(try postgres.sql("SELECT new || ' ' || resolved FROM custos.sweeps WHERE site = 'two-workers' AND sweep = 2") == "2 1", "two new tokens, one removed (the moved one is the same finding)")
        #expect(try postgres.sql("SELECT count(*) FROM custos.queue_runs WHERE site = 'two-workers'") == "1",
                "a new run clears the settled one")
        for token in share.tokens.values {
            #expect(try postgres.sql("SELECT count(*) FROM custos.queue_findings WHERE secret_redacted LIKE '%\(token.suffix(12))%'") == "0")
        }
    }

    @Test("a worker killed with kill -9 mid-part gives its part back when its lease runs out, and another worker finishes the sweep")
    func killedWorker() throws {
        let postgres = try #require(try TemporaryPostgres.start())
        let share = try GeneratedShare(filler: 150)
        let states = try TemporaryTree()
        let url = postgres.url()
        #expect(try CustosBinary.run(["sweep", share.tree.path, "--state", states.url("plain.db").path, "--site", "plain",
                                      "--publish", url], environment: postgres.environment).status == 1)
        func arguments(_ worker: String) -> [String] {
            ["sweep", share.tree.path, "--queue", url, "--site", "sharded", "--worker-id", worker, "--lease", "2", "--threads", "1"]
        }
        // Stop the first worker while it holds a part, then kill it.
        var killedPart: String?
        for _ in 0..<20 where killedPart == nil {
            let first = try startWorker(arguments("doomed"), environment: postgres.environment)
            for _ in 0..<1000 where killedPart == nil && first.isRunning {
                let held = (try? postgres.sql("""
                    SELECT item FROM custos.queue_items WHERE site = 'sharded' AND state = 'claimed' AND worker = 'doomed'
                    """)) ?? ""
                guard !held.isEmpty else {
                    Thread.sleep(forTimeInterval: 0.01)
                    continue
                }
                kill(first.processIdentifier, SIGSTOP)
                let still = try postgres.sql("""
                    SELECT item FROM custos.queue_items WHERE site = 'sharded' AND state = 'claimed' AND worker = 'doomed'
                    """)
                if still.isEmpty {
                    kill(first.processIdentifier, SIGCONT)
                } else {
                    killedPart = still
                }
            }
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            if killedPart == nil { _ = try postgres.sql("DELETE FROM custos.queue_runs WHERE site = 'sharded'") }
        }
        let part = try #require(killedPart, "the first worker was stopped while holding a part")
        #expect(try postgres.sql("SELECT count(*) FROM custos.queue_places WHERE site = 'sharded' AND item = \(part)") == "0",
                "nothing of the killed worker's part was written")

        let rescuer = try CustosBinary.run(arguments("rescuer"), environment: postgres.environment)
        #expect(rescuer.status == 1, "\(rescuer.stderr)")
        #expect(try postgres.sql("SELECT worker || ' ' || attempts FROM custos.queue_items WHERE site = 'sharded' AND item = \(part)")
                == "rescuer 2", "the killed worker's part was taken over")
        #expect(try siteResult(postgres, "sharded") == siteResult(postgres, "plain"))
    }

    @Test("--queue refuses what it cannot honour: a second root, --state, no --site")
    func refusals() throws {
        let share = try GeneratedShare(filler: 0)
        let url = "postgresql://nobody@127.0.0.1:1/postgres?sslmode=disable"
        let twoRoots = try CustosBinary.run(["sweep", share.tree.path, share.tree.path, "--queue", url, "--site", "s"])
        #expect(twoRoots.status == 64 || twoRoots.status == 2)
        #expect(twoRoots.stderr.contains("exactly one root"))
        let withState = try CustosBinary.run(["sweep", share.tree.path, "--queue", url, "--site", "s", "--state", "/tmp/x.db"])
        #expect(withState.stderr.contains("drop --state"))
        let noSite = try CustosBinary.run(["sweep", share.tree.path, "--queue", url])
        #expect(noSite.stderr.contains("--site NAME"))
        let noState = try CustosBinary.run(["sweep", share.tree.path])
        #expect(noState.stderr.contains("--state FILE"))
    }
}
