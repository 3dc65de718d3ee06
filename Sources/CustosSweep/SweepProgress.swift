import Foundation
import Synchronization

/// Where a running sweep is, as progress lines show it.
public struct SweepProgress: Sendable {
    public var filesDone: Int
    public var filesRead: Int
    public var bytesRead: Int64
    public var seconds: Double
    /// The top-level folder (below its root) of the file handled last.
    public var currentFolder: String
    /// Files the state held under these roots when the sweep began (0 on a first sweep).
    public var expectedFiles: Int

    public var filesPerSecond: Double { seconds > 0 ? Double(filesDone) / seconds : 0 }
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytesRead) / 1_048_576 / seconds : 0 }

    /// Seconds left at the current rate, when the previous sweep tells how many files to expect.
    public var secondsLeft: Double? {
        guard expectedFiles > 0, filesPerSecond > 0 else { return nil }
        return Double(max(0, expectedFiles - filesDone)) / filesPerSecond
    }

    /// One line: `12,345 files (1,234 read) · 2,100 files/s · 38.2 MB/s · plant-a · ~1m 05s left`.
    public var line: String {
        var parts = ["\(Self.grouped(filesDone)) files (\(Self.grouped(filesRead)) read)",
                     "\(Self.grouped(Int(filesPerSecond))) files/s",
                     String(format: "%.1f MB/s", megabytesPerSecond)]
        if !currentFolder.isEmpty { parts.append(currentFolder) }
        if let left = secondsLeft {
            parts.append("~" + Self.duration(left) + " left")
        } else {
            parts.append("first sweep: no estimate")
        }
        return parts.joined(separator: " · ")
    }

    static func grouped(_ number: Int) -> String {
        let digits = String(number)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h \(String(format: "%02d", (total % 3600) / 60))m" }
        if total >= 60 { return "\(total / 60)m \(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }
}

/// Counters the workers bump and the progress timer reads.
final class SweepMeter: Sendable {
    let filesDone = Atomic<Int>(0)
    let filesRead = Atomic<Int>(0)
    let bytesRead = Atomic<Int64>(0)
    let currentFolder = Mutex("")

    func snapshot(since started: Date, expected: Int) -> SweepProgress {
        SweepProgress(filesDone: filesDone.load(ordering: .relaxed), filesRead: filesRead.load(ordering: .relaxed),
                      bytesRead: bytesRead.load(ordering: .relaxed), seconds: Date().timeIntervalSince(started),
                      currentFolder: currentFolder.withLock { $0 }, expectedFiles: expected)
    }
}
