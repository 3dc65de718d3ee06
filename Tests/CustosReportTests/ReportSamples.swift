import CustosCore
import CustosReport
import Foundation

/// Findings of every kind a CI report must place: a plain file under an absolute root, a
/// member inside an archive, and a blob in git history. Secrets are generated shapes.
enum Samples {
    static let root = "/work/checkout"
    static let awsKey = "AKIAQ7R2XK9MW4TZP3LB"
    static let commit = "4f2a9c81d3b7e6a05c19f8d2e7b4a3c6d9e0f1a2"

    static func finding(origin: Origin, value: String = secret, rule: String = "github-classic-pat",
                        line: Int = 3, before: String = "GITHUB_TOKEN=\"", after: String = "\"",
                        git: GitOrigin? = nil) -> Finding {
        Finding(ruleID: rule,
                location: Location(origin: origin,
                                   span: Span(byteStart: 40, byteEnd: 80, start: TextPosition(line: line, column: 14),
                                              end: TextPosition(line: line, column: 54))),
                secret: value, identity: nil, fingerprint: Fingerprint(ruleID: rule, secret: value),
                snippet: Snippet(before: before, after: after), git: git)
    }

    static var plainFile: Finding {
        finding(origin: .file("\(root)/config/app & co, \"prod\".env"), before: "token=<\"", after: "\" # =HYPERLINK(\"x\")")
    }

    static var archiveMember: Finding {
        finding(origin: .archiveMember(parent: .file("\(root)/backups/site.zip"), name: "cfg/deploy.env"), line: 7)
    }

    static var historyBlob: Finding {
        let git = GitOrigin(blob: "9d1e4b7c2a0f5e8d3c6b9a2f1e4d7c0b3a6f9e2d",
                            commits: [CommitReference(commit: commit, path: "deploy/keys.env", author: "Dana Example",
                                                      email: "dana@example.com", date: "2024-05-17T09:12:44Z",
                                                      summary: "Add deploy keys")])
        return finding(origin: .gitBlob(id: git.blob, path: "deploy/keys.env"), value: awsKey, rule: "aws-access-key-id",
                       line: 2, before: "AWS_ACCESS_KEY_ID=", after: "", git: git)
    }

    static var rules: [RuleInfo] {
        [RuleInfo(id: "github-classic-pat", name: "GitHub personal access token (classic)", description: "A classic PAT.",
                  confidence: .high, tags: ["github"], references: ["https://docs.github.com/en/authentication"]),
         RuleInfo(id: "aws-access-key-id", name: "AWS access key id", confidence: .medium, tags: ["aws"])]
    }

    /// One finding of each kind, in report order, with a scan time and absolute roots.
    static func mixed(display: SecretDisplay = .redacted) -> (ScanResult, ReportContext) {
        var summary = ScanSummary()
        summary.filesScanned = 3
        summary.seconds = 90
        let findings = [plainFile, archiveMember, historyBlob].sorted(by: Finding.reportOrder)
        summary.findings = findings.count
        let result = ScanResult(findings: findings, warnings: [], summary: summary)
        var context = ReportContext(rules: rules, display: display, toolVersion: "0.4.0")
        context.roots = [root]
        context.finishedAt = Date(timeIntervalSince1970: 1_760_000_000)
        return (result, context)
    }
}

/// Parses JSON text into a Foundation value for assertions.
func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
}
