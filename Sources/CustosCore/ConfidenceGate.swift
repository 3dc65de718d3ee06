// What confidence means, and which findings a scan reports.
//
// - high: a secret in a format only its issuer makes (a prefixed, checksummed or structured
//   token, a private key block), or a value under a name that says password outright, that
//   looks chosen or generated, in a configuration or export.
// - medium: a credential by its name and shape whose format proves nothing by itself (a
//   generic assignment, a password under `pass` or `pw`, a value encrypted with a published
//   vendor key).
// - low: a value that may be a credential: under a weak name (`key`, `auth`, `pin`), a test
//   key, or anything in a test or documentation file (`docs/`, `examples/`, `tests/`,
//   `test_*.py`, `*.rst`): a format-proven token there is one level below what it would be
//   elsewhere, a value known only by its name (named values, generic rules) is low, since
//   example and test passwords are written to look real. Markdown is not lowered: runbooks
//   and emergency-access notes on plant shares are written in it.
//
// Scans report medium and high by default; `--min-confidence low` shows everything. The
// trade-off: a real password pasted into a README under `examples/` is reported only with
// `--min-confidence low`, while a provider token there still is (high lowered to medium).

/// Which findings a scan reports: those of at least `minimum` confidence, once a test or
/// documentation path has lowered a finding by one level.
public struct ConfidenceGate: Sendable {
    public var minimum: Confidence
    /// The confidence of each rule, for findings that carry no confidence of their own.
    public var ruleConfidence: [String: Confidence]
    /// Rules that know a credential only by its name and place (named values, generic
    /// assignments, rules with the `chosen-password` trait): in tests and documentation
    /// their findings are low.
    public var contextRules: Set<String>

    public init(minimum: Confidence = .low, ruleConfidence: [String: Confidence] = [:], contextRules: Set<String> = []) {
        self.minimum = minimum
        self.ruleConfidence = ruleConfidence
        self.contextRules = contextRules
    }

    /// Everything passes and nothing is lowered: what library callers get unless they ask.
    public static let reportAll = ConfidenceGate()

    public func confidence(of finding: Finding) -> Confidence {
        finding.confidenceOverride ?? ruleConfidence[finding.ruleID] ?? .medium
    }

    /// Lowers findings in test and documentation files, then keeps those at or above
    /// `minimum`; returns how many were held back. Once per scan, as its last step
    /// (`ScanResult.finalized`): a second pass would lower them again.
    public func apply(to findings: inout [Finding]) -> Int {
        guard !ruleConfidence.isEmpty || minimum > .low else { return 0 }
        let before = findings.count
        findings = findings.compactMap { finding in
            var finding = finding
            let stated = confidence(of: finding)
            if PathContext(finding.origin.artifact.display) != .ordinary,
               let lowered = contextRules.contains(finding.ruleID) ? Confidence.low : stated.lowered {
                finding.confidenceOverride = lowered
            }
            return confidence(of: finding) >= minimum ? finding : nil
        }
        return before - findings.count
    }
}

extension Confidence {
    /// One level lower; nil for low.
    public var lowered: Confidence? {
        switch self {
        case .high: .medium
        case .medium: .low
        case .low: nil
        }
    }
}

/// What a file is for, from its path: code and data that run, or tests and documentation
/// (which hold example keys and passwords on purpose). Only the file name and the two
/// folders above it are read, so a scan root under `/srv/tests/…` does not lower a whole
/// share.
public enum PathContext: Sendable, Equatable {
    case ordinary, test, documentation

    static let testFolders: Set<String> = ["test", "tests", "testing", "spec", "specs", "__tests__", "testdata", "test-data",
                                           "test_data", "__fixtures__", "mocks", "__mocks__", "unittest", "unittests"]
    static let documentationFolders: Set<String> = ["doc", "docs", "documentation", "example", "examples", "tutorial",
                                                    "tutorials", "docs_src"]
    /// Gradle and Maven source sets of tests (`src/test/`, `src/integrationTest/`,
    /// `src/dockerTest/`, `src/testFixtures/`), recognised anywhere in the path: their
    /// resources sit many folders below (`src/test/resources/org/example/ssl/key.pem`).
    static func isTestSourceSet(_ name: Substring) -> Bool {
        name == "test" || name == "testFixtures" || (name.count > 4 && name.hasSuffix("Test") && name.first?.isLowercase == true)
    }
    static let documentationExtensions: Set<String> = ["rst", "pod", "adoc", "asciidoc", "rdoc", "texi", "tex",
                                                       "example", "sample", "template", "tmpl", "dist"]

    /// Package metadata: a README with headers.
    static let documentationFiles: Set<String> = ["metadata", "pkg-info", "description"]

    /// Languages whose test classes end in `Test` or `Tests` (`LoginServiceTest.java`).
    static let classTestExtensions: Set<String> = ["java", "kt", "cs", "scala", "groovy", "swift"]

    public init(_ path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let file = parts.last?.lowercased() else { self = .ordinary; return }
        let folders = parts.dropLast().suffix(2).map { $0.lowercased() }
        let stem = file.split(separator: ".").first.map(String.init) ?? file
        let ext = file.contains(".") ? String(file[file.index(after: file.lastIndex(of: ".")!)...]) : ""
        let inTestSourceSet = zip(parts.dropLast(), parts.dropFirst().dropLast()).contains { $0 == "src" && Self.isTestSourceSet($1) }
        if folders.contains(where: Self.testFolders.contains) || inTestSourceSet || stem.hasPrefix("test_") || stem.hasSuffix("_test")
            || stem.hasSuffix("_tests") || stem.hasSuffix("_spec") || file.contains(".test.") || file.contains(".spec.")
            || (stem.hasSuffix("test") || stem.hasSuffix("tests")) && stem.count > 5 && Self.classTestExtensions.contains(ext) {
            self = .test
        } else if folders.contains(where: Self.documentationFolders.contains) || Self.documentationExtensions.contains(ext)
                    || stem.hasPrefix("examples-") || stem.hasPrefix("example") || Self.documentationFiles.contains(file) {
            self = .documentation
        } else {
            self = .ordinary
        }
    }
}
