// A static reading of peer regexes for the importers: capturing groups, required literals,
// path regexes that are really globs. Owns no matching; the engine compiles converted rules
// and proves them.

/// What the importers need to know about a peer tool's regex without running it: where its
/// capturing groups are (to name gitleaks's `secretGroup` as custos's `secret`), which literals
/// every match must contain (a custos rule's keywords), and whether a path regex is simple
/// enough to become a glob.
///
/// A deliberately small reader of RE2/PCRE syntax: it recognises escapes, classes, groups and
/// quantifiers and treats everything else as one character. Whatever it cannot read it reports
/// as "unknown" (no literal, no glob), never as a wrong answer; nesting is capped.
enum PatternShape {
    static let maximumNesting = 64

    // MARK: Capturing groups

    struct Group {
        /// Index of the `(` in the scalars.
        var open: Int
        /// Scalars after the `(` that name the group (`?P<name>`), 0 for a plain group.
        var nameLength: Int
    }

    /// The capturing groups in order of their opening parenthesis (RE2 and PCRE number them so).
    static func capturingGroups(_ scalars: [Unicode.Scalar]) -> [Group] {
        var groups: [Group] = []
        var index = 0
        var inClass = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                if index + 1 < scalars.count, scalars[index + 1] == "Q" {
                    index = quoteEnd(scalars, from: index)
                    continue
                }
                index += 2
                continue
            }
            if inClass {
                if scalar == "[", let end = PeerRegex.posixClassEnd(scalars, from: index) {
                    index = end + 1
                    continue
                }
                if scalar == "]" { inClass = false }
                index += 1
                continue
            }
            if scalar == "[" {
                inClass = true
                index += 1
                if index < scalars.count && scalars[index] == "^" { index += 1 }
                if index < scalars.count && scalars[index] == "]" { index += 1 }
                continue
            }
            if scalar == "(" {
                if let end = PeerRegex.namedGroupEnd(scalars, from: index) {
                    groups.append(Group(open: index, nameLength: end - index))
                } else if index + 1 >= scalars.count || scalars[index + 1] != "?" {
                    groups.append(Group(open: index, nameLength: 0))
                }
            }
            index += 1
        }
        return groups
    }

    /// The index after `\Q…\E` starting at `start`.
    static func quoteEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start + 2
        while index < scalars.count {
            if scalars[index] == "\\" && index + 1 < scalars.count && scalars[index + 1] == "E" { return index + 2 }
            index += 1
        }
        return scalars.count
    }

    /// `pattern` with every named group made plain and capturing group `number` (1-based)
    /// named `secret`; nil when there is no such group.
    static func namingGroup(_ number: Int, in pattern: String) -> String? {
        let scalars = Array(pattern.unicodeScalars)
        let groups = capturingGroups(scalars)
        guard number >= 1, number <= groups.count else { return nil }
        var out = String.UnicodeScalarView()
        var index = 0
        for (position, group) in groups.enumerated() {
            out.append(contentsOf: scalars[index...group.open])
            if position == number - 1 { out.append(contentsOf: "?P<secret>".unicodeScalars) }
            index = group.open + 1 + group.nameLength
        }
        out.append(contentsOf: scalars[index...])
        return String(out)
    }

    /// `pattern` with named groups made plain (their numbers are unchanged).
    static func unnamingGroups(in pattern: String) -> String {
        let scalars = Array(pattern.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        for group in capturingGroups(scalars) {
            out.append(contentsOf: scalars[index...group.open])
            index = group.open + 1 + group.nameLength
        }
        out.append(contentsOf: scalars[index...])
        return String(out)
    }

    // MARK: Literals

    /// Literal runs found in a pattern: those every match contains, and all of them.
    struct Literals {
        /// Runs that occur in every match.
        var required: [String] = []
        /// Every literal run, required or not (alternatives, optional parts).
        var all: [String] = []
    }

    /// The literal runs of `pattern`; nil when the reader cannot follow it.
    static func literals(_ pattern: String) -> Literals? {
        var reader = LiteralReader(scalars: Array(pattern.unicodeScalars))
        guard let result = reader.alternation(depth: 0), reader.index == reader.scalars.count else { return nil }
        return result
    }

    /// The longest literal every match of `pattern` contains, when it has at least `minimum`
    /// characters: a keyword custos can look for.
    static func requiredLiteral(_ pattern: String, minimum: Int = 3) -> String? {
        guard let literals = literals(pattern) else { return nil }
        return literals.required.filter { $0.count >= minimum }.max { $0.count < $1.count }
    }

    private struct LiteralReader {
        let scalars: [Unicode.Scalar]
        var index = 0

        /// Branches separated by `|`; a run is required only when there is one branch.
        mutating func alternation(depth: Int) -> Literals? {
            guard depth < PatternShape.maximumNesting else { return nil }
            var branches: [Literals] = []
            while true {
                guard let branch = sequence(depth: depth) else { return nil }
                branches.append(branch)
                guard index < scalars.count, scalars[index] == "|" else { break }
                index += 1
            }
            var result = Literals()
            result.all = branches.flatMap(\.all)
            if branches.count == 1 { result.required = branches[0].required }
            return result
        }

        /// Atoms up to `|`, `)` or the end.
        mutating func sequence(depth: Int) -> Literals? {
            var result = Literals()
            var run = String.UnicodeScalarView()
            func flush(_ result: inout Literals, _ run: inout String.UnicodeScalarView, required: Bool) {
                guard !run.isEmpty else { return }
                let text = String(run)
                result.all.append(text)
                if required { result.required.append(text) }
                run.removeAll()
            }
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "|" || scalar == ")" { break }
                let atom: Atom
                switch scalar {
                case "(":
                    index += 1
                    guard let group = groupBody(depth: depth) else { return nil }
                    atom = .group(group)
                case "[":
                    guard skipClass() else { return nil }
                    atom = .other
                case "\\":
                    guard let escaped = escape() else { return nil }
                    atom = escaped
                case ".", "^", "$":
                    index += 1
                    atom = .other
                case "*", "+", "?", "{":
                    if scalar == "{" && PeerRegex.repetitionEnd(scalars, from: index) == nil {
                        index += 1
                        atom = .literal(scalar)
                    } else {
                        return nil  // a quantifier with nothing to repeat
                    }
                default:
                    index += 1
                    atom = .literal(scalar)
                }
                let (minimum, maximum) = quantifier()
                switch atom {
                case let .literal(character):
                    if minimum == 0 {
                        flush(&result, &run, required: true)
                        run.append(character)
                        flush(&result, &run, required: false)
                    } else {
                        for _ in 0..<min(minimum, 16) { run.append(character) }
                        if maximum != minimum { flush(&result, &run, required: true) }
                    }
                case let .group(inner):
                    flush(&result, &run, required: true)
                    result.all += inner.all
                    if minimum >= 1 { result.required += inner.required }
                case .other:
                    flush(&result, &run, required: true)
                }
            }
            flush(&result, &run, required: true)
            return result
        }

        enum Atom {
            case literal(Unicode.Scalar)
            case group(Literals)
            case other
        }

        /// After `(`: the group's literals, through its `)`. Lookarounds and flag groups add none.
        mutating func groupBody(depth: Int) -> Literals? {
            var isLookaround = false
            if index < scalars.count, scalars[index] == "?" {
                if let end = PeerRegex.namedGroupEnd(scalars, from: index - 1) {
                    index = end + 1
                } else {
                    index += 1
                    guard index < scalars.count else { return nil }
                    if scalars[index] == "=" || scalars[index] == "!" {
                        isLookaround = true
                        index += 1
                    } else if scalars[index] == "<", index + 1 < scalars.count, scalars[index + 1] == "=" || scalars[index + 1] == "!" {
                        isLookaround = true
                        index += 2
                    } else {
                        // Flags: `(?i)` applies to the rest; `(?i:…)` is a group.
                        while index < scalars.count, scalars[index].properties.isAlphabetic || scalars[index] == "-" { index += 1 }
                        guard index < scalars.count else { return nil }
                        if scalars[index] == ")" {
                            index += 1
                            return Literals()
                        }
                        guard scalars[index] == ":" else { return nil }
                        index += 1
                    }
                }
            }
            guard let inner = alternation(depth: depth + 1), index < scalars.count, scalars[index] == ")" else { return nil }
            index += 1
            return isLookaround ? Literals() : inner
        }

        /// At `[`: past the closing `]`.
        mutating func skipClass() -> Bool {
            index += 1
            if index < scalars.count && scalars[index] == "^" { index += 1 }
            if index < scalars.count && scalars[index] == "]" { index += 1 }
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "\\" {
                    index += 2
                    continue
                }
                if scalar == "[", let end = PeerRegex.posixClassEnd(scalars, from: index) {
                    index = end + 1
                    continue
                }
                index += 1
                if scalar == "]" { return true }
            }
            return false
        }

        /// At `\`: an escaped punctuation character is a literal; letters are classes or anchors.
        mutating func escape() -> Atom? {
            guard index + 1 < scalars.count else { return nil }
            let next = scalars[index + 1]
            if next == "Q" {
                // `\Q…\E`: literal text, read as one run.
                let end = PatternShape.quoteEnd(scalars, from: index)
                index = end
                return .other
            }
            index += 2
            if next.properties.isAlphabetic || ("0"..."9").contains(next) {
                // `\p{…}`, `\x{…}` carry a braced argument.
                if (next == "p" || next == "P" || next == "x"), index < scalars.count, scalars[index] == "{" {
                    while index < scalars.count && scalars[index] != "}" { index += 1 }
                    index += 1
                } else if next == "p" || next == "P" {
                    index += 1
                } else if next == "x" {
                    index += 2
                }
                return .other
            }
            return .literal(next)
        }

        /// A quantifier after an atom, as (minimum, maximum); maximum nil means unbounded.
        mutating func quantifier() -> (Int, Int?) {
            guard index < scalars.count else { return (1, 1) }
            var bounds: (Int, Int?)
            switch scalars[index] {
            case "*": bounds = (0, nil); index += 1
            case "+": bounds = (1, nil); index += 1
            case "?": bounds = (0, 1); index += 1
            case "{":
                guard let end = PeerRegex.repetitionEnd(scalars, from: index) else { return (1, 1) }
                let body = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                let parts = body.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
                let minimum = Int(parts[0]) ?? 0
                let maximum: Int? = parts.count == 1 ? minimum : Int(parts[1])
                bounds = (minimum, maximum)
                index = end + 1
            default:
                return (1, 1)
            }
            // Lazy or possessive suffix.
            if index < scalars.count, scalars[index] == "?" || scalars[index] == "+" { index += 1 }
            return bounds
        }
    }

    // MARK: Paths

    /// Gitignore-style globs matching exactly the paths `regex` matches, for the simple shapes
    /// teams write (`\.env$`, `^vendor/`, `(^|/)node_modules/`, `fixtures/`); nil otherwise.
    static func globs(forPathRegex regex: String) -> [String]? {
        var body = Substring(regex)
        var anchoredStart = false
        var segmentStart = false
        for prefix in ["(?:^|/)", "(^|/)", "(?:^|\\/)", "(^|\\/)"] where body.hasPrefix(prefix) {
            body = body.dropFirst(prefix.count)
            segmentStart = true
        }
        if !segmentStart, body.hasPrefix("^") {
            body = body.dropFirst()
            anchoredStart = true
        }
        var anchoredEnd = false
        if body.hasSuffix("$") && !body.hasSuffix("\\$") {
            body = body.dropLast()
            anchoredEnd = true
        }
        guard let literal = plainLiteral(body), !literal.isEmpty else { return nil }
        // Glob metacharacters have no escape in a literal glob.
        guard !literal.contains(where: { "*?[]!\\".contains($0) }) else { return nil }
        let folder = literal.hasSuffix("/")
        let core = folder ? String(literal.dropLast()) : literal
        guard !core.isEmpty, !core.hasPrefix("/") else { return nil }
        if anchoredStart {
            if anchoredEnd { return folder ? nil : ["/" + core] }
            // `^docs/` is everything under docs/; `^docs` also names docs2/ and docs.md.
            return folder ? ["/\(core)/**"] : ["/\(core)*", "/\(core)*/**"]
        }
        if segmentStart {
            if anchoredEnd { return folder ? nil : ["**/\(core)"] }
            return folder ? ["**/\(core)/**"] : ["**/\(core)*", "**/\(core)*/**"]
        }
        // Unanchored: the literal may start inside any segment.
        if anchoredEnd { return folder ? nil : ["**/*\(core)"] }
        return folder ? ["**/*\(core)/**"] : ["**/*\(core)*", "**/*\(core)*/**"]
    }

    /// The text `body` matches when it is a literal (escaped punctuation allowed).
    static func plainLiteral(_ body: Substring) -> String? {
        var out = ""
        var index = body.startIndex
        while index < body.endIndex {
            let character = body[index]
            if character == "\\" {
                let next = body.index(after: index)
                guard next < body.endIndex else { return nil }
                let escaped = body[next]
                guard escaped.isPunctuation || escaped.isSymbol else { return nil }
                out.append(escaped)
                index = body.index(after: next)
                continue
            }
            guard !".^$*+?()[]{}|".contains(character) else { return nil }
            out.append(character)
            index = body.index(after: index)
        }
        return out
    }
}
