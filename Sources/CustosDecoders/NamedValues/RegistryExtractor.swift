// Windows registry exports (`.reg`, version 5 and REGEDIT4; the pipeline transcodes UTF-16
// first): each value under its key path (`[HKEY_LOCAL_MACHINE\…\TightVNC\Server] Password`),
// strings with their `\\` and `\"` escapes resolved, `hex:` binary data read as bytes (across
// `\` continuation lines) and marked as registry binary, `hex(2):`/`hex(7):` strings read as
// the UTF-16 they are. A `UserName` in the same key is the credential's identity (WinSCP
// sessions, PuTTY proxies, Winlogon). The trade-off: `dword:` and `qword:` values are numbers
// and never read.

import CustosCore
import Foundation

public struct RegistryExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        if name.ext == "reg" { return true }
        let start = prefix.skipWhitespace(from: prefix.starts(with: [0xef, 0xbb, 0xbf]) ? 3 : 0)
        return prefix.matchesExactly("Windows Registry Editor", at: start) || prefix.matchesExactly("REGEDIT4", at: start)
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        var key = ""
        var pairing = IdentityPairing()
        var index = 0
        while index < text.count {
            let lineEnd = text.lineEnd(from: index)
            guard budget.spend(bytes: lineEnd - index + 1), !budget.isExhausted else { break }
            var next = lineEnd + 1
            let line = text.trimmed(index..<lineEnd)
            defer { index = next }
            guard !line.isEmpty else { continue }
            let first = text[line.lowerBound]
            if first == ASCII.openBracket {
                pairing.flush(emit)
                key = text.string(line).trimmingASCII("[]")
                continue
            }
            guard first == ASCII.quote || first == ASCII.at else { continue }
            // The value's name: `"Name"` (with escapes) or `@` (the default value).
            var nameRange = line.lowerBound..<(line.lowerBound + 1)
            var cursor = line.lowerBound + 1
            if first == ASCII.quote {
                while cursor < line.upperBound && text[cursor] != ASCII.quote {
                    if text[cursor] == ASCII.backslash { cursor += 1 }
                    cursor += 1
                }
                nameRange = (line.lowerBound + 1)..<min(cursor, line.upperBound)
                cursor += 1
            }
            cursor = text.skipSpaces(from: cursor, limit: line.upperBound)
            guard cursor < line.upperBound, text[cursor] == ASCII.equals else { continue }
            cursor = text.skipSpaces(from: cursor + 1, limit: line.upperBound)
            guard cursor < line.upperBound else { continue }
            let name = first == ASCII.at ? "(Default)" : String(decoding: ValueDecoder.backslashes(.json).decode(text, nameRange).bytes, as: UTF8.self)
            let wanted = lens.mayMatter(name)
            let identity = !wanted && lens.isIdentity(name)
            let path = "[\(key)] \(name)"
            if text[cursor] == ASCII.quote {
                var end = cursor + 1
                while end < line.upperBound && text[end] != ASCII.quote {
                    if text[end] == ASCII.backslash { end += 1 }
                    end += 1
                }
                let span = (cursor + 1)..<min(end, line.upperBound)
                let decoded = ValueDecoder.backslashes(.json).decode(text, span)
                if identity { pairing.noteIdentity(String(decoding: decoded.bytes, as: UTF8.self)); continue }
                guard wanted || lens.mayCarry(text, span), budget.takeValue() else { continue }
                pairing.add(NamedValue(name: name, namePath: path, valueSpan: span, value: decoded.bytes, encoding: decoded.encoding,
                                       format: .windowsRegistry))
                continue
            }
            // `hex:…`, `hex(2):…`: bytes, continued on following lines after a trailing `\`.
            guard text.matches("hex", at: cursor) else { continue }
            var kind = 3
            var dataStart = cursor + 3
            if text.byte(at: dataStart) == ASCII.openParen, let close = text.firstIndex(of: ASCII.closeParen, in: dataStart..<line.upperBound) {
                kind = Int(text.string((dataStart + 1)..<close), radix: 16) ?? 3
                dataStart = close + 1
            }
            guard text.byte(at: dataStart) == ASCII.colon else { continue }
            dataStart += 1
            var dataEnd = line.upperBound
            while dataEnd > dataStart, text[dataEnd - 1] == ASCII.backslash, next < text.count {
                let following = text.lineEnd(from: next)
                dataEnd = text.trimmed(next..<following).upperBound
                next = following + 1
            }
            guard wanted || identity else { continue }
            var bytes: [UInt8] = []
            var high: UInt8?
            for position in dataStart..<dataEnd {
                guard let digit = ASCII.hexValue(text[position]) else { continue }
                if let h = high { bytes.append(h << 4 | digit); high = nil } else { high = digit }
                if bytes.count > 1 << 20 { break }
            }
            let span = text.trimmed(dataStart..<dataEnd)
            if kind == 1 || kind == 2 || kind == 7 {
                // REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ written as UTF-16LE bytes.
                let string = PublishedKeyDecryption.utf16LittleEndian(bytes) ?? []
                if identity { pairing.noteIdentity(String(decoding: string, as: UTF8.self)); continue }
                guard budget.takeValue() else { continue }
                pairing.add(NamedValue(name: name, namePath: path, valueSpan: span, value: string, encoding: .utf16Bytes,
                                       format: .windowsRegistry))
            } else if wanted, budget.takeValue() {
                pairing.add(NamedValue(name: name, namePath: path, valueSpan: span, value: bytes, encoding: .hexBytes,
                                       format: .windowsRegistry, marker: .registryBinary))
            }
        }
        pairing.flush(emit)
    }
}


