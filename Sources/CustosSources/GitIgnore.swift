// Which paths a git scan leaves alone: the built-in defaults and `--exclude` globs, then the
// `.custosignore` files of one snapshot, each relative to its own folder and deeper ones
// winning, as in a directory scan. The snapshot is the one the scan answers for: HEAD's tree
// for a history scan (or the `--branch` tip), the range's end for `--range` and
// `--since-commit`, and the index for `protect --staged`, so the hook judges a commit by the
// ignore files that commit will hold and CI, scanning it later, agrees. A `.custosignore` that
// is only in the working tree is not read by git scans. The ignore files are blobs, read
// whole up to a size limit; a tree listing them is walked under a budget.

import CGit2
import CustosCore
import Foundation

/// The ignore rules of a git scan: defaults and globs, plus one snapshot's `.custosignore` files.
public struct GitIgnore: Sendable {
    private var base: IgnoreRules
    private var scopes = IgnoreScopes()
    /// Whether every rule judges a path by its last name alone (`*.lock`, `vendor/`), so a
    /// tree's verdicts are the same wherever the tree sits (a history walk then skips a tree
    /// it has seen at another path).
    public private(set) var judgesNamesOnly: Bool
    /// The `.custosignore` files read, by path.
    public private(set) var ignoreFiles: [String] = []

    /// Ignore files larger than this are not read (a warning says so).
    static let maxIgnoreFileBytes = 1 << 20
    /// Tree entries looked at at most while looking for ignore files.
    static let maxTreeEntries = 5_000_000

    /// The defaults (unless turned off) and gitignore-style `lines` (`--exclude`).
    public init(includeDefaults: Bool = true, lines: [String] = []) {
        var rules = IgnoreRules(includeDefaults: includeDefaults)
        rules.add(lines: lines)
        base = rules
        judgesNamesOnly = (includeDefaults ? IgnoreRules.defaults : []).allSatisfy(Self.judgesNameOnly)
            && lines.allSatisfy(Self.judgesNameOnly)
    }

    /// Rules built elsewhere; they may look at whole paths.
    public init(base: IgnoreRules) {
        self.base = base
        judgesNamesOnly = base.isEmpty
    }

    /// Whether the scan leaves `path` out.
    public func isIgnored(_ path: String, isDirectory: Bool = false) -> Bool {
        scopes.apply(to: path, isDirectory: isDirectory, ignored: base.isIgnored(path, isDirectory: isDirectory))
    }

    /// Whether the scan leaves out the file at `path`, or a folder above it (a diff lists files
    /// by their whole path; a walk would not have entered an ignored folder).
    public func isIgnoredFile(_ path: String) -> Bool {
        var folderEnd = path.startIndex
        while let slash = path[folderEnd...].firstIndex(of: "/") {
            if isIgnored(String(path[..<slash]), isDirectory: true) { return true }
            folderEnd = path.index(after: slash)
        }
        return isIgnored(path, isDirectory: false)
    }

    /// Whether a gitignore-style line looks only at a path's last name: no slash but a
    /// trailing one, and no `**` (which spans folders).
    static func judgesNameOnly(_ line: String) -> Bool {
        var text = line.trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.hasPrefix("#") { return true }
        if text.hasPrefix("!") { text.removeFirst() }
        if text.hasSuffix("/") { text.removeLast() }
        return !text.contains("/") && !text.contains("**")
    }

    // MARK: Reading the ignore files of a snapshot

    /// Adds the `.custosignore` files of a commit's tree; warnings for those it cannot read.
    public mutating func addIgnoreFiles(ofCommit commit: ObjectID, in repository: GitRepository) -> [ScanWarning] {
        var found: [(path: String, blob: ObjectID)] = []
        var warnings: [ScanWarning] = []
        var oid = commit.oid
        var commitObject: OpaquePointer?
        var tree: OpaquePointer?
        guard git_commit_lookup(&commitObject, repository.pointer, &oid) == 0, let commitObject else {
            return [ScanWarning(.unreadableObject, path: repository.path,
                message: "commit \(commit) cannot be read, so its .custosignore files were not read")]
        }
        defer { git_commit_free(commitObject) }
        guard git_commit_tree(&tree, commitObject) == 0, let tree else {
            return [ScanWarning(.unreadableObject, path: repository.path,
                message: "the tree of \(commit) cannot be read, so its .custosignore files were not read")]
        }
        defer { git_tree_free(tree) }
        var budget = Self.maxTreeEntries
        collect(tree, prefix: "", repository: repository, budget: &budget, into: &found, warnings: &warnings)
        if budget <= 0 {
            warnings.append(ScanWarning(.limitExceeded, path: repository.path,
                message: "the tree of \(commit) has more than \(Self.maxTreeEntries) entries; .custosignore files were looked for only in part of it"))
        }
        add(found, repository: repository, warnings: &warnings)
        return warnings
    }

    /// Adds the `.custosignore` files staged in the index (what the next commit will hold).
    public mutating func addIgnoreFilesOfIndex(in repository: GitRepository) -> [ScanWarning] {
        var index: OpaquePointer?
        guard git_repository_index(&index, repository.pointer) == 0, let index else {
            return [ScanWarning(.configuration, path: repository.path, message: "the index cannot be read, so no .custosignore file was read")]
        }
        defer { git_index_free(index) }
        var found: [(path: String, blob: ObjectID)] = []
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position)?.pointee, let cPath = entry.path else { continue }
            let path = String(cString: cPath)
            guard path == IgnoreScopes.fileName || path.hasSuffix("/" + IgnoreScopes.fileName) else { continue }
            found.append((path, ObjectID(entry.id)))
        }
        var warnings: [ScanWarning] = []
        add(found, repository: repository, warnings: &warnings)
        return warnings
    }

    private func collect(_ tree: OpaquePointer, prefix: String, repository: GitRepository, budget: inout Int,
                         into found: inout [(path: String, blob: ObjectID)], warnings: inout [ScanWarning]) {
        for position in 0..<git_tree_entrycount(tree) {
            budget -= 1
            guard budget > 0, let entry = git_tree_entry_byindex(tree, position) else { return }
            let name = String(cString: git_tree_entry_name(entry))
            let path = prefix.isEmpty ? name : prefix + "/" + name
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB where name == IgnoreScopes.fileName:
                found.append((path, ObjectID(git_tree_entry_id(entry).pointee)))
            case GIT_OBJECT_TREE:
                // An ignored folder's ignore files cannot bring anything back below it.
                if isIgnored(path, isDirectory: true) { continue }
                var subtree: OpaquePointer?
                guard git_tree_lookup(&subtree, repository.pointer, git_tree_entry_id(entry)) == 0, let subtree else {
                    warnings.append(ScanWarning(.unreadableObject, path: path,
                        message: "tree \(ObjectID(git_tree_entry_id(entry).pointee)) cannot be read, so .custosignore files below it were not read"))
                    continue
                }
                defer { git_tree_free(subtree) }
                collect(subtree, prefix: path, repository: repository, budget: &budget, into: &found, warnings: &warnings)
            default:
                continue
            }
        }
    }

    /// Reads the found files, outermost first (a folder's file before its subfolders').
    private mutating func add(_ found: [(path: String, blob: ObjectID)], repository: GitRepository, warnings: inout [ScanWarning]) {
        let ordered = found.sorted { a, b in
            let depthA = a.path.split(separator: "/").count
            let depthB = b.path.split(separator: "/").count
            return depthA != depthB ? depthA < depthB : a.path < b.path
        }
        for file in ordered {
            let folder = file.path.contains("/") ? String(file.path[..<file.path.lastIndex(of: "/")!]) : ""
            let text: String?
            do {
                text = try repository.withBlob(file.blob) { bytes -> String? in
                    guard bytes.count <= Self.maxIgnoreFileBytes else { return nil }
                    return String(decoding: bytes, as: UTF8.self)
                }
            } catch {
                warnings.append(ScanWarning(.configuration, path: file.path, message: "cannot read the ignore file: \(error)"))
                continue
            }
            guard let text else {
                warnings.append(ScanWarning(.configuration, path: file.path,
                    message: "ignore file larger than \(Self.maxIgnoreFileBytes) bytes; not read"))
                continue
            }
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
            var rules = IgnoreRules(includeDefaults: false)
            rules.add(lines: lines)
            guard !rules.isEmpty else { continue }
            scopes = scopes.adding(rules, atFolder: folder)
            ignoreFiles.append(file.path)
            if !folder.isEmpty || !lines.allSatisfy(Self.judgesNameOnly) { judgesNamesOnly = false }
        }
    }
}
