import CustosTestSupport
import Foundation
import Testing

/// The report formats CI systems read, from the real binary (issue 12).
@Suite("report formats for CI (end to end)", .serialized)
struct ReportFormatTests {
    @Test("--format gitlab writes a secret-detection report GitLab's schema accepts, redacted")
    func gitlab() throws {
        let tree = try TemporaryTree(["deploy/app.env": "GITHUB_TOKEN=\(fakeToken)\n"])
        let report = tree.url("gl-secret-detection-report.json").path
        let result = try CustosBinary.run(["scan", "deploy", "--format", "gitlab", "--output", report], in: tree.path,
                                          environment: ["CI_COMMIT_SHA": "5e1f0c2d9b8a7e6f5d4c3b2a1f0e9d8c7b6a5f4e"])
        #expect(result.status == 1)
        let text = try String(contentsOfFile: report, encoding: .utf8)
        #expect(try JSONSchemaValidator.errors(in: text, schema: JSONSchemaValidator.gitLabSecretDetection) == [])
        #expect(!text.contains(fakeToken))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let vulnerability = try #require((document["vulnerabilities"] as? [[String: Any]])?.first)
        let location = try #require(vulnerability["location"] as? [String: Any])
        #expect(location["file"] as? String == "deploy/app.env")
        #expect(location["start_line"] as? Int == 1)
        #expect((location["commit"] as? [String: String])?["sha"] == "5e1f0c2d9b8a7e6f5d4c3b2a1f0e9d8c7b6a5f4e")
        let scan = try #require(document["scan"] as? [String: Any])
        #expect((scan["end_time"] as? String)?.hasPrefix("19") == false)
    }

    @Test("--format gitlab on git history names the commit that added each secret")
    func gitlabHistory() throws {
        let repository = try TemporaryRepository()
        let added = try repository.commit("leak", ["app.env": "TOKEN=\(fakeToken)\n"])
        try repository.commit("fix", removing: ["app.env"])
        let result = try CustosBinary.run(["git", repository.path, "--format", "gitlab"])
        #expect(result.status == 1)
        #expect(try JSONSchemaValidator.errors(in: result.stdout, schema: JSONSchemaValidator.gitLabSecretDetection) == [])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let location = try #require((document["vulnerabilities"] as? [[String: Any]])?.first?["location"] as? [String: Any])
        #expect((location["commit"] as? [String: Any])?["sha"] as? String == added)
        #expect(location["file"] as? String == "app.env")
    }

    @Test("--format codequality, junit and csv each parse with their consumers' readers")
    func codeQualityJUnitCSV() throws {
        let tree = try TemporaryTree(["a,b/\"q\" & <x>.env": "GITHUB_TOKEN=\(fakeToken)\n"])
        let quality = try CustosBinary.run(["scan", ".", "--format", "codequality"], in: tree.path)
        #expect(quality.status == 1)
        let issues = try #require(try JSONSerialization.jsonObject(with: Data(quality.stdout.utf8)) as? [[String: Any]])
        #expect(issues.count == 1)
        #expect((issues.first?["location"] as? [String: Any])?["path"] as? String == "a,b/\"q\" & <x>.env")

        let junit = try CustosBinary.run(["scan", ".", "--format", "junit"], in: tree.path)
        #expect(junit.status == 1)
        let parsed = try JSONSchemaValidator.python("""
            import sys, xml.etree.ElementTree as ET
            suite = ET.fromstring(sys.stdin.buffer.read()).find("testsuite")
            print(suite.get("failures"), suite.find("testcase").get("classname"))
            """, input: junit.stdout)
        #expect(parsed.stdout == "1 a,b/\"q\" & <x>.env\n")

        let csv = try CustosBinary.run(["scan", ".", "--format", "csv"], in: tree.path)
        #expect(csv.status == 1)
        let rows = try JSONSchemaValidator.python("""
            import csv, io, json, sys
            print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode("utf-8"), newline="")))))
            """, input: csv.stdout)
        let table = try #require(try JSONSerialization.jsonObject(with: Data(rows.stdout.utf8)) as? [[String]])
        #expect(table.count == 2)
        #expect(table[1][3] == "a,b/\"q\" & <x>.env")
        #expect(!csv.stdout.contains(fakeToken))
    }

    @Test("--format sarif --output writes one file for a small scan, its URIs relative")
    func sarifOutput() throws {
        let tree = try TemporaryTree(["src/app.env": "GITHUB_TOKEN=\(fakeToken)\n"])
        let report = tree.url("custos.sarif").path
        let result = try CustosBinary.run(["scan", ".", "--format", "sarif", "--output", report], in: tree.path)
        #expect(result.status == 1)
        let text = try String(contentsOfFile: report, encoding: .utf8)
        #expect(try SarifValidator.errors(in: text) == [])
        #expect(!FileManager.default.fileExists(atPath: tree.url("custos-2.sarif").path))
        #expect(text.contains(#""uri": "src/app.env""#))
        #expect(text.contains(#""uriBaseId": "%SRCROOT%""#))
    }

    @Test("the CI formats give byte-identical reports for the same input, whatever the threads", arguments: ["codequality", "junit", "csv"])
    func deterministic(format: String) throws {
        let arguments = ["scan", "fixtures", "--exclude", "field/", "--format", format]
        let first = try CustosBinary.run(arguments + ["--threads", "1"], in: PackageRoot.url.path)
        let second = try CustosBinary.run(arguments + ["--threads", "4"], in: PackageRoot.url.path)
        #expect(first.status == 1)
        #expect(first.stdout == second.stdout)
    }
}
