import CustosCore
import Foundation

/// The fingerprints of findings a team has already triaged. A scan with `--baseline` reports
/// only what is not in it. Fingerprints cover rule and secret only, so moving a line or
/// renaming a file keeps a finding known, and changing the secret makes it new.
public struct Baseline: Sendable {
    public static let schema = "custos-baseline/1"
    public private(set) var fingerprints: Set<String>

    public init(findings: [Finding]) {
        fingerprints = Set(findings.map(\.fingerprint.hex))
    }

    public func contains(_ fingerprint: Fingerprint) -> Bool {
        fingerprints.contains(fingerprint.hex)
    }

    /// A problem reading a baseline file.
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(path: String) throws(LoadError) -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "cannot read the baseline file \(path)")
        }
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              document["schema"] as? String == schema,
              let entries = document["findings"] as? [[String: Any]] else {
            throw LoadError(description: "\(path) is not a custos baseline (expected JSON with \"schema\": \"\(schema)\"); create one with `custos baseline create`")
        }
        var baseline = Baseline(findings: [])
        baseline.fingerprints = Set(entries.compactMap { $0["fingerprint"] as? String })
        return baseline
    }

    /// The baseline file for `findings`: fingerprints with where they were seen, for review.
    /// Holds no secrets.
    public static func render(_ findings: [Finding]) -> String {
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.field("schema", schema)
        writer.beginArray(key: "findings")
        var seen = Set<String>()
        for finding in findings.sorted(by: Finding.reportOrder) where seen.insert(finding.fingerprint.hex).inserted {
            writer.beginObject()
            writer.field("fingerprint", finding.fingerprint.hex)
            writer.field("rule_id", finding.ruleID)
            writer.field("path", finding.path)
            writer.field("line", finding.start.line)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.output + "\n"
    }
}
