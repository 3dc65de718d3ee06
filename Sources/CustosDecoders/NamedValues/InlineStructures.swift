// Structures that live inside one value or one line of any format: connection strings
// (`Server=…;User Id=sa;Password=…;`), URL user information (`mqtt://user:pw@host`, JDBC and
// query parameters `?user=u&password=p`), and HTTP headers written into strings
// (`"Authorization: Basic …"`). The scanner runs this over every value that may carry them,
// whatever its format, so a password inside an XML attribute's connection string is found with
// its exact place.

import CustosCore
import Foundation

public struct InlineStructuresExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    /// Whole files of URLs with credentials.
    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        let lower = name.lower
        return lower.hasSuffix(".git-credentials") || lower.hasSuffix("git-credentials")
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        urls(text, budget: &budget, emit: emit)
        connectionPairs(text, budget: &budget, emit: emit)
        headers(text, budget: &budget, emit: emit)
    }

    // MARK: URL user information

    func urls(_ text: UnsafeRawBufferPointer, budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        var search = 0
        while search + 3 < text.count, let colon = text.firstIndex(of: ASCII.colon, in: search..<text.count) {
            search = colon + 1
            guard budget.spend(bytes: 1), !budget.isExhausted else { return }
            guard colon + 2 < text.count, text[colon + 1] == ASCII.slash, text[colon + 2] == ASCII.slash else { continue }
            var schemeStart = colon
            while schemeStart > 0, ASCII.isAlphanumeric(text[schemeStart - 1]) || text[schemeStart - 1] == ASCII.plus
                    || text[schemeStart - 1] == ASCII.dot || text[schemeStart - 1] == ASCII.dash {
                schemeStart -= 1
            }
            guard schemeStart < colon else { continue }
            let authorityStart = colon + 3
            var authorityEnd = authorityStart
            var at: Int?
            while authorityEnd < text.count && authorityEnd - authorityStart < 512 {
                let byte = text[authorityEnd]
                if byte == ASCII.slash || byte == ASCII.question || byte == ASCII.hash || ASCII.isWhitespace(byte)
                    || byte == ASCII.quote || byte == ASCII.apostrophe || byte == ASCII.less || byte == ASCII.greater
                    || byte == ASCII.backtick || byte == ASCII.closeParen { break }
                if byte == ASCII.at { at = authorityEnd }
                authorityEnd += 1
            }
            search = max(search, authorityEnd)
            guard let at, let separator = text.firstIndex(of: ASCII.colon, in: authorityStart..<at), separator + 1 < at else { continue }
            guard budget.takeValue() else { return }
            let user = text.string(authorityStart..<separator)
            let passwordRange = (separator + 1)..<at
            var decoded = DecodedValue(recordingOffsets: false)
            percentDecode(text, passwordRange, into: &decoded)
            let scheme = text.string(schemeStart..<colon).lowercased()
            emit(NamedValue(name: "password", namePath: "\(scheme)://\(user)@…", valueSpan: passwordRange, value: decoded.bytes,
                            encoding: decoded.encoding, identity: user.isEmpty ? nil : percentDecoded(user), format: .url))
        }
    }

    func percentDecode(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, into output: inout DecodedValue) {
        var index = range.lowerBound
        while index < range.upperBound {
            if text[index] == ASCII.percent, index + 2 < range.upperBound,
               let high = ASCII.hexValue(text[index + 1]), let low = ASCII.hexValue(text[index + 2]) {
                output.append(high << 4 | low, from: index)
                output.encoding = .percentEncoding
                index += 3
            } else {
                output.append(text[index], from: index)
                index += 1
            }
        }
    }

    func percentDecoded(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }

    // MARK: Connection strings and query parameters

    /// `key=value` pairs separated by `;` or `&` (ADO.NET, ODBC, JDBC, query strings), where a
    /// key may hold spaces (`User Id`) and a value may be quoted or braced.
    func connectionPairs(_ text: UnsafeRawBufferPointer, budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        var semicolons = 0
        var ampersands = 0
        for byte in text {
            if byte == ASCII.semicolon { semicolons += 1 } else if byte == ASCII.ampersand { ampersands += 1 }
        }
        guard semicolons + ampersands >= 1 else { return }
        var pairing = IdentityPairing()
        var index = 0
        var segmentStart = 0
        while index <= text.count {
            let atEnd = index == text.count
            let byte: UInt8 = atEnd ? ASCII.semicolon : text[index]
            if byte == ASCII.quote || byte == ASCII.apostrophe || byte == ASCII.openBrace, index > 0, text[index - 1] == ASCII.equals {
                // A quoted or braced value: skip to its end.
                let close = byte == ASCII.openBrace ? ASCII.closeBrace : byte
                index = (text.firstIndex(of: close, in: (index + 1)..<text.count) ?? text.count) + 1
                continue
            }
            // `;` separates connection-string pairs; `&` only in query strings (a connection
            // string's password may hold `&`).
            // A query string ends where the word holding it does (`password=x' -X POST …`).
            let endsQuery = semicolons == 0 && (byte == ASCII.space || byte == ASCII.tab || byte == ASCII.quote || byte == ASCII.apostrophe)
            if byte == ASCII.semicolon || (byte == ASCII.ampersand && semicolons == 0) || byte == ASCII.question || byte == ASCII.newline
                || endsQuery {
                pair(text, segmentStart..<min(index, text.count), pairing: &pairing, budget: &budget)
                segmentStart = index + 1
            }
            index += 1
            guard budget.spend(bytes: 1) else { break }
        }
        pairing.flush(emit)
    }

    private func pair(_ text: UnsafeRawBufferPointer, _ segment: Range<Int>, pairing: inout IdentityPairing,
                      budget: inout ExtractionBudget) {
        guard let equals = text.firstIndex(of: ASCII.equals, in: segment) else { return }
        let key = text.trimmed(segment.lowerBound..<equals)
        guard !key.isEmpty, key.count <= 64,
              key.allSatisfy({ ASCII.isNameByte(text[$0]) || text[$0] == ASCII.space || text[$0] == ASCII.dot || text[$0] == ASCII.dash })
        else { return }
        var value = text.trimmed((equals + 1)..<segment.upperBound)
        if value.count >= 2, let first = text.byte(at: value.lowerBound), let last = text.byte(at: value.upperBound - 1),
           (first == ASCII.quote && last == ASCII.quote) || (first == ASCII.apostrophe && last == ASCII.apostrophe)
            || (first == ASCII.openBrace && last == ASCII.closeBrace) {
            value = (value.lowerBound + 1)..<(value.upperBound - 1)
        }
        if lens.isIdentity(text, key) {
            pairing.noteIdentity(text.string(value))
            return
        }
        guard lens.mayMatter(text, key), budget.takeValue() else { return }
        let name = text.string(key)
        var decoded = DecodedValue(recordingOffsets: false)
        percentDecode(text, value, into: &decoded)
        pairing.add(NamedValue(name: name, namePath: name, valueSpan: value, value: decoded.bytes, encoding: decoded.encoding,
                               format: .connectionString))
    }

    // MARK: HTTP headers in text

    static let headerNames: [StaticString] = [
        "proxy-authorization:", "authorization:", "x-api-key:", "api-key:", "apikey:", "x-auth-token:", "x-access-token:",
        "private-token:", "x-vault-token:", "x-functions-key:", "ocp-apim-subscription-key:",
    ]

    func headers(_ text: UnsafeRawBufferPointer, budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        var index = 0
        while index < text.count {
            guard let hit = text.firstIndex(of: ASCII.colon, in: index..<text.count) else { return }
            index = hit + 1
            guard budget.spend(bytes: 1) else { return }
            for header in Self.headerNames {
                let length = header.utf8CodeUnitCount
                let start = hit + 1 - length
                guard start >= 0, text.matches(header, at: start) else { continue }
                // The header name must start a line or a string.
                if start > 0 {
                    let before = text[start - 1]
                    guard !ASCII.isNameByte(before) && before != ASCII.dash else { continue }
                }
                let valueStart = text.skipSpaces(from: hit + 1)
                var valueEnd = valueStart
                while valueEnd < text.count {
                    let byte = text[valueEnd]
                    if byte == ASCII.newline || byte == ASCII.carriageReturn || byte == ASCII.quote || byte == ASCII.apostrophe
                        || byte == ASCII.backtick || byte == ASCII.less || (byte == ASCII.backslash && text.byte(at: valueEnd + 1).map { $0 == 0x72 || $0 == 0x6e } == true) {
                        break
                    }
                    valueEnd += 1
                }
                let value = text.trimmed(valueStart..<valueEnd)
                guard !value.isEmpty, budget.takeValue() else { break }
                let name = text.string(start..<hit)
                emit(NamedValue(name: name, namePath: "header \(name)", valueSpan: value, value: text.bytes(value),
                                format: .sourceCode))
                break
            }
        }
    }
}
