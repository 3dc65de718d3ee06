import Foundation
import ZIPFoundation

/// Limits that keep a hostile archive from exhausting memory or time.
public struct ArchiveLimits: Sendable {
    /// Archives inside archives, counting the outermost as 1.
    public var maxDepth = 4
    /// Members read from one archive, at every depth together.
    public var maxMembers = 20_000
    /// Bytes expanded from one archive, at every depth together.
    public var maxExpandedBytes = 512 * 1024 * 1024
    /// Expanded size over compressed size above which a member is treated as a bomb.
    public var maxRatio = 200
    /// A single member larger than this is skipped.
    public var maxMemberBytes = 128 * 1024 * 1024

    public init() {}
}

/// One member read out of an archive.
public struct ArchiveMember: Sendable {
    /// The location chain: `inner.zip!/dir/file.txt` (relative to the outer archive).
    public var name: String
    public var bytes: Data
}

/// Reads zip-based archives (.zip, .gwbk, .zef, .apa, .jar, .docx, …) in memory, recursively,
/// under `ArchiveLimits`. Problems become notes and the remaining members are still read.
public struct ArchiveExpander {
    public let limits: ArchiveLimits

    public init(limits: ArchiveLimits = ArchiveLimits()) {
        self.limits = limits
    }

    /// Whether the bytes start like a zip archive.
    public static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4b && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    /// Every non-archive member, with nested archives opened; `notes` says what was skipped.
    public func members(of data: Data) -> (members: [ArchiveMember], notes: [String]) {
        var budget = Budget(members: limits.maxMembers, bytes: limits.maxExpandedBytes)
        var members: [ArchiveMember] = []
        var notes: [String] = []
        expand(data, prefix: "", depth: 1, budget: &budget, into: &members, notes: &notes)
        return (members, notes)
    }

    private struct Budget {
        var members: Int
        var bytes: Int
    }

    struct LimitExceeded: Error {}

    private func expand(_ data: Data, prefix: String, depth: Int, budget: inout Budget,
                        into members: inout [ArchiveMember], notes: inout [String]) {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            notes.append("\(prefix.isEmpty ? "" : prefix + ": ")not a readable zip archive (\(error))")
            return
        }
        for entry in archive where entry.type == .file {
            let name = prefix + (prefix.isEmpty ? "" : "!/") + entry.path
            guard budget.members > 0 else {
                notes.append("stopped after \(limits.maxMembers) members: the rest of the archive was not read")
                return
            }
            budget.members -= 1
            let declared = Int(clamping: entry.uncompressedSize)
            let compressed = max(Int(clamping: entry.compressedSize), 1)
            if declared > limits.maxMemberBytes {
                notes.append("\(name): \(declared) bytes, over the \(limits.maxMemberBytes)-byte member limit; skipped")
                continue
            }
            if declared / compressed > limits.maxRatio {
                notes.append("\(name): compression ratio \(declared / compressed):1 looks like a zip bomb; skipped")
                continue
            }
            var content = Data()
            let allowance = min(budget.bytes, limits.maxMemberBytes)
            do {
                // The declared size can lie: count what is really inflated and stop at the limit.
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    guard content.count + chunk.count <= allowance else { throw LimitExceeded() }
                    content.append(chunk)
                }
            } catch is LimitExceeded {
                notes.append("\(name): expands past the archive's size limit; skipped (possible zip bomb)")
                budget.bytes = 0
                continue
            } catch {
                notes.append("\(name): cannot be extracted (\(error)); skipped")
                continue
            }
            budget.bytes -= content.count
            let nested = content.withUnsafeBytes { Self.isZip($0) }
            if nested {
                if depth >= limits.maxDepth {
                    notes.append("\(name): archive nested deeper than \(limits.maxDepth) levels; not opened")
                } else {
                    expand(content, prefix: name, depth: depth + 1, budget: &budget, into: &members, notes: &notes)
                }
                continue
            }
            members.append(ArchiveMember(name: name, bytes: content))
        }
    }
}

extension ArchiveExpander {
    /// Calls `body` with each file member of one zip archive (not opening nested archives:
    /// the pipeline decodes each member again, under the same budget), and returns problems.
    public func forEachMember(of data: Data, budget: DecodeBudget,
                              _ body: (String, UnsafeRawBufferPointer) -> Void) -> [DecodeProblem] {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            return [DecodeProblem(.malformed, "not a readable zip archive (\(error))")]
        }
        var problems: [DecodeProblem] = []
        for entry in archive where entry.type == .file {
            let declared = Int(clamping: entry.uncompressedSize)
            let compressed = max(Int(clamping: entry.compressedSize), 1)
            if declared > limits.maxMemberBytes {
                problems.append(DecodeProblem(.limitExceeded, "\(entry.path): \(declared) bytes, over the \(limits.maxMemberBytes)-byte member limit; skipped"))
                continue
            }
            if declared / compressed > budget.maxRatio {
                problems.append(DecodeProblem(.limitExceeded, "\(entry.path): compression ratio \(declared / compressed):1 looks like a zip bomb; skipped"))
                continue
            }
            guard budget.members > 0 else {
                problems.append(DecodeProblem(.limitExceeded, "stopped after \(limits.maxMembers) members: the rest of the archive was not read"))
                break
            }
            var content = Data()
            let allowance = min(budget.expandedBytes, limits.maxMemberBytes)
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    guard content.count + chunk.count <= allowance else { throw LimitExceeded() }
                    content.append(chunk)
                }
            } catch is LimitExceeded {
                problems.append(DecodeProblem(.limitExceeded, "\(entry.path): expands past the archive's size limit; skipped (possible zip bomb)"))
                budget.expandedBytes = 0
                continue
            } catch {
                problems.append(DecodeProblem(.malformed, "\(entry.path): cannot be extracted (\(error)); skipped"))
                _ = budget.charge(memberBytes: 0)
                continue
            }
            _ = budget.charge(memberBytes: content.count)
            content.withUnsafeBytes { body(entry.path, $0) }
        }
        return problems
    }
}
