// Tables: CSV, TSV and semicolon- or pipe-separated exports (user lists, device inventories,
// eWON `:UserList` sections), where a header naming a credential column in any vocabulary
// language makes every cell below it a named value and the row's user column its identity;
// and spreadsheets (`WorkbookTable`: an XLSX sheet with its shared strings, both given as text
// by the pipeline, which opens the zip). A header is the first line of the text or of an eWON
// `:Section`; a table without a credential column costs one line's look. The trade-off: the
// delimiter is guessed from the header line (`;`, `,`, tab, `|`), and a quoted cell spanning
// lines ends at the line.

import CustosCore
import Foundation

public struct TableExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        let lower = name.lower
        for ext in [".csv", ".tsv", ".tab", ".psv", ".dsv"] where lower.hasSuffix(ext) { return true }
        // eWON `config.txt` and similar sectioned exports.
        if lower.hasSuffix(".txt") || lower.hasSuffix(".dat") || lower.hasSuffix(".exp") {
            // Sectioned exports (eWON, InTouch), and tab-separated variable lists (Sysmac).
            if prefix.first == ASCII.colon || prefix.contains("\n:", in: 0..<prefix.count) { return true }
            let firstLine = 0..<prefix.lineEnd(from: 0)
            return firstLine.filter({ prefix[$0] == ASCII.tab }).count >= 2
        }
        return false
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        var header: Header?
        var expectingHeader = true
        /// A title line may stand above the header (GX Works `"Global Label Setting"`).
        var headerLinesLeft = 3
        var section = ""
        var row = 0
        let sectioned = text.first == ASCII.colon || fileName.lowercased().hasSuffix(".txt")
        var index = 0
        while index < text.count {
            let lineEnd = text.lineEnd(from: index)
            guard budget.spend(bytes: lineEnd - index + 1), !budget.isExhausted else { break }
            let line = text.trimmed(index..<lineEnd)
            index = lineEnd + 1
            if line.isEmpty {
                if header != nil { header = nil; expectingHeader = sectioned }
                continue
            }
            // eWON `:UserList` names a section; InTouch `:MemoryMsg,Group,…` is a header itself.
            if text[line.lowerBound] == ASCII.colon && sectioned && !Self.hasDelimiter(text, line) {
                section = text.string((line.lowerBound + 1)..<line.upperBound)
                header = nil
                expectingHeader = true
                headerLinesLeft = 3
                row = 0
                continue
            }
            if text[line.lowerBound] == ASCII.colon && Self.hasDelimiter(text, line) {
                header = nil
                expectingHeader = true
                headerLinesLeft = 1
                row = 0
            }
            guard line.count <= 64 * 1024 else { expectingHeader = false; header = nil; continue }
            if let current = header {
                row += 1
                let cells = Self.cells(text, line, delimiter: current.delimiter)
                guard cells.count + 1 >= current.names.count else { header = nil; continue }
                let identity = current.identity.flatMap { $0 < cells.count ? Self.decoded(text, cells[$0]) : nil }
                let place = section.isEmpty ? "row \(row)" : ":\(section) row \(row)"
                for column in current.credentials where column < cells.count {
                    guard budget.takeValue() else { return }
                    emit(cellValue(text, cells[column], name: current.names[column], path: "\(place) [\(current.names[column])]",
                                   identity: identity))
                }
                // A tag list: the row's name cell names its value cell (`"FTP_Pass" … "Sued=41"`).
                if let nameColumn = current.nameColumn, nameColumn < cells.count {
                    let rowName = Self.decoded(text, cells[nameColumn])
                    if lens.isCredential(rowName),
                       let column = current.valueColumns.first(where: { $0 < cells.count && !Self.decoded(text, cells[$0]).isEmpty })
                        ?? current.valueColumns.first(where: { $0 < cells.count }), budget.takeValue() {
                        emit(cellValue(text, cells[column], name: rowName, path: "\(place) \(rowName) [\(current.names[column])]",
                                       identity: identity))
                    }
                }
                // Comments that may mention a password (`HMI password (…)`).
                for column in current.commentColumns where column < cells.count && lens.mayCarry(text, cells[column]) {
                    guard budget.takeValue() else { return }
                    emit(cellValue(text, cells[column], name: current.names[column], path: "\(place) [\(current.names[column])]",
                                   identity: identity))
                }
                continue
            }
            guard expectingHeader else { continue }
            header = readHeader(text, line)
            headerLinesLeft -= 1
            if header != nil || headerLinesLeft <= 0 { expectingHeader = false }
        }
    }

    struct Header {
        var delimiter: UInt8
        var names: [String]
        var credentials: [Int]
        var identity: Int?
        /// Tag lists: the column naming each row, and the columns holding its value.
        var nameColumn: Int?
        var valueColumns: [Int] = []
        var commentColumns: [Int] = []
    }

    static let nameHeaders: Set<String> = ["name", "tagname", "labelname", "variable", "variablename", "key", "parameter",
                                           "parametername", "tag", "symbol", "symbolname", "item", "itemname", "setting",
                                           "property", "attribute", "field", "identifier", "varname", "label", "bezeichner",
                                           "variablenname", "nom", "nombre"]
    static let valueHeaders: Set<String> = ["value", "initialvalue", "initvalue", "initialmessage", "defaultvalue", "default",
                                            "startvalue", "currentvalue", "constant", "constantvalue", "data", "settingvalue",
                                            "initialstring", "wert", "startwert", "anfangswert", "valeur", "valor", "valore",
                                            "initialwert", "vorgabewert"]
    static let commentHeaders: Set<String> = ["comment", "comments", "description", "desc", "kommentar", "beschreibung", "remark",
                                              "remarks", "note", "notes", "info", "information", "bemerkung", "tagdescription",
                                              "commentaire", "comentario", "commento", "shortdesc"]

    static func hasDelimiter(_ text: UnsafeRawBufferPointer, _ line: Range<Int>) -> Bool {
        line.contains { text[$0] == ASCII.comma || text[$0] == ASCII.semicolon || text[$0] == ASCII.tab }
    }

    func cellValue(_ text: UnsafeRawBufferPointer, _ cell: Range<Int>, name: String, path: String, identity: String?) -> NamedValue {
        var (span, quote) = LineTokenizer.unquote(text, text.trimmed(cell))
        var decoded = quote == 0 ? ValueDecoder.plain.decode(text, span) : ValueDecoder.doubled(quote).decode(text, span)
        // A PLC string literal inside the cell (`'Zcc3+n'`).
        if quote != ASCII.apostrophe, span.count >= 2, text[span.lowerBound] == ASCII.apostrophe, text[span.upperBound - 1] == ASCII.apostrophe {
            span = (span.lowerBound + 1)..<(span.upperBound - 1)
            decoded = ValueDecoder.logix.decode(text, span)
        }
        return NamedValue(name: name, namePath: path, valueSpan: span, value: decoded.bytes, encoding: decoded.encoding,
                          identity: identity.flatMap { $0.isEmpty ? nil : $0 }, format: .table)
    }

    func readHeader(_ text: UnsafeRawBufferPointer, _ line: Range<Int>) -> Header? {
        var counts: [UInt8: Int] = [:]
        var quote: UInt8 = 0
        for index in line {
            let byte = text[index]
            if quote != 0 { if byte == quote { quote = 0 }; continue }
            if byte == ASCII.quote { quote = byte; continue }
            if byte == ASCII.semicolon || byte == ASCII.comma || byte == ASCII.tab || byte == ASCII.pipe { counts[byte, default: 0] += 1 }
        }
        guard let delimiter = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) })?.key else { return nil }
        // `;Tag Type,…` (FactoryTalk) and `:MemoryMsg,…` (InTouch) headers start with a marker.
        var names = Self.cells(text, line, delimiter: delimiter).map { Self.decoded(text, $0) }
        let marked = names.first.map { $0.hasPrefix(":") || $0.hasPrefix(";") } ?? false
        if marked { names[0] = String(names[0].dropFirst()) }
        guard names.count >= 2, names.allSatisfy({ $0.utf8.count <= 64 && Self.mayBeColumnName($0) }) else { return nil }
        func key(_ name: String) -> String { name.lowercased().filter { $0.isLetter || $0.isNumber } }
        let credentials = names.indices.filter { lens.isCredential(names[$0]) }
        var nameColumn = names.indices.first { Self.nameHeaders.contains(key(names[$0])) }
        if nameColumn == nil && marked { nameColumn = 0 }
        let valueColumns = names.indices.filter { Self.valueHeaders.contains(key(names[$0])) }
        let commentColumns = names.indices.filter { Self.commentHeaders.contains(key(names[$0])) && !credentials.contains($0) }
        guard !credentials.isEmpty || (nameColumn != nil && !valueColumns.isEmpty) || !commentColumns.isEmpty else { return nil }
        let identity = names.indices.first { lens.isIdentity(names[$0]) }
        return Header(delimiter: delimiter, names: names, credentials: credentials, identity: identity,
                      nameColumn: valueColumns.isEmpty ? nil : nameColumn, valueColumns: valueColumns, commentColumns: commentColumns)
    }

    /// Whether a header cell reads as a column's name: not a number, a path or a file name
    /// (a headerless manifest's first row is data, not a header).
    static func mayBeColumnName(_ name: String) -> Bool {
        if name.isEmpty { return true }
        if name.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) { return false }
        let spaced = name.contains(" ")
        if !spaced && (name.contains("/") || name.contains("\\")) { return false }
        if !spaced, let dot = name.lastIndex(of: "."),
           fileExtensions.contains(name[name.index(after: dot)...].lowercased()) { return false }
        return true
    }

    static let fileExtensions: Set<String> = ["aml", "xml", "txt", "csv", "tsv", "json", "py", "cfg", "conf", "ini", "yaml", "yml",
                                              "l5x", "l5k", "log", "sh", "ps1", "bat", "cmd", "exe", "dll", "zip", "gz", "tar", "reg",
                                              "js", "ts", "java", "cs", "go", "rb", "php", "sql", "db", "scl", "awl", "html", "md"]

    /// The cells of a line, split at the delimiter outside double quotes.
    static func cells(_ text: UnsafeRawBufferPointer, _ line: Range<Int>, delimiter: UInt8) -> [Range<Int>] {
        var cells: [Range<Int>] = []
        var start = line.lowerBound
        var quoted = false
        var index = line.lowerBound
        while index < line.upperBound && cells.count < 1024 {
            let byte = text[index]
            if byte == ASCII.quote { quoted.toggle() }
            else if byte == delimiter && !quoted {
                cells.append(start..<index)
                start = index + 1
            }
            index += 1
        }
        cells.append(start..<line.upperBound)
        return cells
    }

    static func decoded(_ text: UnsafeRawBufferPointer, _ cell: Range<Int>) -> String {
        let (span, quote) = LineTokenizer.unquote(text, text.trimmed(cell))
        let decoded = quote == 0 ? ValueDecoder.plain.decode(text, span) : ValueDecoder.doubled(quote).decode(text, span)
        return String(decoding: decoded.bytes, as: UTF8.self).trimmingASCII(" \t")
    }
}

/// Which part of a workbook a value's span is in.
public enum WorkbookPart: Sendable, Hashable {
    /// `xl/sharedStrings.xml`: the cell held a shared string.
    case sharedStrings
    /// The sheet itself: an inline string or a number.
    case sheet
}

/// The credential cells of one XLSX sheet (a header naming a credential column, a tag list, or
/// two-column `Kennwort | …` rows), read from the sheet's XML and the workbook's shared strings.
public struct WorkbookTable {
    struct SharedString {
        var decoded: DecodedValue
    }

    public struct Value: Sendable {
        public var named: NamedValue
        public var part: WorkbookPart
    }

    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    /// The named values of `sheet`; each says which part its span is in.
    public func values(sheet: UnsafeRawBufferPointer, sharedStrings: UnsafeRawBufferPointer?, sheetName: String,
                       limit: Int = 100_000) -> [Value] {
        let strings = sharedStrings.map(Self.sharedStrings) ?? []
        var rows: [[CellTable.Cell]] = []
        var index = 0
        // `<row …>` … `<c r="B2" t="s"><v>3</v></c>` … `</row>`.
        while index < sheet.count, let rowStart = Self.find("<row", in: sheet, from: index) {
            let rowEnd = Self.find("</row>", in: sheet, from: rowStart) ?? sheet.count
            var cells: [CellTable.Cell] = []
            var cursor = rowStart
            while let cellStart = Self.find("<c ", in: sheet, from: cursor), cellStart < rowEnd {
                let tagEnd = sheet.firstIndex(of: ASCII.greater, in: cellStart..<rowEnd) ?? rowEnd
                let tag = cellStart..<tagEnd
                let reference = Self.attribute("r", in: sheet, tag) ?? ""
                let type = Self.attribute("t", in: sheet, tag) ?? "n"
                let closing = sheet[max(tagEnd - 1, cellStart)] == ASCII.slash ? tagEnd : (Self.find("</c>", in: sheet, from: tagEnd) ?? rowEnd)
                cursor = closing + 1
                let column = Self.column(of: reference) ?? cells.count
                if type == "inlineStr", let t = Self.find("<t", in: sheet, from: tagEnd), t < closing,
                   let open = sheet.firstIndex(of: ASCII.greater, in: t..<closing), let close = Self.find("</t>", in: sheet, from: open), close <= closing {
                    let decoded = ValueDecoder.xmlEntities.decode(sheet, (open + 1)..<close, recordingOffsets: true)
                    cells.append(CellTable.Cell(column: column, decoded: decoded, part: .sheet, reference: reference))
                } else if let v = Self.find("<v>", in: sheet, from: tagEnd), v < closing, let close = Self.find("</v>", in: sheet, from: v), close <= closing {
                    let span = (v + 3)..<close
                    if type == "s" {
                        let number = Int(sheet.string(span)) ?? -1
                        guard number >= 0 && number < strings.count else { continue }
                        cells.append(CellTable.Cell(column: column, decoded: strings[number].decoded, part: .sharedStrings, reference: reference))
                    } else {
                        let decoded = ValueDecoder.xmlEntities.decode(sheet, span, recordingOffsets: true)
                        cells.append(CellTable.Cell(column: column, decoded: decoded, part: .sheet, reference: reference))
                    }
                }
            }
            if !cells.isEmpty { rows.append(cells) }
            index = rowEnd + 1
            if rows.count > limit { break }
        }
        return CellTable(lens: lens).values(rows: rows, place: sheetName).map { Value(named: $0.named, part: $0.part) }
    }

    /// Each `<si>` of `xl/sharedStrings.xml`: its text (all runs) and the place of each byte.
    static func sharedStrings(_ text: UnsafeRawBufferPointer) -> [SharedString] {
        var strings: [SharedString] = []
        var index = 0
        while let start = find("<si", in: text, from: index), strings.count < 1_000_000 {
            let end = find("</si>", in: text, from: start) ?? text.count
            var decoded = DecodedValue(recordingOffsets: true)
            var cursor = start
            while let t = find("<t", in: text, from: cursor), t < end {
                guard let open = text.firstIndex(of: ASCII.greater, in: t..<end) else { break }
                // `<t/>` is empty; `<tp…` is not a text element.
                let nameEnd = t + 2
                guard nameEnd < text.count, text[nameEnd] == ASCII.greater || ASCII.isWhitespace(text[nameEnd]) || text[nameEnd] == ASCII.slash,
                      text[open - 1] != ASCII.slash else {
                    cursor = open + 1
                    continue
                }
                let close = find("</t>", in: text, from: open) ?? end
                decoded.append(contentsOf: ValueDecoder.xmlEntities.decode(text, (open + 1)..<close, recordingOffsets: true))
                cursor = close + 4
            }
            strings.append(SharedString(decoded: decoded))
            index = end + 5
        }
        return strings
    }

    static func find(_ literal: StaticString, in text: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let first = literal.utf8Start[0]
        var index = start
        while index < text.count, let hit = text.firstIndex(of: first, in: index..<text.count) {
            if text.matchesExactly(literal, at: hit) { return hit }
            index = hit + 1
        }
        return nil
    }

    static func attribute(_ name: String, in text: UnsafeRawBufferPointer, _ tag: Range<Int>) -> String? {
        let tokens = LineTokenizer.tokens(text, tag)
        for token in tokens {
            let word = text.string(token.span)
            if word.hasPrefix(name + "=") {
                return String(word.dropFirst(name.count + 1)).trimmingASCII("\"'/>")
            }
        }
        return nil
    }

    /// `B7` → 1.
    static func column(of reference: String) -> Int? {
        var column = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65 && scalar.value <= 90 else { break }
            column = column * 26 + Int(scalar.value - 64)
            letters += 1
        }
        return letters > 0 && letters <= 3 ? column - 1 : nil
    }
}
