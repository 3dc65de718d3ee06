// Word documents (`word/document.xml` of a .docx, which the pipeline takes out of the zip):
// commissioning reports and access lists keep credentials in tables — a header row naming a
// password column, or two-column rows (`Kennwort | …`) — and in sentences
// (`Zugang: Benutzer service, Kennwort …`). Table cells and paragraphs are read as the text of
// their `<w:t>` runs, with each byte's place in the XML kept, so a value split over runs still
// reports exact offsets. The trade-off: only the document body; headers, footers and comments
// (other parts of the zip) are the pipeline's to hand over the same way.

import CustosCore
import Foundation

public struct WordDocumentExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        let lower = name.lower
        return lower.hasSuffix("word/document.xml") || lower.hasSuffix("word/footnotes.xml") || lower.hasSuffix("word/comments.xml")
            || lower.hasSuffix("word/header1.xml") || lower.hasSuffix("word/footer1.xml")
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        var rows: [[CellTable.Cell]] = []
        var row: [CellTable.Cell] = []
        var cell: DecodedValue?
        var paragraph = DecodedValue(recordingOffsets: true)
        var tableDepth = 0
        var index = 0
        while index < text.count, let open = text.firstIndex(of: ASCII.less, in: index..<text.count) {
            guard budget.spend(bytes: open - index + 1), !budget.isExhausted else { break }
            guard let close = text.firstIndex(of: ASCII.greater, in: open..<text.count) else { break }
            let tag = (open + 1)..<close
            index = close + 1
            func isTag(_ name: StaticString) -> Bool {
                let length = name.utf8CodeUnitCount
                guard text.matchesExactly(name, at: tag.lowerBound) else { return false }
                let after = tag.lowerBound + length
                return after >= tag.upperBound || text[after] == ASCII.space || text[after] == ASCII.slash
            }
            if isTag("w:tbl") { tableDepth += 1; rows = [] }
            else if isTag("/w:tbl") {
                tableDepth = max(0, tableDepth - 1)
                for value in CellTable(lens: lens).values(rows: rows, place: "table") { emit(value.named) }
                rows = []
            } else if isTag("w:tr") { row = [] }
            else if isTag("/w:tr") { rows.append(row) }
            else if isTag("w:tc") { cell = DecodedValue(recordingOffsets: true) }
            else if isTag("/w:tc"), let finished = cell {
                row.append(CellTable.Cell(column: row.count, decoded: finished, part: .sheet, reference: ""))
                cell = nil
            } else if isTag("w:p") && tableDepth == 0 { paragraph = DecodedValue(recordingOffsets: true) }
            else if isTag("/w:p") && tableDepth == 0 {
                prose(paragraph, budget: &budget, emit: emit)
            } else if isTag("w:t"), text[tag.upperBound - 1] != ASCII.slash {
                // The run's text up to `</w:t>`.
                let start = close + 1
                let end = text.firstIndex(of: ASCII.less, in: start..<text.count) ?? text.count
                let decoded = ValueDecoder.xmlEntities.decode(text, start..<end, recordingOffsets: true)
                if cell != nil { cell!.append(contentsOf: decoded) } else { paragraph.append(contentsOf: decoded) }
                index = end
            } else if isTag("w:tab") || isTag("w:br") {
                if cell == nil { paragraph.append(ASCII.space, from: open) }
            }
        }
    }

    /// Credentials in a sentence, with their places in the XML.
    func prose(_ paragraph: DecodedValue, budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        guard paragraph.bytes.count >= 8, paragraph.bytes.withUnsafeBytes({ lens.mayCarry($0, 0..<$0.count) }) else { return }
        paragraph.bytes.withUnsafeBytes { bytes in
            var inner = ExtractionBudget(values: 64, bytes: 1 << 20)
            ProseExtractor(lens: lens).extract(bytes, fileName: "", budget: &inner) { value in
                var mapped = value
                mapped.valueSpan = paragraph.sourceRange(of: value.valueSpan, within: 0..<0)
                mapped.namePath = "paragraph › \(value.name)"
                mapped.format = .table
                emit(mapped)
            }
        }
    }
}

/// Rows of cells (a Word table, a spreadsheet) read as credential tables: a header row naming a
/// credential column (every cell below is a named value, the row's user column its identity),
/// a tag list (a name column naming a value column), or two-column rows whose first cell names
/// the second (`Kennwort | …`).
struct CellTable {
    struct Cell {
        var column: Int
        /// The cell's text with the place of each byte.
        var decoded: DecodedValue
        var part: WorkbookPart
        var reference: String

        var bytes: [UInt8] { decoded.bytes }
        var text: String { String(decoding: decoded.bytes, as: UTF8.self).trimmingASCII(" \t") }
    }

    struct Value {
        var named: NamedValue
        var part: WorkbookPart
    }

    let lens: NameLens

    func values(rows: [[Cell]], place: String) -> [Value] {
        var values: [Value] = []
        let headerIndex = rows.prefix(5).firstIndex { row in
            row.count >= 2 && row.contains { lens.isCredential($0.text) && $0.text.utf8.count <= 64 }
                && !isLabelRow(row)
        }
        var credentialColumns: [Int: String] = [:]
        var identityColumn: Int?
        if let headerIndex {
            for cell in rows[headerIndex] where cell.text.utf8.count <= 64 {
                if lens.isCredential(cell.text) { credentialColumns[cell.column] = cell.text }
                else if identityColumn == nil && lens.isIdentity(cell.text) { identityColumn = cell.column }
            }
        }
        var labelIdentity: String?
        for (rowNumber, row) in rows.enumerated() where rowNumber != headerIndex {
            if let headerIndex, rowNumber > headerIndex {
                let identity = identityColumn.flatMap { column in row.first { $0.column == column } }?.text
                for cell in row {
                    guard let name = credentialColumns[cell.column], !cell.bytes.isEmpty else { continue }
                    values.append(Value(named: named(cell, name: name, path: "\(place) row \(rowNumber + 1) [\(name)]", identity: identity),
                                        part: cell.part))
                }
            }
            // `Benutzer | service`, then `Kennwort | …`.
            let filled = row.filter { !$0.text.isEmpty }
            guard filled.count >= 2, filled[0].text.utf8.count <= 64 else { continue }
            let label = filled[0].text.trimmingASCII(":")
            if lens.isIdentity(label) { labelIdentity = filled[1].text; continue }
            guard credentialColumns.isEmpty || headerIndex == nil || rowNumber < headerIndex!,
                  case let .credential(_, strength, _) = lens.vocabulary.judge(label), strength >= .medium else { continue }
            values.append(Value(named: named(filled[1], name: label, path: "\(place) row \(rowNumber + 1) [\(label)]", identity: labelIdentity),
                                part: filled[1].part))
        }
        return values
    }

    /// A row that reads as `label | value` rather than a header: exactly two filled cells.
    func isLabelRow(_ row: [Cell]) -> Bool { row.filter { !$0.text.isEmpty }.count == 2 }

    func named(_ cell: Cell, name: String, path: String, identity: String?) -> NamedValue {
        // The value without the spaces around it, with its exact place.
        var start = 0
        var end = cell.bytes.count
        while start < end && ASCII.isWhitespace(cell.bytes[start]) { start += 1 }
        while end > start && ASCII.isWhitespace(cell.bytes[end - 1]) { end -= 1 }
        let bytes = Array(cell.bytes[start..<end])
        let span = start < end ? cell.decoded.sourceRange(of: start..<end, within: 0..<0) : 0..<0
        let encoding: ValueEncoding = span.count == bytes.count ? .plain : .xmlEntities
        return NamedValue(name: name, namePath: path, valueSpan: span, value: bytes, encoding: encoding,
                          identity: identity.flatMap { $0.isEmpty ? nil : $0 }, format: .table)
    }
}


