/// A gitignore-style path pattern: `*` and `?` stay within one path segment, `**` spans any
/// number of segments, `[a-z]` and `[!a-z]` are classes. A pattern without a slash matches the
/// last segment at any depth; a leading slash anchors it to the root; a trailing slash limits
/// it to directories.
public struct PathGlob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    public let directoryOnly: Bool
    private let anchored: Bool
    private let bytes: [UInt8]

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
    }

    public var description: String { pattern }

    /// Whether `path` (relative, `/`-separated, no leading slash) matches.
    public func matches(_ path: String, isDirectory: Bool = false) -> Bool {
        if directoryOnly && !isDirectory { return false }
        let subject = Array(path.utf8)
        if anchored {
            return Self.match(bytes[...], subject[...])
        }
        // Unanchored: try at the start of every segment.
        if Self.match(bytes[...], subject[...]) { return true }
        for (index, byte) in subject.enumerated() where byte == UInt8(ascii: "/") {
            if Self.match(bytes[...], subject[(index + 1)...]) { return true }
        }
        return false
    }

    private static let slash = UInt8(ascii: "/")
    private static let star = UInt8(ascii: "*")

    private static func match(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        // Backtracking point for a single `*`.
        var starP = -1
        var starT = -1
        while t < text.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == star {
                    if p + 1 < pattern.endIndex && pattern[p + 1] == star {
                        // `**`: matches across segments; `**/` may also match nothing.
                        var rest = p + 2
                        if rest < pattern.endIndex && pattern[rest] == slash { rest += 1 }
                        let remainder = pattern[rest...]
                        var i = t
                        while i <= text.endIndex {
                            if (i == t || text[i - 1] == slash || rest == pattern.endIndex)
                                && match(remainder, text[i...]) {
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
        while p < pattern.endIndex && pattern[p] == star { p += 1 }
        return p == pattern.endIndex
    }

    /// Matches `byte` against the class opening at `start`; nil when the class is unclosed.
    private static func matchClass(_ pattern: ArraySlice<UInt8>, _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.endIndex && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.endIndex && (first || pattern[i] != UInt8(ascii: "]")) {
            first = false
            let low = pattern[i]
            if i + 2 < pattern.endIndex && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
                if byte >= low && byte <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if byte == low { matched = true }
                i += 1
            }
        }
        guard i < pattern.endIndex else { return nil }
        return (matched != negate && byte != slash, i + 1)
    }
}
