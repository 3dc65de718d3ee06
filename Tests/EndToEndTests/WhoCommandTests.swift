import CustosTestSupport
import Foundation
import Testing

/// The multi-plant fixture (fixtures/plants, written by its generate.py): three shares scanned or
/// swept as three roots, and a registry outside them that uses every registry field.
enum Plants {
    static let folder = PackageRoot.path("fixtures/plants")
    static let roots = ["plant-a", "plant-b", "plant-c"]
    static let registry = "registry/owners.yaml"

    /// The fake secrets the generator planted, by name.
    static func secret(_ name: String) throws -> String {
        let lines = try String(contentsOfFile: folder + "/secrets.tsv", encoding: .utf8).split(separator: "\n")
        let line = try #require(lines.first { $0.hasPrefix(name + "\t") })
        return String(line.split(separator: "\t")[1])
    }

    /// `custos ARGS` run in the fixture's folder.
    static func run(_ arguments: [String], input: Data? = nil) throws -> CommandResult {
        try Command.run([CustosBinary.path] + arguments, in: folder, input: input)
    }

    /// A scan report of the three roots with the registry, written outside the fixture.
    static func scanReport(in out: TemporaryTree) throws -> String {
        let path = out.url("scan.json").path
        let result = try run(["scan"] + roots + ["--owners", registry, "--format", "json", "--output", path])
        #expect(result.status == 1, "\(result.stderr)")
        return path
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func findings(_ report: String) throws -> [[String: Any]] {
        try #require(try json(String(contentsOfFile: report, encoding: .utf8))["findings"] as? [[String: Any]])
    }
}

@Suite("custos who and governance verdicts on the multi-plant fixture (end to end)", .serialized)
struct WhoCommandTests {
    @Test("one finding per secret and place, verdicts as attributes: 8 findings, the historian password shared at 3 places on each of its three")
    func verdictsAsAttributes() throws {
        let out = try TemporaryTree()
        let findings = try Plants.findings(Plants.scanReport(in: out))
        #expect(findings.count == 8, "no second finding per verdict")
        #expect(!findings.contains { ($0["rule_id"] as? String)?.hasPrefix("custos.") == true })
        func verdicts(_ path: String) -> [String] {
            findings.first { ($0["path"] as? String) == path }?["verdicts"] as? [String] ?? []
        }
        let historian = findings.filter { ($0["ownership"] as? [String: Any])?["identity_id"] as? String == "historian-collector" }
        #expect(historian.count == 3)
        #expect(historian.allSatisfy { $0["verdicts"] as? [String] == ["shared"] && ($0["related"] as? [Any])?.count == 3 })
        #expect(Set(historian.compactMap { $0["place"] as? String }) == ["plant-a", "plant-b", "plant-c"])
        #expect(verdicts("plant-b/it/emergency-access.md") == ["break-glass"])
        #expect(findings.first { ($0["path"] as? String) == "plant-b/it/emergency-access.md" }?["severity"] as? String == "critical")
        #expect(verdicts("plant-b/scada/opc-client.ini") == ["expired"])
        #expect(verdicts("plant-c/vendor/remote-access.env") == ["outside-access-window", "vendor"])
        #expect(verdicts("plant-a/mes/integration.yaml") == ["no-revoker"])
        #expect(verdicts("plant-b/tools/billing.py") == ["unowned"])
        // Selectors matched relative to a site's folder (scada/**) and to the registry's root.
        let scada = try #require(findings.first { ($0["path"] as? String) == "plant-b/scada/opc-client.ini" }?["ownership"] as? [String: Any])
        #expect(scada["identity_id"] as? String == "scada-line3-archive")
        #expect(scada["revocation_impact"] as? String == "shutdown-window")
    }

    @Test("by secret on standard input, against the scan report: owner, secondary, revoker, what depends on it, impact, every place, in order — never the secret")
    func bySecretFromReport() throws {
        let out = try TemporaryTree()
        let report = try Plants.scanReport(in: out)
        let secret = try Plants.secret("historian")
        let answer = try Plants.run(["who", "--report", report, "--owners", Plants.registry], input: Data((secret + "\n").utf8))
        #expect(answer.status == 0, "\(answer.stderr)")
        let text = answer.stdout
        for expected in ["historian-collector (service-account)", "OT Platform Team; secondary: Plant A Automation",
                         "OT security lead <+49 30 5550 1010>", "Plant A operations manager <+49 30 5550 1020>",
                         "Line 3 historian, OEE dashboard, MES batch records", "coordinate: Revoking it affects production",
                         "store and forward", "hist-a.plant.internal", "OT on-call engineer <+49 30 5550 1000> → Plant security officer",
                         "plant-a/historian/connection.properties:2", "plant-c/historian/collector.env:1", "valid until 2030-01-01",
                         "[shared at 3 places]"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        let order = ["1. Contain", "2. Coordinate", "3. Revoke", "4. Rotate everywhere it is used", "5. Verify", "6. Record"]
            .map { text.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && zip(order, order.dropFirst()).allSatisfy { $0! < $1! }, "the steps in the order to act")
        #expect(!text.contains(secret) && !answer.stderr.contains(secret))
        let unknown = try Plants.run(["who", "--report", report], input: Data("not-a-leaked-secret-at-all".utf8))
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("not found"))
    }

    @Test("by finding id and by fingerprint against the scan report, JSON for automation")
    func byIDAndFingerprint() throws {
        let out = try TemporaryTree()
        let report = try Plants.scanReport(in: out)
        let glass = try #require(try Plants.findings(report).first { ($0["path"] as? String) == "plant-b/it/emergency-access.md" })
        let id = try #require(glass["id"] as? String)
        let byID = try Plants.json(Plants.run(["who", "--report", report, "--finding", id, "--format", "json"]).stdout)
        #expect(byID["schema"] as? String == "custos-who/1")
        #expect(byID["severity"] as? String == "critical")
        #expect((byID["ownership"] as? [String: Any])?["kind"] as? String == "break-glass")
        let record = try #require((byID["findings"] as? [[String: Any]])?.first)
        #expect(record["fingerprint"] as? String == glass["fingerprint"] as? String)
        #expect((record["places"] as? [[String: Any]])?.first?["id"] as? String == id)
        let plan = (byID["plan"] as? [[String: Any]])?.compactMap { $0["step"] as? String }
        #expect(plan == ["Contain", "Coordinate", "Revoke", "Rotate everywhere it is used", "Verify", "Record"])
        let byFingerprint = try Plants.run(["who", "--report", report, "--fingerprint", try #require(glass["fingerprint"] as? String)])
        #expect(byFingerprint.status == 0)
        #expect(byFingerprint.stdout.contains("find out who used it"), "a break-glass use is investigated first")
        let wrong = try Plants.run(["who", "--report", report, "--finding", "F-0000000000"])
        #expect(wrong.status == 2 && wrong.stderr.contains("no finding F-0000000000"))
    }

    @Test("against a sweep state: by secret and by fingerprint, a place cleaned since is listed as before with its first and last sweep")
    func fromSweepState() throws {
        let share = try TemporaryTree()
        for root in Plants.roots {
            try FileManager.default.copyItem(atPath: Plants.folder + "/" + root, toPath: share.url(root).path)
        }
        try FileManager.default.copyItem(atPath: Plants.folder + "/registry", toPath: share.url("registry").path)
        let out = try TemporaryTree()
        let state = out.url("state.db").path
        let sweep = ["sweep"] + Plants.roots.map { share.url($0).path } + ["--owners", share.url("registry/owners.yaml").path, "--state", state]
        #expect(try Command.run([CustosBinary.path] + sweep).status == 1)
        try FileManager.default.removeItem(at: share.url("plant-c/historian/collector.env"))
        #expect(try Command.run([CustosBinary.path] + sweep + ["--fail-on", "never"]).status == 0)
        let secret = try Plants.secret("historian")
        let answer = try Command.run([CustosBinary.path, "who", "--state", state, "--format", "json"], input: Data(secret.utf8))
        #expect(answer.status == 0, "\(answer.stderr)")
        let json = try Plants.json(answer.stdout)
        let places = try #require((json["findings"] as? [[String: Any]])?.first?["places"] as? [[String: Any]])
        #expect(places.filter { $0["current"] as? Bool == true }.count == 2)
        let gone = try #require(places.first { $0["current"] as? Bool == false })
        #expect((gone["path"] as? String)?.hasSuffix("plant-c/historian/collector.env") == true)
        #expect((gone["first_seen"] as? String)?.contains("sweep 1") == true)
        #expect((gone["last_seen"] as? String)?.contains("sweep 1") == true)
        #expect((json["ownership"] as? [String: Any])?["owner"] as? String == "OT Platform Team", "the state recorded the owner")
        let fingerprint = try #require((json["findings"] as? [[String: Any]])?.first?["fingerprint"] as? String)
        let byFingerprint = try Command.run([CustosBinary.path, "who", "--state", state, "--fingerprint", fingerprint])
        #expect(byFingerprint.stdout.contains("before") && byFingerprint.stdout.contains("now"))
        #expect(byFingerprint.stdout.contains("Found at 2 places now and 1 before"))
    }

    @Test("--playbook writes the Markdown incident playbook in the order to act")
    func playbook() throws {
        let out = try TemporaryTree()
        let report = try Plants.scanReport(in: out)
        let playbook = out.url("incident.md").path
        let result = try Plants.run(["who", "--report", report, "--owners", Plants.registry, "--playbook", "--output", playbook],
                                    input: Data(try Plants.secret("scada").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let markdown = try String(contentsOfFile: playbook, encoding: .utf8)
        #expect(markdown.hasPrefix("# Incident playbook: the secret "))
        let steps = ["### 1. Contain", "### 2. Coordinate", "### 3. Revoke", "### 4. Rotate everywhere it is used", "### 5. Verify", "### 6. Record"]
            .map { markdown.range(of: $0)?.lowerBound }
        #expect(steps.allSatisfy { $0 != nil } && zip(steps, steps.dropFirst()).allSatisfy { $0! < $1! })
        #expect(markdown.contains("Revoking it stops production: revoke only in a planned shutdown window."))
        #expect(markdown.contains("Must stay reachable for a safe shutdown: line 3 safety PLC HMI"))
        #expect(markdown.contains("- [ ] "), "actions are a checklist")
        #expect(markdown.contains("expired since 2024-06-30"))
        #expect(!markdown.contains(try Plants.secret("scada")))
    }

    @Test("triage order: the break-glass finding first in the by-owner report and the text report, then by score")
    func triageOrder() throws {
        let out = try TemporaryTree()
        let result = try Plants.run(["report", "--by-owner"] + Plants.roots + ["--owners", Plants.registry, "--output-dir", out.path])
        #expect(result.status == 1, "\(result.stderr)")
        let markdown = try String(contentsOfFile: out.url("owners.md").path, encoding: .utf8)
        let owners = markdown.split(separator: "\n").filter { $0.hasPrefix("## ") && $0 != "## Summary" }.map { String($0.dropFirst(3)) }
        #expect(owners.first == "Plant Security", "\(owners)")
        #expect(owners.firstIndex(of: "OT Platform Team")! < owners.firstIndex(of: "MES Integration Team")!)
        // Each section opens with its most urgent item; their scores never rise down the page.
        let scores = markdown.split(separator: "\n").filter { $0.hasPrefix("**Act first:") }.compactMap { line -> Int? in
            guard let range = line.range(of: "— triage ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        #expect(scores.count == owners.count && scores == scores.sorted(by: >), "\(scores)")
        let text = try Plants.run(["scan"] + Plants.roots + ["--owners", Plants.registry]).stdout
        #expect(text.hasPrefix("== Owner: Plant Security"), "\(text.prefix(200))")
        #expect(markdown.contains("### Identity authority gap: nobody may revoke"))
        #expect(markdown.contains("- **mes-ci-token** (owner MES Integration Team)"))
        #expect(markdown.contains("- **unregistered**"))
    }

    @Test("a baseline silences a governed finding (its verdicts go with it): exit 0; --fail-on picks findings by verdict")
    func baselineAndFailOn() throws {
        let out = try TemporaryTree()
        let baseline = out.url("baseline.json").path
        #expect(try Plants.run(["baseline", "create"] + Plants.roots + ["--output", baseline]).status == 0)
        let silenced = try Plants.run(["scan"] + Plants.roots + ["--owners", Plants.registry, "--baseline", baseline])
        #expect(silenced.status == 0, "\(silenced.stdout)")
        let glass = try Plants.run(["scan", "plant-b", "--owners", Plants.registry, "--fail-on", "break-glass"])
        #expect(glass.status == 1)
        let plantA = try Plants.run(["scan", "plant-a", "--owners", Plants.registry, "--fail-on", "break-glass", "--fail-on", "expired"])
        #expect(plantA.status == 0, "plant A has findings, but none break-glass or expired")
        #expect(plantA.stdout.contains("github-classic-pat"))
        let bad = try Plants.run(["scan", "plant-a", "--fail-on", "stale"])
        #expect(bad.status == 2)
    }

    @Test("without a registry, scan roots are places: the historian password under three roots is shared")
    func sharedWithoutRegistry() throws {
        let out = try TemporaryTree()
        let path = out.url("scan.json").path
        _ = try Plants.run(["scan"] + Plants.roots + ["--format", "json", "--output", path])
        let historian = try Plants.findings(path).filter { ($0["identity"] as? String) == "svc_historian" }
        #expect(historian.count == 3)
        #expect(historian.allSatisfy { ($0["verdicts"] as? [String]) == ["shared"] && $0["ownership"] == nil })
        let named = try Plants.run(["scan", "plant-a", "plant-b", "--site", "north=plant-a", "--site", "south=plant-b", "--format", "json"])
        let places = Set(try #require(Plants.json(named.stdout)["findings"] as? [[String: Any]]).compactMap { $0["place"] as? String })
        #expect(places == ["north", "south"])
    }

    @Test("owners import: the plant's inventory CSV becomes a registry that checks and attributes the same findings (round trip)")
    func importRoundTrip() throws {
        let out = try TemporaryTree()
        let registry = out.url("owners.yaml").path
        let imported = try Plants.run(["owners", "import", "inventory.csv", "--map", "owner=Responsible team", "--output", registry])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("4 identities"))
        let check = try Plants.run(["owners", "check", registry])
        #expect(check.stdout.contains("4 identities"), "\(check.stderr)")
        #expect(!check.stderr.contains("can never match") && !check.stderr.contains("no rule custos runs"))
        let path = out.url("scan.json").path
        _ = try Plants.run(["scan"] + Plants.roots + ["--owners", registry, "--format", "json", "--output", path])
        let findings = try Plants.findings(path)
        func ownership(_ file: String) -> [String: Any]? { findings.first { $0["path"] as? String == file }?["ownership"] as? [String: Any] }
        let historian = try #require(ownership("plant-a/historian/connection.properties"))
        #expect(historian["identity_id"] as? String == "svc-historian")
        #expect(historian["owner"] as? String == "OT Platform Team")
        #expect(historian["secondary_owner"] as? String == "Plant A Automation")
        #expect(historian["revocation_impact"] as? String == "coordinate")
        #expect(historian["supports"] as? [String] == ["Line 3 historian", "OEE dashboard"])
        #expect((historian["roles"] as? [String: Any])?["revoker"] as? String == "OT security lead <+49 30 5550 1010>")
        let scada = try #require(ownership("plant-b/scada/opc-client.ini"))
        #expect(scada["expiry_date"] as? String == "2024-06-30" && scada["revocation_procedure"] as? String == "Change the archive password; then on the database")
        let acme = try #require(ownership("plant-c/vendor/remote-access.env"))
        #expect(acme["kind"] as? String == "vendor-remote-access" && acme["vendor"] as? String == "Acme Automation")
        #expect((acme["access"] as? [String: Any])?["until"] as? String == "2025-01-24")
    }

    @Test("owners check on the fixture's registry: every field valid, only the dated problems; a typo'd rule is named")
    func checkFixtureRegistry() throws {
        let check = try Plants.run(["owners", "check", Plants.registry])
        #expect(check.stdout.contains("5 identities, 7 contacts, 3 sites; 2 problems"), "\(check.stdout)\(check.stderr)")
        #expect(check.stderr.contains("identity 'scada-line3-archive' expired on 2024-06-30"))
        #expect(check.stderr.contains("its access window closed on 2025-01-24"))
        let tree = try TemporaryTree(["owners.yaml": "identities:\n  - id: a\n    kind: machine\n    owner: x\n    revocation: { authority: y }\n    match: { rules: [github-clasic-pat] }\n"])
        let typo = try CustosBinary.run(["owners", "check", tree.url("owners.yaml").path])
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("match.rules names 'github-clasic-pat', which is no rule custos runs (did you mean"))
    }

    @Test("SARIF: one result per secret and place, verdicts as properties and tags, the level raised; it validates")
    func sarif() throws {
        let result = try Plants.run(["scan"] + Plants.roots + ["--owners", Plants.registry, "--format", "sarif"])
        #expect(try SarifValidator.errors(in: result.stdout) == [])
        let run = try #require((Plants.json(result.stdout)["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 8)
        let glass = try #require(results.first { (($0["properties"] as? [String: Any])?["verdicts"] as? [String]) == ["break-glass"] })
        #expect(glass["level"] as? String == "error")
        let properties = try #require(glass["properties"] as? [String: Any])
        #expect(properties["severity"] as? String == "critical" && properties["security-severity"] as? String == "9.5")
        #expect((properties["tags"] as? [String])?.contains("verdict:break-glass") == true)
    }
}

@Suite("People reports in headless Chromium (end to end)", .serialized)
struct PeopleReportBrowserTests {
    /// The three pages a plant security lead opens, made from a copy of the fixture: by owner,
    /// the sweep report (after a place was cleaned), and the incident playbook of `custos who`.
    func pages(in out: TemporaryTree) throws -> [String: URL] {
        for folder in Plants.roots + ["registry"] {
            try FileManager.default.copyItem(atPath: Plants.folder + "/" + folder, toPath: out.url(folder).path)
        }
        func custos(_ arguments: [String], input: Data? = nil) throws -> CommandResult {
            try Command.run([CustosBinary.path] + arguments, in: out.path, input: input)
        }
        let owners = ["--owners", "registry/owners.yaml"]
        _ = try custos(["report", "--by-owner"] + Plants.roots + owners + ["--output-dir", "owners"])
        _ = try custos(["sweep"] + Plants.roots + owners + ["--state", "state.db", "--fail-on", "never"])
        try FileManager.default.removeItem(at: out.url("plant-c/historian/collector.env"))
        _ = try custos(["sweep"] + Plants.roots + owners + ["--state", "state.db", "--report", "sweep", "--fail-on", "never"])
        let who = try custos(["who", "--state", "state.db", "--format", "html", "--output", "playbook.html"] + owners,
                             input: Data(try Plants.secret("historian").utf8))
        #expect(who.status == 0, "\(who.stderr)")
        return ["owners": out.url("owners/owners.html"), "sweep": out.url("sweep/sweep-report.html"), "playbook": out.url("playbook.html")]
    }

    @Test("by-owner, sweep and playbook pages render without console errors, self-contained, with labels, expiry, vendor and the gap by identity")
    func render() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else {
            Issue.record("chromium is not installed: `make deps` (or apt-get install chromium) installs it")
            return
        }
        let out = try TemporaryTree()
        let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                       "--user-data-dir=\(out.url("profile").path)"]
        for (name, page) in try pages(in: out) {
            let html = try String(contentsOf: page, encoding: .utf8)
            #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href=") && !html.contains("@import"), "\(name) is self-contained")
            for secret in ["historian", "scada", "breakglass", "acme", "mes", "unowned"] {
                #expect(!html.contains(try Plants.secret(secret)), "\(name) holds no secret")
            }
            let screenshot = out.url("\(name).png").path
            let shot = try Command.run(["timeout", "120", chromium] + browser
                                       + ["--window-size=1280,2000", "--screenshot=\(screenshot)", page.absoluteString])
            let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG of \(name): \(shot.stderr.suffix(2000))")
            #expect(png.count > 20_000, "the screenshot of \(name) shows a page, not a blank: \(png.count) bytes")
            let consoleLines = shot.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
            #expect(consoleLines.isEmpty, "console errors in \(name): \(consoleLines)")
            let dom = try Command.run(["timeout", "120", chromium] + browser + ["--dump-dom", page.absoluteString]).stdout
            #expect(dom.contains("class=\"label v-shared\""), "\(name) shows verdicts as labels")
            #expect(dom.contains("<dt>expiry</dt><dd>valid until 2030-01-01</dd>"), "\(name) shows the expiry")
            if name != "playbook" {
                #expect(dom.contains("class=\"label v-break-glass\""))
                #expect(dom.contains("<dt>vendor</dt><dd>Acme Automation</dd>"), "\(name) shows the vendor")
                #expect(dom.contains("<dt>expiry</dt><dd>expired since 2024-06-30</dd>"))
                #expect(dom.contains("Identity authority gap: nobody may revoke") && dom.contains("<b>mes-ci-token</b>"), "the gap by identity")
            } else {
                #expect(dom.contains("<ol class=\"plan\">") && dom.contains("<b>Rotate everywhere it is used</b>"))
            }
        }
    }
}
