import CustosCore

/// How reports for CI platforms (SARIF, GitLab, Code Quality) name the file that holds a
/// finding: relative to a source root when they can, since a platform opens files by their
/// path in the repository, and an absolute path names the machine that ran the scan.
///
/// The root is the common folder of the scan roots when all of them are absolute (a root that
/// is itself a reported file counts as its folder); relative paths are taken as relative to
/// the folder custos ran in, and git paths as relative to the repository. Only `Origin`
/// renders locations: this type takes the artifact's path apart, never a member chain.
struct SourcePaths {
    /// The absolute folder relative paths resolve against (no trailing slash, `/` for the
    /// file system root); nil when some root is relative or none was given.
    let base: String?

    init(roots: [String], findings: [Finding]) {
        let artifacts = Set(findings.compactMap { finding -> String? in
            if case let .file(path) = finding.origin.artifact { return path }
            return nil
        })
        var folders: [[Substring]] = []
        // `-` is standard input, reported as `stdin`: no folder to be relative to.
        for root in roots where root != "-" {
            guard root.hasPrefix("/") else {
                base = nil
                return
            }
            var parts = Self.components(root)
            if artifacts.contains(Self.joined(parts)), !parts.isEmpty { parts.removeLast() }
            folders.append(parts)
        }
        guard var common = folders.first else {
            base = nil
            return
        }
        for parts in folders.dropFirst() {
            var shared = 0
            while shared < min(common.count, parts.count) && common[shared] == parts[shared] { shared += 1 }
            common = Array(common.prefix(shared))
        }
        base = Self.joined(common)
    }

    /// Where a finding's outermost artifact is, as a platform names it.
    enum Place: Equatable {
        /// Relative to the source root (or, without one, to the folder custos ran in).
        case relative(String)
        /// An absolute path outside every root.
        case absolute(String)

        var path: String {
            switch self {
            case let .relative(path), let .absolute(path): path
            }
        }
    }

    /// The place of `origin`'s outermost artifact.
    func place(of origin: Origin) -> Place {
        switch origin.artifact {
        case let .gitBlob(_, path): .relative(Self.dropDotSegments(path))
        case let .file(path): place(ofFile: path)
        default: .relative(origin.artifactPath)
        }
    }

    /// The place of a file path as a scan reports it (`related` places carry only the path).
    func place(ofFile path: String) -> Place {
        guard path.hasPrefix("/") else { return .relative(Self.dropDotSegments(path)) }
        guard let base else { return .absolute(path) }
        let prefix = base == "/" ? "/" : base + "/"
        if path.hasPrefix(prefix) && path.count > prefix.count { return .relative(String(path.dropFirst(prefix.count))) }
        return .absolute(path)
    }

    /// `./a/./b` → `a/b`: the leading `./` a relative root such as `.` puts in front of paths.
    static func dropDotSegments(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let kept = parts.enumerated().filter { index, part in part != "." && !(part.isEmpty && index > 0) }.map(\.element)
        return kept.isEmpty ? path : kept.joined(separator: "/")
    }

    private static func components(_ absolute: String) -> [Substring] {
        absolute.split(separator: "/").filter { $0 != "." }
    }

    private static func joined(_ parts: [Substring]) -> String {
        "/" + parts.joined(separator: "/")
    }
}

/// A name for one finding's place that survives line moves: the secret's fingerprint, the
/// artifact's source path, the member chain inside it, the commit for history findings, and
/// which occurrence of that secret in that artifact it is. GitLab ids, Code Quality
/// fingerprints and SARIF's place fingerprint are derived from it.
enum FindingPlaceKey {
    /// One key per finding, in the order given (report order, so occurrences count alike in
    /// every run).
    static func keys(for findings: [Finding], paths: SourcePaths) -> [String] {
        var seen: [String: Int] = [:]
        return findings.map { finding in
            let parts = [
                finding.fingerprint.hex,
                paths.place(of: finding.origin).path,
                finding.origin.containerChain.joined(separator: "\u{0}"),
                finding.git?.introducedBy?.commit ?? finding.git?.blob ?? "",
            ]
            let group = parts.joined(separator: "\u{1}")
            let occurrence = seen[group, default: 0]
            seen[group] = occurrence + 1
            return sha256Hex(parts: ["custos-place/1"] + parts + [String(occurrence)])
        }
    }

    /// A UUID-shaped rendering of a key (version 5 and RFC 4122 variant bits set), which is
    /// what GitLab recommends for vulnerability ids.
    static func uuid(_ key: String) -> String {
        var hex = Array(key.prefix(32))
        while hex.count < 32 { hex.append("0") }
        hex[12] = "5"
        let variant = Int(String(hex[16]), radix: 16).map { ($0 & 0x3) | 0x8 } ?? 8
        hex[16] = Character(String(variant, radix: 16))
        let text = String(hex)
        func slice(_ from: Int, _ to: Int) -> Substring {
            text[text.index(text.startIndex, offsetBy: from)..<text.index(text.startIndex, offsetBy: to)]
        }
        return "\(slice(0, 8))-\(slice(8, 12))-\(slice(12, 16))-\(slice(16, 20))-\(slice(20, 32))"
    }
}
