import Foundation

/// The comments that silence a finding, including those of other scanners so teams can switch
/// without editing code: on the finding's own line `custos:allow`, `gitleaks:allow`,
/// detect-secrets' `pragma: allowlist secret` and `kingfisher:ignore`; on the line before it,
/// detect-secrets' `pragma: allowlist nextline secret`. Checked once per confirmed match, never
/// per byte.
enum InlineAllow {
    static let sameLine: [[UInt8]] = ["custos:allow", "gitleaks:allow", "pragma: allowlist secret", "kingfisher:ignore"]
        .map { Array($0.utf8) }
    static let nextLine = Array("pragma: allowlist nextline secret".utf8)

    /// Whether `line` holds a same-line marker.
    static func present(in line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard line.count > 0 else { return false }
        return sameLine.contains { PlaceholderFilter.contains(line, lowercased: $0) }
    }

    /// Whether `line` (the line before a finding) holds the next-line marker.
    static func coversNextLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.count >= nextLine.count && PlaceholderFilter.contains(line, lowercased: nextLine)
    }
}
