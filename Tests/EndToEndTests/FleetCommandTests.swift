import CustosTestSupport
import Foundation
import Testing

/// A fake GitHub token made at run time: `ghp_` and 36 random alphanumerics.
private func fleetToken() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return "ghp_" + String((0..<36).map { _ in alphabet.randomElement()! })
}

/// A fake Stripe live secret key: `sk_live_` and 24 random alphanumerics.
private func stripeKey() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return "sk_live_" + String((0..<24).map { _ in alphabet.randomElement()! })
}

/// Three plants: a vendor token at all three, a Stripe key at B and C, one token only at A.
private struct ThreePlants {
    let vendorToken = fleetToken()
    let paymentKey = stripeKey()
    let localToken = fleetToken()
    let shares: [String: TemporaryTree]
    let states = try! TemporaryTree()

    init() throws {
        shares = [
            "plant-a": try TemporaryTree([
                "scada/vendor.env": "VENDOR_TOKEN=\(vendorToken)\n",
                "ops/deploy.env": "GITHUB_TOKEN=\(localToken)\n",
                "docs/readme.txt": "nothing here\n",
            ]),
            "plant-b": try TemporaryTree([
                "hmi/vendor.env": "VENDOR_TOKEN=\(vendorToken)\n",
                "billing/app.env": "STRIPE_KEY=\(paymentKey)\n",
            ]),
            "plant-c": try TemporaryTree([
                "remote/vendor.env": "VENDOR_TOKEN=\(vendorToken)\n",
                "shop/app.env": "STRIPE_KEY=\(paymentKey)\n",
            ]),
        ]
    }

    var secrets: [String] { [vendorToken, paymentKey, localToken] }

    func state(_ site: String) -> String { states.url("\(site).db").path }

    func sweepArguments(_ site: String, publish url: String) -> [String] {
        ["sweep", shares[site]!.path, "--state", state(site), "--site", site, "--publish", url]
    }

    func sweep(_ site: String, publish url: String, environment: [String: String]) throws -> CommandResult {
        try CustosBinary.run(sweepArguments(site, publish: url), environment: environment)
    }
}

/// Every custos table's rows as text, in a fixed order (what "nothing changed" compares).
private func dumpFleet(_ postgres: TemporaryPostgres) throws -> String {
    try ["sites", "sweeps", "findings", "places"].map { table in
        try postgres.sql("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM custos.\(table) t")
    }.joined(separator: "\n--\n")
}

/// The sites of every credential the fleet view calls shared, widest first.
private func sharedSites(_ postgres: TemporaryPostgres) throws -> [String] {
    try postgres.sql("SELECT array_to_string(sites, ',') FROM custos.shared_credentials ORDER BY site_count DESC, 1")
        .split(separator: "\n").map(String.init)
}

private struct FleetJSON: Decodable {
    struct Shared: Decodable {
        var sites: [String]
        var ruleIDs: [String]
        var secretRedacted: String
    }
    struct Site: Decodable {
        var site: String
        var open: Int
    }
    var shared: [Shared]
    var sites: [Site]
}

@Suite("custos fleet: sweeps published to PostgreSQL (end to end)", .serialized,
       .enabled(if: TemporaryPostgres.isInstalled, "needs PostgreSQL's initdb and pg_ctl (Debian's postgresql package)"))
struct FleetCommandTests {
    @Test("three plants swept in parallel: one query and the fleet report name every shared credential with its sites; a removal shrinks its blast radius; publishing twice changes nothing; no secret reaches the database")
    func threePlants() throws {
        let postgres = try #require(try TemporaryPostgres.start())
        let plants = try ThreePlants()
        let url = postgres.url()
        let sites = ["plant-a", "plant-b", "plant-c"]
        let results = Locked<[String: CommandResult]>([:])
        let commands = sites.map { plants.sweepArguments($0, publish: url) }
        let environment = postgres.environment
        DispatchQueue.concurrentPerform(iterations: sites.count) { index in
            let result = try? CustosBinary.run(commands[index], environment: environment)
            results.withLock { $0[sites[index]] = result }
        }
        for site in sites {
            let result = try #require(results.withLock { $0[site] })
            #expect(result.status == 1, "new findings at \(site): \(result.stderr)")
            #expect(result.stderr.contains("custos: published site \(site):"), "\(result.stderr)")
        }
        #expect(try sharedSites(postgres) == ["plant-a,plant-b,plant-c", "plant-b,plant-c"])

        let report = try CustosBinary.run(["fleet", "report", "--db", url, "--format", "json"], environment: postgres.environment)
        #expect(report.status == 0, "\(report.stderr)")
        let fleet = try JSONDecoder().decode(FleetJSON.self, from: Data(report.stdout.utf8))
        #expect(fleet.shared.map(\.sites) == [["plant-a", "plant-b", "plant-c"], ["plant-b", "plant-c"]])
        #expect(fleet.sites.map(\.site).sorted() == sites)
        #expect(fleet.sites.first { $0.site == "plant-a" }?.open == 2)
        let markdown = try CustosBinary.run(["fleet", "report", "--db", url, "--fail-on-shared"], environment: postgres.environment)
        #expect(markdown.status == 1, "shared credentials fail --fail-on-shared")
        #expect(markdown.stdout.contains("3: plant-a, plant-b, plant-c"))

        // Nothing secret in any table.
        let everything = try dumpFleet(postgres)
        for secret in plants.secrets {
            #expect(!everything.contains(secret))
            #expect(!everything.contains(String(secret.suffix(20))))
        }

        // Publishing the same state again writes nothing.
        let again = try CustosBinary.run(["fleet", "publish", "--state", plants.state("plant-b"), "--site", "plant-b", "--db", url],
                                         environment: postgres.environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("already up to date"), "\(again.stdout)")
        #expect(try dumpFleet(postgres) == everything)

        // Plant C removes the vendor token: its blast radius is plants A and B.
        try plants.shares["plant-c"]!.write("remote/vendor.env", Data("VENDOR_TOKEN=\n".utf8))
        let second = try plants.sweep("plant-c", publish: url, environment: postgres.environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try sharedSites(postgres) == ["plant-a,plant-b", "plant-b,plant-c"])
        #expect(try postgres.sql("SELECT status FROM custos.findings WHERE site = 'plant-c' ORDER BY status") == "open\nresolved")
        #expect(try postgres.sql("SELECT count(*) FROM custos.sweeps WHERE site = 'plant-c'") == "2")
    }

    @Test("a publish cut off by the server stopping mid-way leaves nothing half-written, and the next sweep publishes the backlog")
    func interruptedPublish() throws {
        let postgres = try #require(try TemporaryPostgres.start())
        let plants = try ThreePlants()
        let url = postgres.url()
        let first = try plants.sweep("plant-a", publish: url, environment: postgres.environment)
        #expect(first.status == 1, "\(first.stderr)")

        // Another session holds the places table, so plant B's publish waits inside its transaction.
        let holder = try postgres.background("BEGIN; LOCK TABLE custos.places IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120);")
        defer { holder.terminate() }
        let publishing = Locked<CommandResult?>(nil)
        let done = DispatchSemaphore(value: 0)
        let command = plants.sweepArguments("plant-b", publish: url)
        let environment = postgres.environment
        DispatchQueue.global().async {
            let result = try? CustosBinary.run(command, environment: environment)
            publishing.withLock { $0 = result }
            done.signal()
        }
        var waiting = false
        for _ in 0..<600 where !waiting {
            Thread.sleep(forTimeInterval: 0.1)
            waiting = (try? postgres.sql("SELECT count(*) FROM pg_locks WHERE NOT granted")) ?? "0" != "0"
        }
        #expect(waiting, "the publish reached the locked table")
        try postgres.stopServer()
        #expect(done.wait(timeout: .now() + 60) == .success)
        let cut = try #require(publishing.withLock { $0 })
        #expect(cut.status == 3, "an unpublished sweep is incomplete, not clean: \(cut.stderr)")
        #expect(cut.stderr.contains("the sweep is complete and kept in"))

        try postgres.startServer()
        #expect(try postgres.sql("SELECT count(*) FROM custos.findings WHERE site = 'plant-b'") == "0", "nothing half-written")
        let next = try plants.sweep("plant-b", publish: url, environment: postgres.environment)
        #expect(next.status == 0, "nothing new in the second sweep: \(next.stderr)")
        #expect(try postgres.sql("SELECT count(*) FROM custos.sweeps WHERE site = 'plant-b'") == "2", "both sweeps published")
        #expect(try postgres.sql("SELECT count(*) FROM custos.findings WHERE site = 'plant-b'") == "2")
        #expect(try sharedSites(postgres) == ["plant-a,plant-b"])
    }

    @Test("a plant that cannot reach the database completes its sweep, says so, exits 3; `fleet publish` sends it later")
    func unreachableDatabase() throws {
        let postgres = try #require(try TemporaryPostgres.start())
        let plants = try ThreePlants()
        try postgres.stopServer()
        let offline = try plants.sweep("plant-c", publish: postgres.url(), environment: postgres.environment)
        #expect(offline.status == 3, "\(offline.stderr)")
        #expect(offline.stdout.contains("sweep 1: 2 new"), "the local sweep ran: \(offline.stdout)")
        #expect(!offline.stderr.contains(postgres.password), "no password in messages")

        try postgres.startServer()
        let later = try CustosBinary.run(["fleet", "publish", "--state", plants.state("plant-c"), "--site", "plant-c",
                                          "--db", postgres.url()], environment: postgres.environment)
        #expect(later.status == 0, "\(later.stderr)")
        #expect(try postgres.sql("SELECT count(*) FROM custos.findings WHERE site = 'plant-c'") == "2")
    }

    @Test("custos who --db answers from every plant: where the secret is, at which sites")
    func whoAcrossPlants() throws {
        let postgres = try #require(try TemporaryPostgres.start())
        let plants = try ThreePlants()
        for site in ["plant-a", "plant-b", "plant-c"] {
            _ = try plants.sweep(site, publish: postgres.url(), environment: postgres.environment)
        }
        let who = try Command.run([CustosBinary.path, "who", "--db", postgres.url(), "--format", "json"],
                                  environment: postgres.environment, input: Data(plants.paymentKey.utf8))
        #expect(who.status == 0, "\(who.stderr)")
        #expect(who.stdout.contains("plant-b") && who.stdout.contains("plant-c") && !who.stdout.contains("plant-a"))
        #expect(who.stdout.contains("billing/app.env") && who.stdout.contains("shop/app.env"))
        #expect(!who.stdout.contains(plants.paymentKey))

        let unknown = try Command.run([CustosBinary.path, "who", "--db", postgres.url()],
                                      environment: postgres.environment, input: Data(fleetToken().utf8))
        #expect(unknown.status == 1, "an unknown secret: \(unknown.stderr)")
    }

    @Test("a database with a newer custos schema is refused before anything is written")
    func newerSchema() throws {
        let postgres = try #require(try TemporaryPostgres.start())
        let plants = try ThreePlants()
        _ = try postgres.sql("CREATE SCHEMA custos; CREATE TABLE custos.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO custos.schema_version(version) VALUES (99)")
        let result = try plants.sweep("plant-a", publish: postgres.url(), environment: postgres.environment)
        #expect(result.status == 3)
        #expect(result.stderr.contains("schema 99"), "\(result.stderr)")
        #expect(try postgres.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'custos'") == "1")
    }
}
