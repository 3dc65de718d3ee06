import CustosConfig
import CustosCore
import CustosYAML
import Testing

@Suite(".custos.yaml")
struct ScanConfigurationTests {
    let full = """
        exclude:
          - 'vendor/'
          - '*.snap'
          - '!vendor/keep.env'
        rules:
          only: ['github-*', generic]
          exclude: [generic-password]
          min_confidence: medium
          paths: [rules/extra.yaml]
        allow:
          paths: ['tests/fixtures/**']
          stopwords: [EXAMPLE]
        baseline: .custos-baseline.json
        fail_on: high
        report: sarif
        """

    @Test("every key is read, and relative paths resolve against the configuration's folder")
    func readsEveryKey() throws {
        let configuration = try ScanConfiguration.parse(yaml: full, source: "repo/.custos.yaml", directory: "repo")
        #expect(configuration.exclude == ["vendor/", "*.snap", "!vendor/keep.env"])
        #expect(configuration.rules.only == ["github-*", "generic"])
        #expect(configuration.rules.exclude == ["generic-password"])
        #expect(configuration.rules.minConfidence == .medium)
        #expect(configuration.rules.paths == ["repo/rules/extra.yaml"])
        #expect(configuration.allow.conditions.paths.map(\.pattern) == ["tests/fixtures/**"])
        #expect(configuration.allow.conditions.stopwords == ["example"])
        #expect(configuration.baseline == "repo/.custos-baseline.json")
        #expect(configuration.failOn == .high)
        #expect(configuration.report == ReportSetting(format: "sarif", location: "repo/.custos.yaml:15"))
    }

    @Test("an empty file is an empty configuration; absolute paths stay as written")
    func emptyAndAbsolute() throws {
        let empty = try ScanConfiguration.parse(yaml: "", source: ".custos.yaml", directory: ".")
        #expect(empty.exclude.isEmpty && empty.allow.isEmpty && empty.failOn == nil && empty.baseline == nil)
        let absolute = try ScanConfiguration.parse(yaml: "baseline: /srv/b.json\n", source: "x", directory: "repo")
        #expect(absolute.baseline == "/srv/b.json")
    }

    @Test("an unknown key is an error naming the file and line", arguments: [
        ("exlude: [a]\n", ".custos.yaml:1", "unknown key 'exlude'"),
        ("rules:\n  min_confidense: high\n", ".custos.yaml:2", "unknown key 'min_confidense' in rules"),
        ("allow:\n  stopword: [x]\n", ".custos.yaml:2", "unknown key 'stopword' in allow"),
        ("allow:\n  scoped:\n    - rule: [a]\n      paths: [x]\n", ".custos.yaml:3", "unknown key 'rule'"),
    ])
    func unknownKeys(yaml: String, location: String, message: String) {
        #expect {
            try ScanConfiguration.parse(yaml: yaml, source: ".custos.yaml", directory: ".")
        } throws: { error in
            let error = error as? LocatedError
            return error?.location == location && error?.message.contains(message) == true
        }
    }

    @Test("bad values are errors naming the line and what is allowed", arguments: [
        ("fail_on: critical\n", ".custos.yaml:1", "low, medium, high or never"),
        ("rules:\n  min_confidence: certain\n", ".custos.yaml:2", "low, medium or high"),
        ("allow:\n  regexes: ['(unclosed']\n", ".custos.yaml:2", "not a regular expression"),
        ("allow:\n  sha1: [abc]\n", ".custos.yaml:2", "40 hex digits"),
        ("allow:\n  fingerprints: ['zz']\n", ".custos.yaml:2", "64 hex digits"),
        ("allow:\n  stopwords: ['']\n", ".custos.yaml:2", "empty stopword"),
        ("allow:\n  commits: [xyz]\n", ".custos.yaml:2", "not a commit id"),
        ("allow:\n  locations:\n    - path: a.py\n", ".custos.yaml:3", "needs a line"),
        ("allow:\n  scoped:\n    - rules: [a]\n", ".custos.yaml:3", "lists no condition"),
        ("allow:\n  scoped:\n    - match: most\n      paths: [x]\n", ".custos.yaml:3", "any"),
        ("exclude: vendor/\n", ".custos.yaml:1", "expected a list"),
        ("- a\n- b\n", ".custos.yaml:1", "expected a mapping"),
    ])
    func badValues(yaml: String, location: String, message: String) {
        #expect {
            try ScanConfiguration.parse(yaml: yaml, source: ".custos.yaml", directory: ".")
        } throws: { error in
            let error = error as? LocatedError
            return error?.location == location && error?.description.contains(message) == true
        }
    }

    @Test("fail_on: a finding fails the run only when at least that confident")
    func failThreshold() {
        #expect(FailThreshold.low.fails(on: .low))
        #expect(!FailThreshold.medium.fails(on: .low) && FailThreshold.medium.fails(on: .medium))
        #expect(!FailThreshold.high.fails(on: .medium) && FailThreshold.high.fails(on: .high))
        #expect(!FailThreshold.never.fails(on: .high))
        #expect(FailThreshold.high.fails(onAny: [.low, .high]))
        #expect(!FailThreshold.high.fails(onAny: [Confidence]()))
    }

    @Test("discovery: --config wins and must exist; else the current folder; else the first root that is a folder")
    func discovery() throws {
        let work = try Folder([".custos.yaml": "fail_on: never\n"])
        let repo = try Folder([".custos.yml": "fail_on: high\n", "file.txt": "x"])
        let bare = try Folder()

        let explicit = try #require(try ScanConfiguration.discover(explicit: repo.file(".custos.yml"), roots: [], currentDirectory: work.path))
        #expect(explicit.0.failOn == .high)
        #expect(throws: LocatedError.self) {
            try ScanConfiguration.discover(explicit: work.file("missing.yaml"), roots: [], currentDirectory: work.path)
        }

        let here = try #require(try ScanConfiguration.discover(explicit: nil, roots: [repo.path], currentDirectory: work.path))
        #expect(here.0.failOn == .never && here.source == ".custos.yaml")

        let root = try #require(try ScanConfiguration.discover(explicit: nil, roots: [repo.file("file.txt"), repo.path], currentDirectory: bare.path))
        #expect(root.0.failOn == .high && root.source == repo.file(".custos.yml"))

        #expect(try ScanConfiguration.discover(explicit: nil, roots: [repo.file("file.txt")], currentDirectory: bare.path) == nil)
    }

    @Test("two configuration files in one folder are an error, not a silent choice")
    func ambiguousDiscovery() throws {
        let both = try Folder([".custos.yaml": "", ".custos.yml": ""])
        #expect(throws: LocatedError.self) {
            try ScanConfiguration.discover(explicit: nil, roots: [], currentDirectory: both.path)
        }
    }

    @Test("a configuration file with an error is named by its path and line when loaded")
    func loadError() throws {
        let folder = try Folder([".custos.yaml": "rules:\n  onyl: [x]\n"])
        #expect {
            try ScanConfiguration.discover(explicit: nil, roots: [], currentDirectory: folder.path)
        } throws: { error in
            (error as? LocatedError)?.location == folder.file(".custos.yaml") + ":2"
        }
    }

    @Test("path text splits any path without trapping, one-character names included")
    func pathText() {
        #expect(PathText.folder(of: "x") == "" && PathText.name(of: "x") == "x")
        #expect(PathText.folder(of: "-") == "")
        #expect(PathText.folder(of: "a/b/c.yaml") == "a/b" && PathText.name(of: "a/b/c.yaml") == "c.yaml")
        #expect(PathText.folder(of: "/c") == "/" && PathText.folder(of: "a/b/") == "a")
        #expect(PathText.join("", "x") == "x" && PathText.join("a/", "x") == "a/x" && PathText.join("a", "/x") == "/x")
    }

    @Test("the example configuration in docs/ is valid")
    func exampleFile() throws {
        let docs = #filePath.replacingOccurrences(of: "Tests/CustosConfigTests/ScanConfigurationTests.swift", with: "docs/custos.example.yaml")
        let configuration = try ScanConfiguration.load(path: docs)
        #expect(!configuration.exclude.isEmpty)
        #expect(!configuration.allow.isEmpty)
        #expect(configuration.failOn != nil)
    }
}
