// Regular expressions written for other tools (gitleaks's RE2, detect-secrets' Python `re`),
// compiled for custos's allow lists. Owns the dialect rewriting; what a regex is checked
// against is the allow list's business.

import Foundation

/// A regular expression from a configuration file, as teams write them for gitleaks (Go's RE2
/// syntax) or detect-secrets (Python's `re`), run with NSRegularExpression (ICU).
///
/// NSRegularExpression is used because allow lists run once per finding, after the scan, where
/// a few microseconds per check do not matter, and because CustosConfig stays free of the
/// engine's C libraries. RE2 patterns are mostly valid ICU patterns; `PeerRegex.icuPattern`
/// rewrites only what ICU reads differently: named groups `(?P<name>…)` (ICU takes neither the
/// `P` nor underscores in names; names are not needed here, so groups become plain ones), a `[`
/// inside a character class (literal in RE2, a nested set in ICU), `&` inside a class (ICU's
/// set intersection `&&`), and a `{` or `}` that does not form a repetition (literal in RE2, an
/// error in ICU).
public struct PeerRegex: Sendable, CustomStringConvertible {
    /// The pattern as the file wrote it.
    public let pattern: String
    private let regex: NSRegularExpression

    /// Compiles `pattern`; the message says why ICU refused it.
    public init(_ pattern: String) throws(PeerRegexError) {
        self.pattern = pattern
        do {
            regex = try NSRegularExpression(pattern: Self.icuPattern(pattern))
        } catch {
            throw PeerRegexError(pattern: pattern, message: "not a regular expression custos can run: \(error.localizedDescription)")
        }
    }

    public var description: String { pattern }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, options: [], range: NSRange(location: 0, length: text.utf16.count)) != nil
    }

    /// `pattern` with RE2-only spellings rewritten for ICU (see the type's comment).
    public static func icuPattern(_ pattern: String) -> String {
        let scalars = Array(pattern.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        var inClass = false
        // Whether the class just opened (a `]` there is a literal, as in RE2 and ICU).
        var classStart = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                out.append(scalar)
                if index + 1 < scalars.count {
                    out.append(scalars[index + 1])
                    // `\Q…\E` quotes literally in both dialects: copy it whole.
                    if scalars[index + 1] == "Q" && !inClass {
                        var end = index + 2
                        while end < scalars.count && !(scalars[end] == "\\" && end + 1 < scalars.count && scalars[end + 1] == "E") {
                            out.append(scalars[end])
                            end += 1
                        }
                        index = end
                        continue
                    }
                }
                index += 2
                classStart = false
                continue
            }
            if inClass {
                if scalar == "]" && !classStart {
                    inClass = false
                    out.append(scalar)
                } else if scalar == "[" {
                    // `[:alpha:]` is a POSIX class in both dialects; any other `[` is literal in RE2.
                    if let end = posixClassEnd(scalars, from: index) {
                        out.append(contentsOf: scalars[index...end])
                        index = end + 1
                        classStart = false
                        continue
                    }
                    out.append("\\")
                    out.append(scalar)
                } else if scalar == "&" || scalar == "{" || scalar == "}" {
                    out.append("\\")
                    out.append(scalar)
                } else {
                    out.append(scalar)
                }
                classStart = classStart && scalar == "^"
                index += 1
                continue
            }
            switch scalar {
            case "[":
                inClass = true
                classStart = true
                out.append(scalar)
                if index + 1 < scalars.count && scalars[index + 1] == "^" {
                    out.append("^")
                    index += 1
                }
                index += 1
                continue
            case "(":
                if let end = namedGroupEnd(scalars, from: index) {
                    out.append("(")
                    index = end + 1
                    continue
                }
            case "{":
                if let end = repetitionEnd(scalars, from: index), index > 0 {
                    out.append(contentsOf: scalars[index...end])
                    index = end + 1
                    continue
                }
                out.append("\\")
            case "}":
                out.append("\\")
            default:
                break
            }
            out.append(scalar)
            index += 1
        }
        return String(out)
    }

    /// The index of `>` closing `(?P<name>` or `(?<name>` at `start`; nil for other groups
    /// (including the lookbehinds `(?<=` and `(?<!`).
    static func namedGroupEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        guard index < scalars.count, scalars[index] == "?" else { return nil }
        index += 1
        if index < scalars.count && scalars[index] == "P" { index += 1 }
        guard index < scalars.count, scalars[index] == "<" else { return nil }
        index += 1
        guard index < scalars.count, scalars[index] != "=", scalars[index] != "!" else { return nil }
        while index < scalars.count && scalars[index] != ">" {
            guard scalars[index].properties.isAlphabetic || ("0"..."9").contains(scalars[index]) || scalars[index] == "_" else {
                return nil
            }
            index += 1
        }
        return index < scalars.count ? index : nil
    }

    /// The index of `}` closing a repetition `{n}`, `{n,}` or `{n,m}` at `start`.
    static func repetitionEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        var digits = 0
        while index < scalars.count && ("0"..."9").contains(scalars[index]) {
            index += 1
            digits += 1
        }
        guard digits > 0, index < scalars.count else { return nil }
        if scalars[index] == "," {
            index += 1
            while index < scalars.count && ("0"..."9").contains(scalars[index]) { index += 1 }
        }
        guard index < scalars.count, scalars[index] == "}" else { return nil }
        return index
    }

    /// The index of `]` closing `[:name:]` at `start`.
    static func posixClassEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 1 < scalars.count, scalars[start + 1] == ":" else { return nil }
        var index = start + 2
        if index < scalars.count && scalars[index] == "^" { index += 1 }
        while index < scalars.count && ("a"..."z").contains(scalars[index]) { index += 1 }
        guard index + 1 < scalars.count, scalars[index] == ":", scalars[index + 1] == "]" else { return nil }
        return index + 1
    }
}

/// A pattern in a configuration file that cannot be compiled.
public struct PeerRegexError: Error, Sendable, CustomStringConvertible {
    public var pattern: String
    public var message: String

    public var description: String { "'\(pattern)': \(message)" }
}
