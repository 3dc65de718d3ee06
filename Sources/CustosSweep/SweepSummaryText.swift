import Foundation

/// The lines a sweep prints when it is done: its counts, then each new or reopened finding.
public enum SweepSummaryText {
    public static func render(_ outcome: SweepOutcome, history: SweepHistory, stateBytes: Int64) -> String {
        func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
        let grouped = SweepProgress.grouped
        var lines = [
            "sweep \(outcome.sweep)\(outcome.resumed ? " (resumed)" : ""): \(outcome.new) new, \(outcome.open) open, "
                + "\(outcome.resolved) resolved, \(outcome.reopened) reopened",
            "files: \(grouped(outcome.filesSeen)) seen, \(grouped(outcome.filesScanned)) scanned, "
                + "\(grouped(outcome.filesUnchanged + outcome.filesContentUnchanged)) skipped "
                + "(\(grouped(outcome.filesContentUnchanged)) of them read: content unchanged), "
                + "\(grouped(outcome.filesRemoved)) removed; \(megabytes(outcome.bytesRead)) read; "
                + "\(outcome.errors) errors; \(String(format: "%.1f", outcome.seconds)) s; state \(megabytes(stateBytes))",
        ]
        for finding in history.openFindings where finding.status.isNews {
            guard let place = finding.locations.first else { continue }
            lines.append("\(finding.status.rawValue): \(finding.ruleID) \(place.path):\(place.line) \(finding.secretRedacted)"
                         + (finding.locations.count > 1 ? " (+\(finding.locations.count - 1) more)" : ""))
        }
        return lines.joined(separator: "\n")
    }
}
