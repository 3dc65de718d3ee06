/// Tables whose header names a credential column: the `:UserList` section of an eWON
/// `config.txt` (`"Id";"FirstName";"LastName";"Login";"Password";…`), user and device lists
/// exported as CSV. A password in the fifth column of a row has nothing next to it that says
/// what it is; this turns each credential cell into `Login=user1; Password=<cell>`, the cell a
/// segment at its own line and column, so the same password rules read it.
public enum DelimitedTable {
    /// Names of files that may hold such tables (checked before any byte is read).
    public static func applies(to name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt")
    }

    /// Header names that hold a credential.
    static func isCredentialColumn(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["pwd", "pass", "psk", "pin"].contains(lower) { return true }
        func has(_ word: String) -> Bool { lower.utf8.count >= word.utf8.count && lower.utf8.indices.contains { lower.utf8[$0...].starts(with: word.utf8) } }
        return ["password", "passwd", "passwort", "kennwort", "secret", "token", "apikey", "api_key", "api key",
                "community", "passphrase"].contains(where: has)
            && !["hint", "policy", "length", "expir", "changed", "required", "date", "age"].contains(where: has)
    }

    /// Header names that say who the credential belongs to.
    static func isIdentityColumn(_ name: String) -> Bool {
        ["login", "user", "username", "user name", "userid", "account", "identity"].contains(name.lowercased())
    }

    /// The credential cells of every table in `bytes` (empty when no header names one). A
    /// header is the first line of the text or of an eWON `:Section`, never a line in the
    /// middle of data, so a CSV export without a credential column costs one line's look.
    public static func derive(_ bytes: UnsafeRawBufferPointer) -> DerivedText {
        var text = DerivedText()
        var header: Header?
        var expectingHeader = true
        var section = "row"
        var lineNumber = 0
        var lineStart = 0
        var row = 0
        let sectioned = bytes.first == UInt8(ascii: ":")
        while lineStart < bytes.count {
            if header == nil && !expectingHeader {
                // Nothing to read until the next section: jump to a line starting with ':'
                // (only eWON-style files have sections; a CSV without one is done).
                guard sectioned, let next = nextSection(in: bytes, from: lineStart, line: &lineNumber) else { break }
                lineStart = next
            }
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0a { lineEnd += 1 }
            lineNumber += 1
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd - 1] == 0x0d { contentEnd -= 1 }
            defer { lineStart = lineEnd + 1 }
            if contentEnd == lineStart {
                if header != nil { header = nil; expectingHeader = false }
                continue
            }
            if bytes[lineStart] == UInt8(ascii: ":") {
                section = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(lineStart + 1)..<contentEnd]), as: UTF8.self)
                header = nil
                expectingHeader = true
                continue
            }
            guard contentEnd - lineStart < 8192 else {
                expectingHeader = false
                continue
            }
            if let current = header {
                let fields = split(bytes, lineStart..<contentEnd, delimiter: current.delimiter)
                guard fields.count + 1 >= current.names.count else {
                    header = nil
                    expectingHeader = false
                    continue
                }
                row += 1
                let identity = current.identity.flatMap { $0 < fields.count ? value(bytes, fields[$0]) : nil }
                for column in current.credentials where column < fields.count {
                    let cell = fields[column]
                    guard cell.count > 0 else { continue }
                    var context = identity.map { "\(current.names[current.identity!])=\($0); " } ?? ""
                    context += "\(current.names[column])="
                    text.appendContext(context)
                    text.appendCopied(UnsafeRawBufferPointer(rebasing: bytes[cell]), sourceStart: cell.lowerBound,
                                      logicalPath: "\(section)[\(identity ?? String(row))].\(current.names[column])")
                    text.appendContext([0x0a])
                }
                continue
            }
            header = Header(bytes, lineStart..<contentEnd)
            expectingHeader = false
            row = 0
        }
        return text
    }

    /// The start of the next line that begins with ':' after `start`, counting the lines
    /// skipped into `line` (which then names the line before it).
    private static func nextSection(in bytes: UnsafeRawBufferPointer, from start: Int, line: inout Int) -> Int? {
        var index = start
        var lineStart = start
        while index < bytes.count {
            if index == lineStart && bytes[index] == UInt8(ascii: ":") { return lineStart }
            if bytes[index] == 0x0a {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        return nil
    }

    private struct Header {
        var delimiter: UInt8
        var names: [String]
        var credentials: [Int]
        var identity: Int?

        init?(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) {
            guard line.count <= 2000 else { return nil }
            var semicolons = 0
            var commas = 0
            var tabs = 0
            var credentialHint = false
            for index in line {
                switch bytes[index] {
                case UInt8(ascii: ";"): semicolons += 1
                case UInt8(ascii: ","): commas += 1
                case 0x09: tabs += 1
                case UInt8(ascii: "p"), UInt8(ascii: "P"), UInt8(ascii: "s"), UInt8(ascii: "S"), UInt8(ascii: "t"),
                     UInt8(ascii: "T"), UInt8(ascii: "c"), UInt8(ascii: "C"), UInt8(ascii: "k"), UInt8(ascii: "K"):
                    credentialHint = true
                default: break
                }
            }
            let most = max(semicolons, commas, tabs)
            guard most >= 2, credentialHint else { return nil }
            delimiter = most == semicolons ? UInt8(ascii: ";") : most == commas ? UInt8(ascii: ",") : 0x09
            names = DelimitedTable.split(bytes, line, delimiter: delimiter).map { DelimitedTable.value(bytes, $0) ?? "" }
            let names = self.names
            credentials = names.indices.filter { DelimitedTable.isCredentialColumn(names[$0]) }
            identity = names.firstIndex(where: DelimitedTable.isIdentityColumn)
            guard !credentials.isEmpty, names.allSatisfy({ $0.count <= 40 }) else { return nil }
        }
    }

    /// Field ranges of one line, without their quotes (`""` inside quotes stays as it is).
    static func split(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>, delimiter: UInt8) -> [Range<Int>] {
        var fields: [Range<Int>] = []
        var index = line.lowerBound
        while index <= line.upperBound {
            if index < line.upperBound && bytes[index] == UInt8(ascii: "\"") {
                var end = index + 1
                while end < line.upperBound {
                    if bytes[end] == UInt8(ascii: "\"") {
                        if end + 1 < line.upperBound && bytes[end + 1] == UInt8(ascii: "\"") { end += 2; continue }
                        break
                    }
                    end += 1
                }
                fields.append((index + 1)..<min(end, line.upperBound))
                index = end + 1
                while index < line.upperBound && bytes[index] != delimiter { index += 1 }
                index += 1
            } else {
                var end = index
                while end < line.upperBound && bytes[end] != delimiter { end += 1 }
                fields.append(index..<end)
                index = end + 1
            }
        }
        return fields
    }

    static func value(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String? {
        guard !range.isEmpty else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self).trimmingWhitespace()
    }
}
