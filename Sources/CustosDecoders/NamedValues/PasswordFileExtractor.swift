// Password files: `/etc/passwd` and `shadow`, `.htpasswd` and `.htdigest`, Mosquitto
// `password_file`s, `.pgpass` (`host:port:db:user:password`), pgbouncer `userlist.txt`
// (`"user" "password"`), Postfix `sasl_passwd` (`[host]:port user:password`) and pppd
// `chap-secrets`/`pap-secrets` (`client server secret addresses`). Each line's password field
// is a named value (`password`, most often a hash the classifier recognises) with the line's
// user as identity. Claimed by file name only: the shapes are too plain to sniff.

import CustosCore
import Foundation

public struct PasswordFileExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    enum Layout { case colonSeparated, htdigest, pgpass, quotedPairs, hostAndUserColonPassword, pppSecrets, passwordOnly, userThenPassword }

    static func layout(of fileName: Substring) -> Layout? {
        layout(of: FileNameParts(fileName))
    }

    static func layout(of name: FileNameParts) -> Layout? {
        let lower = name.lower
        let base = name.base
        if base == ".pgpass" || base == "pgpass.conf" || base == "pgpass" { return .pgpass }
        if base.hasSuffix(".htdigest") || base == ".htdigest" { return .htdigest }
        if base == "userlist.txt" || base == "users.txt" && lower.contains("pgbouncer") { return .quotedPairs }
        if base == "sasl_passwd" || base.hasPrefix("sasl_passwd") { return .hostAndUserColonPassword }
        if base == "chap-secrets" || base == "pap-secrets" { return .pppSecrets }
        // A file holding one password (OpenVPN `askpass`, `--passphrase-file`), or OpenVPN's
        // `auth-user-pass` file: the user on the first line, the password on the second.
        if base.hasSuffix(".pass") || base.hasSuffix(".password") || base.hasSuffix(".pwd") || base == "password.txt" { return .passwordOnly }
        if base.hasSuffix(".auth") || base == "auth.txt" || base.hasSuffix("-auth.txt") { return .userThenPassword }
        if ["passwd", "shadow", "gshadow", ".htpasswd", "htpasswd", "pwfile", "password_file", "passwords", "users.passwd",
            "mosquitto.passwd", "passwd.txt", "htpasswd.users", "shadow-"].contains(base)
            || base.hasSuffix(".htpasswd") || base.hasSuffix(".passwd") || base.hasSuffix("_passwd") {
            return .colonSeparated
        }
        return nil
    }

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        layout(of: name) != nil
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        guard let layout = Self.layout(of: fileName) else { return }
        if layout == .passwordOnly || layout == .userThenPassword {
            wholeFile(text, layout: layout, emit: emit)
            return
        }
        var index = 0
        var lineNumber = 0
        while index < text.count {
            let lineEnd = text.lineEnd(from: index)
            guard budget.spend(bytes: lineEnd - index + 1), !budget.isExhausted else { break }
            let line = text.trimmed(index..<lineEnd)
            index = lineEnd + 1
            lineNumber += 1
            guard !line.isEmpty, text[line.lowerBound] != ASCII.hash, line.count <= 8192 else { continue }
            guard let (user, password) = Self.fields(text, line, layout: layout), !password.isEmpty || layout == .colonSeparated,
                  budget.takeValue() else { continue }
            let (span, quote) = LineTokenizer.unquote(text, password)
            let decoded = layout == .pgpass ? ValueDecoder.backslashes(.properties).decode(text, span)
                : (quote == 0 ? ValueDecoder.plain.decode(text, span) : ValueDecoder.doubled(quote).decode(text, span))
            let identity = text.string(LineTokenizer.unquote(text, user).0)
            emit(NamedValue(name: "password", namePath: "\(identity) (line \(lineNumber))", valueSpan: span, value: decoded.bytes,
                            encoding: decoded.encoding, identity: identity.isEmpty ? nil : identity, format: .passwordFile))
        }
    }

    /// Files of one or two short lines and nothing else.
    func wholeFile(_ text: UnsafeRawBufferPointer, layout: Layout, emit: (NamedValue) -> Void) {
        guard text.count <= 1024 else { return }
        var lines: [Range<Int>] = []
        var index = 0
        while index < text.count {
            let end = text.lineEnd(from: index)
            let line = text.trimmed(index..<end)
            if !line.isEmpty { lines.append(line) }
            index = end + 1
        }
        switch layout {
        case .passwordOnly where lines.count == 1:
            emit(NamedValue(name: "password", namePath: "file", valueSpan: lines[0], value: text.bytes(lines[0]), format: .passwordFile))
        case .userThenPassword where lines.count == 2:
            emit(NamedValue(name: "password", namePath: "line 2", valueSpan: lines[1], value: text.bytes(lines[1]),
                            identity: text.string(lines[0]), format: .passwordFile))
        default:
            break
        }
    }

    /// The user and password fields of a line.
    static func fields(_ text: UnsafeRawBufferPointer, _ line: Range<Int>, layout: Layout) -> (Range<Int>, Range<Int>)? {
        switch layout {
        case .colonSeparated, .htdigest:
            let parts = split(text, line, escapes: false)
            let position = layout == .htdigest ? 2 : 1
            guard parts.count > position else { return nil }
            return (parts[0], parts[position])
        case .pgpass:
            let parts = split(text, line, escapes: true)
            guard parts.count >= 5 else { return nil }
            return (parts[3], parts[4].lowerBound..<line.upperBound)
        case .passwordOnly, .userThenPassword:
            return nil
        case .quotedPairs, .pppSecrets:
            let tokens = LineTokenizer.tokens(text, line)
            let position = layout == .pppSecrets ? 2 : 1
            guard tokens.count > position else { return nil }
            return (tokens[0].span, tokens[position].span)
        case .hostAndUserColonPassword:
            let tokens = LineTokenizer.tokens(text, line)
            guard tokens.count >= 2, let colon = text.firstIndex(of: ASCII.colon, in: tokens[1].span) else { return nil }
            return (tokens[1].span.lowerBound..<colon, (colon + 1)..<tokens[1].span.upperBound)
        }
    }

    /// Fields separated by `:` (`\:` escaping one when `escapes`).
    static func split(_ text: UnsafeRawBufferPointer, _ line: Range<Int>, escapes: Bool) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var start = line.lowerBound
        var index = line.lowerBound
        while index < line.upperBound && parts.count < 16 {
            if escapes && text[index] == ASCII.backslash { index += 2; continue }
            if text[index] == ASCII.colon {
                parts.append(start..<index)
                start = index + 1
            }
            index += 1
        }
        parts.append(start..<line.upperBound)
        return parts
    }
}
