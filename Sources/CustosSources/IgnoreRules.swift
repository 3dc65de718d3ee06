import CustosCore
import Foundation

/// Which paths a scan leaves alone: built-in defaults (VCS folders, custos's own `.custos/`
/// registry folder, lockfiles, minified and media assets), then `.custosignore` lines, then `--exclude` globs. Later rules win, and a
/// rule starting with `!` brings a path back, as in `.gitignore`.
public struct IgnoreRules: Sendable {
    private struct Entry: Sendable {
        var glob: PathGlob
        var negated: Bool
    }

    private var entries: [Entry] = []
    /// With no `!` line, order does not matter: name and extension globs are checked in one
    /// flat table, the rest one by one.
    private var names = NameTable()
    private var others: [PathGlob] = []
    private var hasNegations = false

    /// Files that hold hashes and versions, not secrets, or that no text rule can read.
    public static let defaults = [
        ".git/", ".hg/", ".svn/", ".custos/",
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock",
        "go.sum", "poetry.lock", "Pipfile.lock", "Gemfile.lock", "composer.lock", "Package.resolved",
        "Podfile.lock", "packages.lock.json",
        // Other scanners' baselines hold hashes of secrets (detect-secrets' hashed_secret).
        ".secrets.baseline", ".custos-baseline.json",
        "*.min.js", "*.min.css", "*.js.map", "*.css.map",
        "*.png", "*.jpg", "*.jpeg", "*.gif", "*.ico", "*.webp", "*.bmp", "*.tif", "*.tiff",
        "*.mp3", "*.mp4", "*.mov", "*.avi", "*.wav", "*.woff", "*.woff2", "*.ttf", "*.otf", "*.eot",
    ]

    /// Starts from the defaults, or from nothing.
    public init(includeDefaults: Bool = true) {
        if includeDefaults { add(lines: Self.defaults) }
    }

    /// Adds gitignore-style lines; blank lines and `#` comments are skipped.
    public mutating func add<Lines: Sequence>(lines: Lines) where Lines.Element == String {
        for raw in lines {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var negated = false
            if line.hasPrefix("!") {
                negated = true
                line.removeFirst()
            }
            if line.hasPrefix("\\") { line.removeFirst() }
            let glob = PathGlob(line)
            entries.append(Entry(glob: glob, negated: negated))
            hasNegations = hasNegations || negated
            if let test = glob.nameTest {
                names.add(test, directoryOnly: glob.directoryOnly)
            } else {
                others.append(glob)
            }
        }
    }

    /// Adds the lines of an ignore file's text.
    public mutating func add(contents text: String) {
        add(lines: text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init))
    }

    /// Adds the lines of an ignore file; a missing file adds nothing.
    public mutating func add(fileAt path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        add(lines: text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init))
    }

    /// Whether `relativePath` is left out of the scan.
    /// Whether a file given by its whole relative path is left out, as a walk would leave it
    /// out: because a folder on its way is ignored (`vendor/`), or the file itself is. For
    /// sources that see paths rather than folders (git history, diffs).
    public func isIgnored(filePath relativePath: String) -> Bool {
        var ignored = false
        var folder = ""
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: true)
        for component in components.dropLast() {
            folder = folder.isEmpty ? String(component) : folder + "/" + component
            if let verdict = verdict(folder, isDirectory: true, startingFrom: ignored) { ignored = verdict }
            // Like git, nothing below an ignored folder can be re-included.
            if ignored { return true }
        }
        return isIgnored(relativePath, isDirectory: false)
    }

    public func isIgnored(_ relativePath: String, isDirectory: Bool) -> Bool {
        verdict(relativePath, isDirectory: isDirectory, startingFrom: false) ?? false
    }

    /// What these rules say about `relativePath` when an outer rule set already decided
    /// `ignored`: the new decision, or nil when no line here matches.
    public func verdict(_ relativePath: String, isDirectory: Bool, startingFrom ignored: Bool) -> Bool? {
        if !hasNegations {
            // Every line ignores: the answer is whether any matches.
            if ignored { return nil }
            let named = relativePath.utf8.withContiguousStorageIfAvailable { path in
                let start = (path.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
                return names.matches(UnsafeBufferPointer(rebasing: path[start...]), isDirectory: isDirectory)
            }
            if named ?? entries.contains(where: { $0.glob.matches(relativePath, isDirectory: isDirectory) }) { return true }
            return others.contains { $0.matches(relativePath, isDirectory: isDirectory) } ? true : nil
        }
        var ignored = ignored
        var matched = false
        // Called for every entry a walk lists: the entries are borrowed, not copied.
        entries.withUnsafeBufferPointer { entries in
            for index in entries.indices where entries[index].negated == ignored {
                if entries[index].glob.matches(relativePath, isDirectory: isDirectory) {
                    ignored = !entries[index].negated
                    matched = true
                }
            }
        }
        return matched ? ignored : nil
    }

    public var isEmpty: Bool { entries.isEmpty }
}

/// The `.custosignore` files met on the way down to a folder, outermost first. As with
/// `.gitignore`, each file's lines are relative to its own folder, and deeper files override.
public struct IgnoreScopes: Sendable {
    public static let fileName = ".custosignore"

    private var scopes: [(folder: String, rules: IgnoreRules)] = []

    public init() {}

    /// These scopes plus `rules` read from the folder at `relativeFolder`.
    public func adding(_ rules: IgnoreRules, atFolder relativeFolder: String) -> IgnoreScopes {
        var copy = self
        copy.scopes.append((relativeFolder, rules))
        return copy
    }

    /// Applies every scope that contains `relativePath` to the decision `ignored`.
    public func apply(to relativePath: String, isDirectory: Bool, ignored: Bool) -> Bool {
        var ignored = ignored
        for scope in scopes {
            let inner: Substring
            if scope.folder.isEmpty {
                inner = Substring(relativePath)
            } else {
                guard relativePath.hasPrefix(scope.folder + "/") else { continue }
                inner = relativePath.dropFirst(scope.folder.count + 1)
            }
            if let decision = scope.rules.verdict(String(inner), isDirectory: isDirectory, startingFrom: ignored) {
                ignored = decision
            }
        }
        return ignored
    }
}

/// Name and extension globs in one flat table of bytes: a walk checks every entry it lists
/// against all of them, so the check is one pass with no reference counting.
private struct NameTable: Sendable {
    private struct Test: Sendable {
        var start: Int
        var count: Int
        var isSuffix: Bool
        var directoryOnly: Bool
    }

    private var pool: [UInt8] = []
    private var tests: [Test] = []

    mutating func add(_ test: PathGlob.NameTest, directoryOnly: Bool) {
        let (bytes, isSuffix): ([UInt8], Bool) = switch test {
        case let .equals(bytes): (bytes, false)
        case let .hasSuffix(bytes): (bytes, true)
        }
        tests.append(Test(start: pool.count, count: bytes.count, isSuffix: isSuffix, directoryOnly: directoryOnly))
        pool += bytes
    }

    func matches(_ name: UnsafeBufferPointer<UInt8>, isDirectory: Bool) -> Bool {
        pool.withUnsafeBufferPointer { pool in
            tests.withUnsafeBufferPointer { tests in
                for test in tests where (!test.directoryOnly || isDirectory) {
                    if test.isSuffix ? name.count < test.count : name.count != test.count { continue }
                    if test.count == 0 { return true }
                    if memcmp(pool.baseAddress! + test.start, name.baseAddress! + (name.count - test.count), test.count) == 0 {
                        return true
                    }
                }
                return false
            }
        }
    }
}
