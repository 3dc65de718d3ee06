import CustosCore
import CustosRules

/// Runs every rule's examples and negative examples through the real engine: the Vectorscan
/// prefilter must report a candidate for each example, PCRE2 must confirm it, and the filters
/// must keep it; no negative example may produce a finding of that rule.
public struct RuleExampleCheck {
    /// A rule that failed, with what to fix.
    public struct Failure: Sendable, CustomStringConvertible {
        public var ruleID: String
        public var source: String
        public var message: String

        public var description: String { "\(source): rule '\(ruleID)': \(message)" }
    }

    /// Fewest examples and negative examples each rule must carry.
    public static let minimumExamples = 2

    private let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// Every failure, in rule order; empty when all rules pass.
    public func run() -> [Failure] {
        let scanner = engine.makeScanner()
        scanner.suppressGenericOverlaps = false
        scanner.ignorePathRestrictions = true
        var failures: [Failure] = []
        for (index, rule) in engine.ruleSet.rules.enumerated() {
            func fail(_ message: String) {
                failures.append(Failure(ruleID: rule.id, source: rule.source, message: message))
            }
            if rule.examples.count < Self.minimumExamples {
                fail("needs at least \(Self.minimumExamples) examples, has \(rule.examples.count)")
            }
            if rule.negativeExamples.count < Self.minimumExamples {
                fail("needs at least \(Self.minimumExamples) negative_examples, has \(rule.negativeExamples.count)")
            }
            if rule.references.isEmpty {
                fail("needs at least one reference to the format's documentation")
            }
            for (number, example) in rule.examples.enumerated() {
                var rejections: [Rejection] = []
                scanner.onRejection = { rejected, why in
                    if rejected.id == rule.id { rejections.append(why) }
                }
                let (candidates, findings) = scan(example, with: scanner)
                if !findings.contains(where: { $0.ruleID == rule.id }) {
                    if !candidates.contains(index) {
                        fail("example \(number + 1) is not matched: the Vectorscan prefilter reports no candidate")
                    } else if let why = rejections.first {
                        fail("example \(number + 1) is matched but dropped: \(why)")
                    } else {
                        fail("example \(number + 1) is not matched by the pattern (PCRE2 confirms no candidate)")
                    }
                    continue
                }
                // The same example deeper in a file: SIMD code paths that lose matches past a
                // vector boundary show up here rather than in the field.
                for lines in Self.precedingLines where !scan(Self.filler(lines: lines) + example, with: scanner).1
                    .contains(where: { $0.ruleID == rule.id }) {
                    fail("example \(number + 1) is found alone but missed after \(lines) lines of other text")
                    break
                }
            }
            scanner.onRejection = nil
            for (number, example) in rule.negativeExamples.enumerated() {
                let (_, findings) = scan(example, with: scanner)
                if let finding = findings.first(where: { $0.ruleID == rule.id }) {
                    fail("negative example \(number + 1) produces a finding with secret '\(finding.secret)'")
                }
            }
        }
        return failures
    }

    /// How many lines of unrelated text each example is also checked behind.
    static let precedingLines = [1, 3, 5, 40]

    /// Lines of ordinary text (27 bytes each) that no rule reports.
    static func filler(lines: Int) -> String {
        String(repeating: "the quick brown fox jumps\n", count: lines)
    }

    private func scan(_ text: String, with scanner: SecretScanner) -> (Set<Int>, [Finding]) {
        var bytes = Array(text.utf8)
        var sink = FindingSink()
        let candidates = bytes.withUnsafeMutableBytes { raw in
            let buffer = UnsafeRawBufferPointer(raw)
            let candidates = scanner.candidateRules(in: buffer)
            scanner.scan(buffer, region: BlobRegion(origin: .file("example")), into: &sink)
            return candidates
        }
        bytes.removeAll()
        return (candidates, sink.take())
    }
}
