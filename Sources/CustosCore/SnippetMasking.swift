/// Hides in every snippet each secret any rule found in the same artifact: a line often holds
/// several secrets (`user=svc password=… token=…`) or the same one twice, and a redacted
/// report must redact all of them, not only the finding's own.
public enum SnippetMasking {
    /// Snippet × secret checks per artifact before masking narrows to the secrets of the
    /// finding's own line (a file with thousands of distinct secrets is mostly secrets).
    public static let maxChecksPerArtifact = 200_000

    public static func apply(to findings: inout [Finding]) {
        var byArtifact: [Origin: [Int]] = [:]
        for index in findings.indices { byArtifact[findings[index].origin.artifact, default: []].append(index) }
        for indices in byArtifact.values {
            let secrets = maskable(indices.map { findings[$0].secret })
            if indices.count * secrets.count <= maxChecksPerArtifact {
                mask(indices, with: secrets, in: &findings)
                continue
            }
            var byLine: [Int: [Int]] = [:]
            for index in indices { byLine[findings[index].start.line, default: []].append(index) }
            for line in byLine.values {
                mask(line, with: maskable(line.map { findings[$0].secret }), in: &findings)
            }
        }
    }

    /// Distinct secrets long enough to search for, longest first so a secret holding another
    /// is masked whole.
    private static func maskable(_ secrets: [String]) -> [String] {
        let distinct = Set(secrets).filter { $0.utf8.count >= Snippet.minimumMaskedLength }
        return distinct.sorted { a, b in
            let (lengthA, lengthB) = (a.utf8.count, b.utf8.count)
            return lengthA != lengthB ? lengthA > lengthB : a < b
        }
    }

    private static func mask(_ indices: [Int], with secrets: [String], in findings: inout [Finding]) {
        for index in indices {
            for secret in secrets { findings[index].snippet.mask(occurrencesOf: secret) }
        }
    }
}
