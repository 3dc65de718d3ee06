// Spreadsheets (XLSX) in the pipeline: a sheet's cells hold indexes into the workbook's shared
// strings, so neither part names a credential alone. While an archive on disk is read, the
// sheets and the shared strings are set aside (bounded); when the archive is done, the named-
// value scanner reads each sheet with the shared strings (a header naming a password column, a
// `Kennwort | …` row), and every value is reported in the part that holds its bytes.

import CustosCore
import CustosDecoders
import CustosEngine

/// The parts of one workbook set aside while its archive is read.
struct WorkbookParts {
    /// What one archive may set aside: a workbook larger than this is read part by part only.
    static let maxBytes = 64 * 1024 * 1024

    var sharedStrings: (origin: Origin, bytes: [UInt8])?
    var sheets: [(origin: Origin, name: String, bytes: [UInt8])] = []
    private(set) var bytes = 0

    /// Whether a member is a part a workbook's credentials need.
    static func isPart(_ name: String) -> Bool {
        name == "xl/sharedStrings.xml" || (name.hasPrefix("xl/worksheets/sheet") && name.hasSuffix(".xml"))
    }

    /// Keeps a part while the budget allows.
    mutating func keep(_ origin: Origin, name: String, bytes part: UnsafeRawBufferPointer) {
        guard bytes + part.count <= Self.maxBytes else { return }
        bytes += part.count
        if name == "xl/sharedStrings.xml" { sharedStrings = (origin, Array(part)) } else { sheets.append((origin, name, Array(part))) }
    }
}

extension BlobScanner {
    /// Reports the named values of a workbook's sheets, read with its shared strings; values a
    /// finding already covers in the same part are left to it.
    func scanWorkbook(_ parts: WorkbookParts, findingsFrom first: Int) {
        guard let named = namedValues, !parts.sheets.isEmpty else { return }
        let strings = parts.sharedStrings
        results.sink.beginBlob()
        for sheet in parts.sheets {
            let classified: [(value: ClassifiedValue, part: WorkbookPart)] = sheet.bytes.withUnsafeBytes { sheetBytes in
                guard let strings else {
                    return named.scanner.classify(sheet: sheetBytes, sharedStrings: nil, sheetName: sheet.name)
                }
                return strings.bytes.withUnsafeBytes {
                    named.scanner.classify(sheet: sheetBytes, sharedStrings: $0, sheetName: sheet.name)
                }
            }
            for (value, part) in classified {
                guard let rule = NamedValueRule.rule(for: value), named.enabled.contains(rule) else { continue }
                let own: (origin: Origin, bytes: [UInt8]) = (sheet.origin, sheet.bytes)
                let holder = part == .sharedStrings ? strings ?? own : own
                holder.bytes.withUnsafeBytes { text in
                    let range = value.named.valueSpan.clamped(to: 0..<text.count)
                    let covered = results.sink.findings[min(first, results.sink.findings.count)...].contains {
                        $0.origin == holder.origin && $0.byteStart < max(range.upperBound, range.lowerBound + 1) && range.lowerBound < $0.byteEnd
                    }
                    guard !covered else { return }
                    results.sink.append(Self.finding(for: value, rule: rule, span: range, in: text, origin: holder.origin,
                                                     logicalPath: nil, located: true))
                }
            }
        }
    }
}
