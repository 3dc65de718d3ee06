import CustosCore
import CustosReport
import CustosTestSupport
import Foundation
import Testing

@Suite("SARIF for GitHub: relative URIs, history, containers, and splitting at GitHub's limits")
struct SarifScaleTests {
    func runs(_ text: String) throws -> [[String: Any]] {
        try #require((try parseJSON(text) as? [String: Any])?["runs"] as? [[String: Any]])
    }

    func results(_ run: [String: Any]) -> [[String: Any]] {
        run["results"] as? [[String: Any]] ?? []
    }

    func artifactLocation(_ result: [String: Any]) -> [String: Any]? {
        ((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any]
    }

    /// `count` findings in as many files, of one shared secret (as a copied config gives).
    func many(_ count: Int) -> ScanResult {
        let findings = (0..<count).map { index in
            Samples.finding(origin: .file("\(Samples.root)/services/s\(index / 100)/config-\(index).env"))
        }.sorted(by: Finding.reportOrder)
        var summary = ScanSummary()
        summary.findings = findings.count
        return ScanResult(findings: findings, warnings: [], summary: summary)
    }

    @Test("paths under an absolute root are URIs relative to %SRCROOT%, which originalUriBaseIds places")
    func relativeURIs() throws {
        let (result, context) = Samples.mixed()
        let run = try #require(try runs(SarifReporter().render(result, context: context)).first)
        let base = try #require((run["originalUriBaseIds"] as? [String: Any])?["%SRCROOT%"] as? [String: Any])
        #expect(base["uri"] as? String == "file:///work/checkout/")
        let locations = results(run).compactMap(artifactLocation)
        #expect(locations.allSatisfy { $0["uriBaseId"] as? String == "%SRCROOT%" })
        #expect(!locations.contains { ($0["uri"] as? String)?.hasPrefix("file:") == true })
        #expect(locations.contains { $0["uri"] as? String == "config/app%20%26%20co%2C%20%22prod%22.env" })
    }

    @Test("several absolute roots share their common folder as %SRCROOT%; a file given as a root counts as its folder")
    func commonRoot() throws {
        var (result, context) = Samples.mixed()
        context.roots = ["/work/checkout/a", "/work/checkout/b/app.env", "-"]
        result.findings = [Samples.finding(origin: .file("/work/checkout/a/x.env")), Samples.finding(origin: .file("/work/checkout/b/app.env"))]
        let run = try #require(try runs(SarifReporter().render(result, context: context)).first)
        #expect(((run["originalUriBaseIds"] as? [String: Any])?["%SRCROOT%"] as? [String: Any])?["uri"] as? String == "file:///work/checkout/")
        #expect(results(run).compactMap { artifactLocation($0)?["uri"] as? String } == ["a/x.env", "b/app.env"])
    }

    @Test("a path outside every root stays an absolute file URI, with no base")
    func outsideRoots() throws {
        var (result, context) = Samples.mixed()
        result.findings = [Samples.finding(origin: .file("/elsewhere/app.env"))]
        let location = try #require(try runs(SarifReporter().render(result, context: context)).first.flatMap { results($0).first }.flatMap(artifactLocation))
        #expect(location["uri"] as? String == "file:///elsewhere/app.env")
        #expect(location["uriBaseId"] == nil)
    }

    @Test("relative roots keep paths relative to where custos ran, without ./")
    func relativeRoot() throws {
        var (result, context) = Samples.mixed()
        context.roots = ["."]
        result.findings = [Samples.finding(origin: .file("./src/app.env"))]
        let run = try #require(try runs(SarifReporter().render(result, context: context)).first)
        #expect(run["originalUriBaseIds"] == nil)
        #expect(results(run).first.flatMap(artifactLocation)?["uri"] as? String == "src/app.env")
    }

    @Test("history results name the commit in their message, fingerprints and properties")
    func historyCommit() throws {
        let (result, context) = Samples.mixed()
        let history = try #require(try runs(SarifReporter().render(result, context: context)).first.flatMap {
            results($0).first { $0["ruleId"] as? String == "aws-access-key-id" }
        })
        let message = try #require((history["message"] as? [String: Any])?["text"] as? String)
        #expect(message.contains("Added in commit \(Samples.commit.prefix(12)) by Dana Example on 2024-05-17T09:12:44Z (Add deploy keys)"))
        #expect((history["partialFingerprints"] as? [String: String])?["custosCommit/v1"] == Samples.commit)
        #expect((history["properties"] as? [String: Any])?["commit"] as? String == Samples.commit)
        #expect(artifactLocation(history)?["uri"] as? String == "deploy/keys.env")
    }

    @Test("a finding inside an archive points at the archive GitHub can open, the member chain beside it")
    func containers() throws {
        let (result, context) = Samples.mixed()
        let member = try #require(try runs(SarifReporter().render(result, context: context)).first.flatMap {
            results($0).first { (artifactLocation($0)?["uri"] as? String) == "backups/site.zip" }
        })
        let logical = try #require((member["locations"] as? [[String: Any]])?.first?["logicalLocations"] as? [[String: Any]])
        #expect(logical.first?["fullyQualifiedName"] as? String == "/work/checkout/backups/site.zip!/cfg/deploy.env")
        #expect(logical.first?["name"] as? String == "cfg/deploy.env")
        let properties = try #require(member["properties"] as? [String: Any])
        #expect(properties["members"] as? [String] == ["cfg/deploy.env"])
        #expect(properties["memberLine"] as? Int == 7)
        #expect((member["message"] as? [String: Any])?["text"] as? String == "GitHub personal access token (classic) found: ghp_…(40 chars) in /work/checkout/backups/site.zip!/cfg/deploy.env at line 7, column 14")
    }

    @Test("30,000 findings split into runs of at most 25,000 that validate, each result once, categories distinct")
    func splitsAtGitHubLimits() throws {
        let result = many(30_000)
        let (_, context) = Samples.mixed()
        let files = SarifReporter().renderFiles(result, context: context)
        #expect(files.count == 1)
        let file = try #require(files.first)
        #expect(try SarifValidator.errors(in: file) == [])
        let runs = try runs(file)
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { results($0).count <= SarifLimits.gitHub.resultsPerRun })
        let places = runs.flatMap(results).compactMap { ($0["partialFingerprints"] as? [String: String])?["custosPlace/v1"] }
        #expect(places.count == 30_000)
        #expect(Set(places).count == 30_000)
        // GitHub rejects two runs of one tool under one category; the first takes the upload's.
        #expect(runs[0]["automationDetails"] == nil)
        #expect((runs[1]["automationDetails"] as? [String: Any])?["id"] as? String == "custos/part-2/")
        #expect(runs.allSatisfy { (($0["tool"] as? [String: Any])?["driver"] as? [String: Any])?["name"] as? String == "custos" })
    }

    @Test("more runs than a file may hold go to further files, each valid on its own")
    func splitsIntoFiles() throws {
        let limits = SarifLimits(resultsPerRun: 10, runsPerFile: 2, locationsPerResult: 1_000, tagsPerRule: 20, bytesPerFile: 64 * 1_048_576)
        let (_, context) = Samples.mixed()
        let files = SarifReporter(limits: limits).renderFiles(many(45), context: context)
        #expect(files.count >= 3)
        var total = 0
        var categories: [String] = []
        for file in files {
            #expect(try SarifValidator.errors(in: file) == [])
            let runs = try runs(file)
            #expect(runs.count <= 2)
            #expect(runs.allSatisfy { results($0).count <= 10 })
            total += runs.map { results($0).count }.reduce(0, +)
            categories += runs.map { ($0["automationDetails"] as? [String: Any])?["id"] as? String ?? "" }
        }
        #expect(total == 45)
        #expect(Set(categories).count == categories.count)
    }

    @Test("a file over the byte budget is split too")
    func splitsBySize() throws {
        let limits = SarifLimits(resultsPerRun: 25_000, runsPerFile: 20, locationsPerResult: 1_000, tagsPerRule: 20, bytesPerFile: 40_000)
        let (_, context) = Samples.mixed()
        let files = SarifReporter(limits: limits).renderFiles(many(60), context: context)
        #expect(files.count > 1)
        #expect(files.allSatisfy { $0.utf8.count <= 60_000 })
        #expect(try files.map { try runs($0).map { results($0).count }.reduce(0, +) }.reduce(0, +) == 60)
    }

    @Test("a finding keeps its run when others come and go, while the number of runs stays")
    func stableAssignment() throws {
        let limits = SarifLimits(resultsPerRun: 30, runsPerFile: 20, locationsPerResult: 1_000, tagsPerRule: 20, bytesPerFile: 64 * 1_048_576)
        let (_, context) = Samples.mixed()
        func partOf(_ result: ScanResult) throws -> [String: Int] {
            var parts: [String: Int] = [:]
            for (index, run) in try runs(SarifReporter(limits: limits).render(result, context: context)).enumerated() {
                for result in results(run) { parts[artifactLocation(result)?["uri"] as? String ?? ""] = index }
            }
            return parts
        }
        let before = try partOf(many(50))
        var fewer = many(50)
        fewer.findings.removeAll { $0.path.hasSuffix("config-7.env") }
        let after = try partOf(fewer)
        #expect(Set(before.values).count == Set(after.values).count)
        #expect(after.allSatisfy { before[$0.key] == $0.value })
    }

    @Test("standard output gets one document holding every run")
    func oneDocumentForStandardOutput() throws {
        let limits = SarifLimits(resultsPerRun: 10, runsPerFile: 2, locationsPerResult: 1_000, tagsPerRule: 20, bytesPerFile: 64 * 1_048_576)
        let (_, context) = Samples.mixed()
        let runs = try runs(SarifReporter(limits: limits).render(many(45), context: context))
        #expect(runs.map { results($0).count }.reduce(0, +) == 45)
    }

    @Test("further files are named custos-2.sarif, custos-3.sarif, … beside the first")
    func fileNames() {
        #expect(ReportFileNames.part(1, of: "out/custos.sarif") == "out/custos.sarif")
        #expect(ReportFileNames.part(2, of: "out/custos.sarif") == "out/custos-2.sarif")
        #expect(ReportFileNames.part(3, of: "results.v1/report") == "results.v1/report-3")
        #expect(ReportFileNames.part(2, of: ".sarif") == ".sarif-2")
    }
}
