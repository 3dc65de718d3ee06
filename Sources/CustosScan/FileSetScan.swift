// One file at a time, with its findings: what an incremental sweep needs, where a directory
// scan only needs the merged result. It runs the same BlobScanner (chunked reads, decoders,
// engine) and takes back what each call added, so the two scans cannot drift apart.

import CustosCore
import CustosDecoders
import CustosEngine
import CustosSources
import Foundation

/// What scanning one file gave.
public struct FileScanOutcome: Sendable {
    /// Findings in report order, without repeats.
    public var findings: [Finding]
    /// Problems with this file (cannot open, read failed, archive limits); the scan went on.
    public var warnings: [ScanWarning]
    /// Counts for this file alone (scanned, skipped as binary or too large, bytes).
    public var summary: ScanSummary
}

/// Scans single files and returns each one's findings. One per worker: it owns a BlobScanner
/// (its buffer, Vectorscan scratch and PCRE2 match data), so it is not thread-safe.
public final class SingleFileScanner {
    private let worker: BlobScanner
    private let genericRules: Set<String>
    private let gate: ConfidenceGate

    public init(engine: Engine, followSymlinks: Bool = false, maxFileSize: Int = 0) {
        worker = BlobScanner(engine: engine, followSymlinks: followSymlinks, maxFileSize: maxFileSize)
        genericRules = engine.ruleSet.genericRuleIDs
        gate = engine.confidenceGate
    }

    /// Scans the file at `path`, reporting it as `displayPath`. An encrypted Node-RED
    /// credentials file is decrypted with the credential secrets of the settings files in its
    /// own folder (a sweep does not read the whole tree every time, so the folder is the scope).
    public func scan(path: String, displayPath: String) -> FileScanOutcome {
        scan(path: path, displayPath: displayPath) { $0.scanFile(at: path, as: .file(displayPath)) }
    }

    /// Scans a file the walk listed, opened relative to its folder (never re-resolved by path).
    public func scan(_ entry: FileEntry, displayPath: String) -> FileScanOutcome {
        scan(path: entry.path, displayPath: displayPath) { $0.scanFile(entry, as: .file(displayPath)) }
    }

    private func scan(path: String, displayPath: String, reading: (BlobScanner) -> Void) -> FileScanOutcome {
        worker.nodeRed = NodeRedMaterial()
        reading(worker)
        var part = worker.results.take()
        if !worker.nodeRed.credentialFiles.isEmpty {
            var material = worker.nodeRed
            material.secrets += Self.siblingCredentialSecrets(of: path)
            let derived = NodeRedAnalysis.findings(material)
            part.findings += derived.findings
            part.warnings += derived.warnings
        }
        var summary = part.summary
        part = part.finalized(rules: 0, genericRules: genericRules, gate: gate, since: Date())
        summary.findingsBelowConfidence = part.summary.findingsBelowConfidence
        return FileScanOutcome(findings: part.findings, warnings: part.warnings, summary: summary)
    }

    /// Credential secrets in the Node-RED settings files beside `path` (settings.js,
    /// .config.runtime.json, …), read-only and only when small.
    private static func siblingCredentialSecrets(of path: String) -> [String] {
        let folder = PathText.folder(of: path)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return [] }
        var secrets: [String] = []
        for name in names.sorted() where NodeRedCredentials.mayHoldSecret(name) {
            let sibling = PathText.join(folder, name)
            let descriptor = BlobScanner.openForReading(sibling, followSymlinks: false)
            guard descriptor >= 0 else { continue }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            guard let data = try? handle.read(upToCount: NodeRedMaterial.maxFileBytes + 1),
                  data.count <= NodeRedMaterial.maxFileBytes else { continue }
            secrets += NodeRedCredentials.secrets(in: String(decoding: data, as: UTF8.self))
        }
        return secrets
    }

    /// Opens a file read-only the way every scan does: `O_NOATIME` where the kernel allows it,
    /// never following a final symlink unless asked. Returns -1 with `errno` set on failure.
    public static func openReadOnly(_ path: String, followSymlinks: Bool = false) -> Int32 {
        BlobScanner.openForReading(path, followSymlinks: followSymlinks)
    }
}
