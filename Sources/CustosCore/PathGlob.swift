#if canImport(Glibc)
import Glibc
#endif

/// A gitignore-style path pattern: `*` and `?` stay within one path segment, `**` spans any
/// number of segments, `[a-z]` and `[!a-z]` are classes. A pattern without a slash matches the
/// last segment at any depth; a leading slash anchors it to the root; a trailing slash limits
/// it to directories.
public struct PathGlob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    public let directoryOnly: Bool
    private let anchored: Bool
    private let bytes: [UInt8]
    private let shape: Shape

    /// Most globs are a name or an extension: those are compared directly, without the
    /// general matcher. Globs are checked for every file a walk lists, so this is hot.
    private enum Shape: Hashable {
        /// No wildcard at all: the whole (anchored) path or its last segment equals it.
        case literal
        /// `*` then a literal without wildcards or slashes (`*.min.js`): a suffix of the name.
        case suffix
        case general
    }

    public init(_ pattern: String) {
        self.pattern = pattern
        var text = pattern
        directoryOnly = text.hasSuffix("/")
        if directoryOnly { text.removeLast() }
        var anchored: Bool
        if text.hasPrefix("/") {
            text.removeFirst()
            anchored = true
        } else {
            anchored = text.contains("/")
        }
        if text.hasPrefix("**/") {
            text.removeFirst(3)
            anchored = false
        }
        self.anchored = anchored
        bytes = Array(text.utf8)
        let wildcards = Set("*?[".utf8)
        if !bytes.contains(where: wildcards.contains) {
            shape = .literal
        } else if bytes.first == Self.star, !bytes.dropFirst().contains(where: { wildcards.contains($0) || $0 == Self.slash }) {
            shape = .suffix
        } else {
            shape = .general
        }
    }

    public var description: String { pattern }

    /// What a glob that looks only at a path's last segment asks of it.
    public enum NameTest: Sendable, Hashable {
        case equals([UInt8])
        case hasSuffix([UInt8])
    }

    /// Non-nil when the glob matches exactly the paths whose last segment passes this test
    /// (an unanchored name such as `yarn.lock`, or an extension such as `*.min.js`), so a
    /// caller with many globs can check names in one table.
    public var nameTest: NameTest? {
        guard !anchored, !bytes.contains(Self.slash) else { return nil }
        switch shape {
        case .literal: return .equals(bytes)
        case .suffix: return .hasSuffix(Array(bytes.dropFirst()))
        case .general: return nil
        }
    }

    /// Whether `path` (relative, `/`-separated, no leading slash) matches.
    public func matches(_ path: String, isDirectory: Bool = false) -> Bool {
        if directoryOnly && !isDirectory { return false }
        if let result = path.utf8.withContiguousStorageIfAvailable({ matches(utf8: $0) }) { return result }
        return Array(path.utf8).withUnsafeBufferPointer { matches(utf8: $0) }
    }

    private func matches(utf8 subject: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { pattern in
            // A pattern without a slash cannot match across one (`*` and `?` stop at slashes),
            // so unanchored it can only match the last segment — unless it holds `**`.
            var lastSegment = 0
            if let slash = subject.lastIndex(of: Self.slash) { lastSegment = slash + 1 }
            switch shape {
            case .literal:
                if anchored { return Self.equal(pattern, subject, from: 0) }
                if !pattern.contains(Self.slash) { return Self.equal(pattern, subject, from: lastSegment) }
            case .suffix:
                let suffix = pattern.count - 1
                let from = anchored ? 0 : lastSegment
                guard subject.count - from >= suffix else { return false }
                if anchored && subject[from...].contains(Self.slash) { return false }
                return Self.equal(UnsafeBufferPointer(rebasing: pattern[1...]), subject, from: subject.count - suffix)
            case .general:
                break
            }
            if anchored { return Self.match(pattern, 0, subject, 0) }
            if !pattern.contains(Self.slash) && !Self.hasDoubleStar(pattern) {
                return Self.match(pattern, 0, subject, lastSegment)
            }
            // Unanchored with inner structure: try at the start of every segment.
            if Self.match(pattern, 0, subject, 0) { return true }
            for index in subject.indices where subject[index] == Self.slash {
                if Self.match(pattern, 0, subject, index + 1) { return true }
            }
            return false
        }
    }

    private static func equal(_ pattern: UnsafeBufferPointer<UInt8>, _ subject: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        guard subject.count - start == pattern.count else { return false }
        guard let patternBase = pattern.baseAddress, let subjectBase = subject.baseAddress else { return true }
        return memcmp(patternBase, subjectBase + start, pattern.count) == 0
    }

    private static func hasDoubleStar(_ pattern: UnsafeBufferPointer<UInt8>) -> Bool {
        pattern.indices.dropLast().contains { pattern[$0] == star && pattern[$0 + 1] == star }
    }

    private static let slash = UInt8(ascii: "/")
    private static let star = UInt8(ascii: "*")

    /// Matches `pattern[p...]` against all of `text[t...]`.
    private static func match(_ pattern: UnsafeBufferPointer<UInt8>, _ start: Int,
                              _ text: UnsafeBufferPointer<UInt8>, _ from: Int) -> Bool {
        var p = start
        var t = from
        // Backtracking point for a single `*`.
        var starP = -1
        var starT = -1
        while t < text.count {
            if p < pattern.count {
                let c = pattern[p]
                if c == star {
                    if p + 1 < pattern.count && pattern[p + 1] == star {
                        // `**`: matches across segments; `**/` may also match nothing.
                        var rest = p + 2
                        if rest < pattern.count && pattern[rest] == slash { rest += 1 }
                        var i = t
                        while i <= text.count {
                            if (i == t || text[i - 1] == slash || rest == pattern.count)
                                && match(pattern, rest, text, i) {
                                return true
                            }
                            i += 1
                        }
                        return false
                    }
                    starP = p
                    starT = t
                    p += 1
                    continue
                }
                if c == UInt8(ascii: "?") && text[t] != slash {
                    p += 1; t += 1; continue
                }
                if c == UInt8(ascii: "["), let (matched, next) = matchClass(pattern, p, text[t]) {
                    if matched { p = next; t += 1; continue }
                } else if c == text[t] {
                    p += 1; t += 1; continue
                }
            }
            // Mismatch: let the last `*` swallow one more byte, never a slash.
            if starP >= 0 && text[starT] != slash {
                starT += 1
                t = starT
                p = starP + 1
                continue
            }
            return false
        }
        while p < pattern.count && pattern[p] == star { p += 1 }
        return p == pattern.count
    }

    /// Matches `byte` against the class opening at `start`; nil when the class is unclosed.
    private static func matchClass(_ pattern: UnsafeBufferPointer<UInt8>, _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.count && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.count && (first || pattern[i] != UInt8(ascii: "]")) {
            first = false
            let low = pattern[i]
            if i + 2 < pattern.count && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
                if byte >= low && byte <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if byte == low { matched = true }
                i += 1
            }
        }
        guard i < pattern.count else { return nil }
        return (matched != negate && byte != slash, i + 1)
    }
}
