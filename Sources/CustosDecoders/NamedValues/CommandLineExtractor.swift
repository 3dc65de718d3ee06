// Command lines in scripts, scheduled tasks, shell histories, CI steps and job steps: the
// password flags of the programs that take them (`mysql -p'…'`, `sqlcmd -P …`,
// `mosquitto_sub -P …`, `sshpass -p …`, `curl -u user:pw`, `net use \\h\s pw /user:u`,
// `plink -pw …`, `smbclient -U user%pw`, `openssl … -passin pass:…`, `keytool -storepass …`,
// `snmpwalk -c community`, `mount -o username=u,password=p`, `sqlplus user/pw@db`), and the
// flags any program spells out (`--password=…`, `--password …`, `-Password …`, `/pass:…`,
// `/p:…`, `/pass_odbc=…`, `-Ddb.password=…`), plus variables set before or for a command
// (`PGPASSWORD=… psql`, `export DB_PASSWORD=…`, `set PASS=…`). Short flags whose meaning
// depends on the program (`-p` is a port to ssh) are read only for programs known to take a
// password there, or next to a user flag. Quotes are shell quotes: `-p'pw'` is `-p` and `pw`,
// with the span of `pw` exact. The trade-off: one line at a time (continuations joined), no
// variable expansion.

import CustosCore
import Foundation

public struct CommandLineExtractor: NamedValueExtractor {
    let lens: NameLens

    public init(lens: NameLens) {
        self.lens = lens
    }

    static let extensions: Set<String> = ["sh", "bash", "zsh", "ksh", "bat", "cmd", "ps1", "psm1", "command", "cron", "job",
                                          "service", "desktop", "mk", "ahk", "tcsh", "csh", "fish", "run", "vbs"]
    static let names: Set<String> = [".bash_history", ".zsh_history", ".history", ".sh_history", "consolehost_history.txt",
                                     "dockerfile", "containerfile", "makefile", "crontab", "root", ".profile", ".bashrc",
                                     ".zshrc", ".bash_profile", "rc.local", "jenkinsfile", "procfile", "justfile", ".mysql_history",
                                     ".psql_history", "history.txt"]

    public static func claims(_ name: FileNameParts, prefix: UnsafeRawBufferPointer) -> Bool {
        let base = name.base
        if names.contains(base) || base.hasPrefix("dockerfile") || base.hasSuffix("_history") || base.contains("crontab") { return true }
        if name.hasExtension, extensions.contains(name.ext) { return true }
        return prefix.matchesExactly("#!", at: 0) || prefix.matches("@echo off", at: 0)
    }

    public func extract(_ text: UnsafeRawBufferPointer, fileName: Substring, budget: inout ExtractionBudget,
                        emit: (NamedValue) -> Void) {
        let batch = fileName.lowercased().hasSuffix(".bat") || fileName.lowercased().hasSuffix(".cmd")
        var index = 0
        while index < text.count {
            var lineEnd = text.lineEnd(from: index)
            // Continuations: `\` (shells), `^` (cmd), `` ` `` (PowerShell) at the end of a line.
            while lineEnd > index, lineEnd < text.count {
                let trimmed = text.trimmed(index..<lineEnd)
                guard let last = text.byte(at: trimmed.upperBound - 1), last == ASCII.backslash || last == 0x5e || last == ASCII.backtick,
                      trimmed.upperBound - 1 > index else { break }
                lineEnd = text.lineEnd(from: lineEnd + 1)
            }
            guard budget.spend(bytes: lineEnd - index + 1), !budget.isExhausted else { break }
            let line = text.trimmed(index..<lineEnd)
            index = lineEnd + 1
            guard !line.isEmpty, line.count <= 64 * 1024 else { continue }
            let first = text[line.lowerBound]
            if first == ASCII.hash && !text.matchesExactly("#!", at: line.lowerBound) { continue }
            if batch && (text.matches("rem ", at: line.lowerBound) || text.matchesExactly("::", at: line.lowerBound)) { continue }
            // zsh history lines: `: 1700000000:0;command`.
            var start = line.lowerBound
            if first == ASCII.colon, let semicolon = text.firstIndex(of: ASCII.semicolon, in: line), semicolon < line.lowerBound + 24 {
                start = semicolon + 1
            }
            // A line is read only if it may name a credential or runs a program that takes one
            // without naming it (`mysql -p…`, `sqlcmd -P`, `net use`): one pass of two sieves.
            let lineBytes = UnsafeRawBufferPointer(rebasing: text[start..<line.upperBound])
            guard lens.sieve.mayBeCredential(lineBytes) || lens.sieve.mayBeIdentity(lineBytes) || Self.programs.occurs(in: lineBytes) else {
                continue
            }
            CommandLineReader(text: text, lens: lens, batch: batch).read(start..<line.upperBound, budget: &budget, emit: emit)
        }
    }

    /// The programs whose password flags say nothing (`-p`, `-P`, `-pw`, `-w`, `-c`), and those
    /// read by shape (`net use`, `sqlplus u/p@db`).
    /// The programs as words of their own (`net use`, `…\sqlcmd.exe`), not inside another (`internet`).
    static let programs = WordSet([], wholeWords: programNames)
    static let programNames: [String] = Array(ProgramFlags.table.keys.filter { !(ProgramFlags.table[$0] ?? []).isEmpty || ["net", "sqlplus", "expdp", "impdp", "lftp", "openssl", "keytool", "jarsigner", "sc", "htpasswd", "mosquitto_passwd", "mysqladmin", "smbclient", "convertto-securestring", "curl", "echo"].contains($0) }) + ["convertto-securestring", "echo", "mosquitto_passwd"]

    /// Reads one command line found inside another text (a YAML `run:`, an XML `<Arguments>`).
    func read(_ range: Range<Int>, in text: UnsafeRawBufferPointer, budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        CommandLineReader(text: text, lens: lens, batch: false).read(range, budget: &budget, emit: emit)
    }
}

/// How a program takes a value after one of its flags.
struct FlagSpec {
    enum Style { case attached, separate, either }
    var flag: String
    var style: Style
    /// The name the value is reported under (`password`, `community`, `passphrase`).
    var name: String
    var isUser = false
}

enum ProgramFlags {
    static func spec(_ flag: String, _ style: FlagSpec.Style, _ name: String = "password", user: Bool = false) -> FlagSpec {
        FlagSpec(flag: flag, style: style, name: name, isUser: user)
    }

    static let mysqlLike: [FlagSpec] = [spec("-p", .attached), spec("-u", .either, user: true)]
    static let sqlcmdLike: [FlagSpec] = [spec("-P", .either), spec("-U", .either, user: true)]
    static let mosquitto: [FlagSpec] = [spec("-P", .separate), spec("-u", .separate, user: true)]
    static let userPassword: [FlagSpec] = [spec("-p", .separate), spec("-u", .separate, user: true)]
    static let snmp: [FlagSpec] = [spec("-c", .either, "community"), spec("-A", .either, "passphrase"), spec("-X", .either, "passphrase"),
                                   spec("-u", .either, user: true)]

    /// By program name (lowercase, without path or `.exe`).
    static let table: [String: [FlagSpec]] = [
        "mysql": mysqlLike, "mysqldump": mysqlLike, "mysqladmin": mysqlLike, "mysqlimport": mysqlLike, "mysqlcheck": mysqlLike,
        "mysqlshow": mysqlLike, "mariadb": mysqlLike, "mariadb-dump": mysqlLike, "mysqlsh": mysqlLike, "mysqlpump": mysqlLike,
        "sqlcmd": sqlcmdLike, "bcp": sqlcmdLike, "osql": sqlcmdLike, "isql": sqlcmdLike, "isql-fb": sqlcmdLike,
        "mosquitto_pub": mosquitto, "mosquitto_sub": mosquitto, "mosquitto_rr": mosquitto,
        "sshpass": [spec("-p", .either)],
        "psexec": userPassword, "psexec64": userPassword, "paexec": userPassword, "rdesktop": userPassword,
        "ipmitool": [spec("-P", .separate), spec("-U", .separate, user: true)],
        "plink": [spec("-pw", .separate), spec("-l", .separate, user: true)],
        "pscp": [spec("-pw", .separate), spec("-l", .separate, user: true)],
        "psftp": [spec("-pw", .separate), spec("-l", .separate, user: true)],
        "putty": [spec("-pw", .separate), spec("-l", .separate, user: true)],
        "ldapsearch": [spec("-w", .separate), spec("-D", .separate, user: true)],
        "ldapmodify": [spec("-w", .separate), spec("-D", .separate, user: true)],
        "ldapadd": [spec("-w", .separate), spec("-D", .separate, user: true)],
        "ldapdelete": [spec("-w", .separate), spec("-D", .separate, user: true)],
        "ldappasswd": [spec("-w", .separate), spec("-s", .separate), spec("-D", .separate, user: true)],
        "redis-cli": [spec("-a", .separate), spec("--user", .separate, user: true)],
        "mongo": userPassword, "mongosh": userPassword, "mongodump": userPassword, "mongorestore": userPassword,
        "mongoexport": userPassword, "mongoimport": userPassword,
        "zip": [spec("-P", .separate)], "unzip": [spec("-P", .separate)], "7z": [spec("-p", .attached)], "7za": [spec("-p", .attached)],
        "rar": [spec("-p", .attached)], "unrar": [spec("-p", .attached)], "winrar": [spec("-p", .attached)],
        "docker": userPassword, "podman": userPassword, "nerdctl": userPassword, "buildah": userPassword, "skopeo": userPassword,
        "helm": userPassword, "oras": userPassword,
        "snmpwalk": snmp, "snmpget": snmp, "snmpset": snmp, "snmpbulkwalk": snmp, "snmpgetnext": snmp, "snmptrap": snmp,
        "snmptable": snmp, "snmpbulkget": snmp,
        "lftp": [],
        "ncftp": userPassword, "ncftpput": userPassword, "ncftpget": userPassword,
        "hydra": [spec("-p", .separate), spec("-l", .separate, user: true)],
        "az": userPassword, "vcsa-deploy": userPassword, "ovftool": [], "esxcli": userPassword,
        "wmic": [], "schtasks": [spec("/RP", .separate), spec("/P", .separate), spec("/RU", .separate, user: true),
                                 spec("/U", .separate, user: true)],
        "iisreset": [], "xfreerdp": [], "wfreerdp": [], "cmdkey": [], "runas": [],
        "smbclient": [spec("-U", .either, user: true)], "rpcclient": [spec("-U", .either, user: true)],
        "net": [], "sc": [],
        "openssl": [], "keytool": [], "jarsigner": [],
        "curl": [spec("-u", .either, "credential"), spec("--user", .separate, "credential"), spec("-U", .separate, "credential"),
                 spec("--proxy-user", .separate, "credential")],
        "vncpasswd": [], "x11vnc": [spec("-passwd", .separate), spec("-rfbauth", .separate, "file")],
        "pg_dump": [], "psql": [], "sqlplus": [], "expdp": [], "impdp": [], "rman": [], "exp": [], "imp": [],
        "htpasswd": [], "useradd": [spec("-p", .separate, "passwordhash")], "usermod": [spec("-p", .separate, "passwordhash")],
        "mount": [], "mount.cifs": [], "vpnc": [], "openconnect": [], "nmcli": [],
        "ftp": [], "wget": [], "rsync": [], "git": [], "svn": [spec("--password", .separate)],
        "tdsql": userPassword, "db2": [], "clpplus": [], "mysqlbinlog": mysqlLike,
    ]

    /// Programs that take `user/password@db` as an argument.
    static let slashLogins: Set<String> = ["sqlplus", "expdp", "impdp", "rman", "exp", "imp", "sqlldr", "tkprof", "dgmgrl"]
    /// Wrappers whose next word is the program.
    static let wrappers: Set<String> = ["sudo", "env", "nohup", "exec", "time", "nice", "ionice", "call", "start", "&", "command",
                                        "doas", "runuser", "timeout", "xargs", "watch", "strace", "cmd", "cmd.exe", "/c", "/k",
                                        "powershell", "pwsh", "-command", "-c", "bash", "sh", "su", "-", "winpty", "npx", "run"]
}

private struct CommandLineReader {
    let text: UnsafeRawBufferPointer
    let lens: NameLens
    let batch: Bool

    /// A shell word with its quotes removed, and where each byte came from.
    struct Word {
        var span: Range<Int>
        var decoded: DecodedValue
        var string: String { String(decoding: decoded.bytes, as: UTF8.self) }
        var isQuoted: Bool
    }

    func words(_ range: Range<Int>) -> [Word] {
        LineTokenizer.tokens(text, range, backslashEscapes: !batch, limit: 512).map { token in
            var decoded = DecodedValue(recordingOffsets: true)
            var index = token.span.lowerBound
            var quote: UInt8 = 0
            var quoted = false
            while index < token.span.upperBound {
                let byte = text[index]
                if quote != 0 {
                    if byte == quote { quote = 0 }
                    else if byte == ASCII.backslash && quote == ASCII.quote && !batch && index + 1 < token.span.upperBound
                                && [ASCII.quote, ASCII.backslash, ASCII.dollar, ASCII.backtick].contains(text[index + 1]) {
                        index += 1
                        decoded.append(text[index], from: index)
                    } else { decoded.append(byte, from: index) }
                } else if byte == ASCII.quote || byte == ASCII.apostrophe {
                    quote = byte
                    quoted = true
                } else if byte == ASCII.backslash && !batch && index + 1 < token.span.upperBound {
                    index += 1
                    decoded.append(text[index], from: index)
                } else {
                    decoded.append(byte, from: index)
                }
                index += 1
            }
            return Word(span: token.span, decoded: decoded, isQuoted: quoted)
        }
    }

    func read(_ line: Range<Int>, budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        // Split into commands at `|`, `;`, `&&`, `||` outside quotes.
        var start = line.lowerBound
        var index = line.lowerBound
        var quote: UInt8 = 0
        var commands: [Range<Int>] = []
        /// Whether command `i` pipes into command `i + 1`.
        var pipes: [Bool] = []
        while index < line.upperBound {
            let byte = text[index]
            if quote != 0 { if byte == quote { quote = 0 } else if byte == ASCII.backslash && !batch { index += 1 } }
            else if byte == ASCII.quote || byte == ASCII.apostrophe { quote = byte }
            else if byte == ASCII.pipe || byte == ASCII.semicolon || (byte == ASCII.ampersand && text.byte(at: index + 1) == ASCII.ampersand) {
                commands.append(start..<index)
                pipes.append(byte == ASCII.pipe && text.byte(at: index + 1) != ASCII.pipe)
                if text.byte(at: index + 1) == byte { index += 1 }
                start = index + 1
            }
            index += 1
        }
        commands.append(start..<line.upperBound)
        pipes.append(false)
        for (position, command) in commands.enumerated() where !text.trimmed(command).isEmpty {
            guard !budget.isExhausted else { return }
            readCommand(text.trimmed(command), budget: &budget, emit: emit)
            if pipes[position], position + 1 < commands.count {
                echoedSecret(text.trimmed(command), into: text.trimmed(commands[position + 1]), budget: &budget, emit: emit)
            }
        }
    }

    func readCommand(_ range: Range<Int>, budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        let words = words(range)
        guard !words.isEmpty else { return }
        var pairing = IdentityPairing()
        var index = 0
        // Variables set before the program, and `export`/`set`/`setx` lines.
        while index < words.count {
            let word = words[index].string
            let lower = word.lowercased()
            if ["export", "set", "local", "declare", "readonly", "typeset"].contains(lower) { index += 1; continue }
            if lower == "setx", index + 2 < words.count {
                assignment(name: words[index + 1].string, value: words[index + 2], path: "setx", into: &pairing, budget: &budget)
                return finish(&pairing, emit)
            }
            if let equals = word.firstIndex(of: "="), equals != word.startIndex, !word.hasPrefix("-"), !word.hasPrefix("/"),
               word[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                let nameLength = word[..<equals].utf8.count
                let valueWord = subword(words[index], from: nameLength + 1)
                assignment(name: String(word[..<equals]), value: valueWord, path: String(word[..<equals]), into: &pairing, budget: &budget)
                index += 1
                continue
            }
            break
        }
        // The program, after wrappers such as `sudo` and `env`.
        while index < words.count, ProgramFlags.wrappers.contains(words[index].string.lowercased()) { index += 1 }
        guard index < words.count else { return finish(&pairing, emit) }
        let program = programName(words[index].string)
        let specs = ProgramFlags.table[program] ?? []
        let known = ProgramFlags.table[program] != nil
        let hasUserFlag = words.contains { ["-u", "-U", "--user", "--username", "-user", "-username", "-l"].contains($0.string) }
        var position = index + 1
        while position < words.count {
            guard budget.spend(bytes: words[position].span.count) else { break }
            let word = words[position]
            let string = word.string
            var consumed = 1
            if let (value, name, isUser, used) = programFlag(string, at: position, words: words, specs: specs, known: known,
                                                            hasUserFlag: hasUserFlag) {
                if isUser { pairing.noteIdentity(value.string) }
                else { add(name: name, value: value, path: "\(program) \(flagText(string))", into: &pairing, budget: &budget) }
                consumed = used
            } else if let (value, name, used) = genericFlag(string, word: word, at: position, words: words) {
                if lens.isIdentity(name) { pairing.noteIdentity(value.string) }
                else if lens.isCredential(name) { add(name: name, value: value, path: "\(program) \(flagText(string))", into: &pairing, budget: &budget) }
                consumed = used
            } else {
                specialForms(program: program, word: word, at: position, words: words, into: &pairing, budget: &budget)
            }
            position += consumed
        }
        finish(&pairing, emit)
    }

    func finish(_ pairing: inout IdentityPairing, _ emit: (NamedValue) -> Void) { pairing.flush(emit) }

    /// `echo pw | anydesk --set-password`, `echo pw | docker login --password-stdin`,
    /// `echo 'user:pw' | chpasswd`: what is echoed into a command that reads a password.
    func echoedSecret(_ source: Range<Int>, into target: Range<Int>, budget: inout ExtractionBudget, emit: (NamedValue) -> Void) {
        let sourceWords = words(source)
        guard sourceWords.count >= 2, ["echo", "printf", "write-output", "echo.", "cat"].contains(sourceWords[0].string.lowercased()),
              sourceWords[0].string.lowercased() != "cat" else { return }
        let targetWords = words(target)
        guard let program = targetWords.first.map({ programName($0.string) }) else { return }
        let readsPassword = ["chpasswd", "passwd", "htpasswd", "vncpasswd", "smbpasswd", "x11vnc", "cryptsetup", "openssl"].contains(program)
            || targetWords.contains { word in
                let flag = word.string.lowercased()
                return flag.hasPrefix("-") && (flag.contains("password") || flag.contains("passwd") || flag.hasSuffix("stdin") || flag.contains("pass"))
            }
        guard readsPassword else { return }
        var value = sourceWords[sourceWords.count - 1]
        if sourceWords[0].string.lowercased() == "printf", sourceWords.count >= 3 { value = sourceWords[sourceWords.count - 1] }
        guard !value.string.hasPrefix("-"), budget.takeValue() else { return }
        var pairing = IdentityPairing()
        add(name: program == "chpasswd" ? "credential" : "password", value: value, path: "echo … | \(program)", into: &pairing, budget: &budget)
        pairing.flush(emit)
    }

    func programName(_ word: String) -> String {
        var name = word.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? word
        name = name.lowercased()
        for suffix in [".exe", ".com", ".cmd", ".bat", ".sh", ".py"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        return name
    }

    func flagText(_ word: String) -> String {
        if let equals = word.firstIndex(where: { $0 == "=" || $0 == ":" }), word.hasPrefix("-") || word.hasPrefix("/") {
            return String(word[..<equals])
        }
        return word.count > 3 && word.hasPrefix("-") && !word.hasPrefix("--") ? String(word.prefix(2)) : word
    }

    /// The word from byte `offset` of its decoded bytes on.
    func subword(_ word: Word, from offset: Int) -> Word {
        Word(span: word.span, decoded: word.decoded.dropping(first: offset), isQuoted: word.isQuoted)
    }

    /// A flag of a known program (or `-p`/`-P` next to a user flag).
    func programFlag(_ string: String, at position: Int, words: [Word], specs: [FlagSpec], known: Bool,
                     hasUserFlag: Bool) -> (Word, String, Bool, Int)? {
        var specs = specs
        if !known && hasUserFlag {
            specs = [ProgramFlags.spec("-p", .either), ProgramFlags.spec("-P", .either), ProgramFlags.spec("-u", .separate, user: true),
                     ProgramFlags.spec("-U", .separate, user: true)]
        }
        for spec in specs {
            if string == spec.flag, spec.style != .attached, position + 1 < words.count {
                let value = words[position + 1]
                guard !value.string.hasPrefix("-") || value.isQuoted else { return nil }
                if !known && value.string.utf8.allSatisfy(ASCII.isDigit) { return nil }
                return (value, spec.name, spec.isUser, 2)
            }
            if string.hasPrefix(spec.flag), string.count > spec.flag.count, spec.style != .separate, !string.hasPrefix("--") {
                // `-pSecret`, `-p'Secret'`: the rest of the word.
                let rest = subword(words[position], from: spec.flag.utf8.count)
                if rest.decoded.bytes.first == ASCII.equals { return (subword(rest, from: 1), spec.name, spec.isUser, 1) }
                // `-pw` is a flag of its own to PuTTY's tools, not `-p` `w`.
                if specs.contains(where: { $0.flag == string }) { continue }
                return (rest, spec.name, spec.isUser, 1)
            }
        }
        return nil
    }

    /// `--password=x`, `--password x`, `-Password x`, `/pass:x`, `/p:Name=x`, `/name=x`, `-Dname=x`.
    func genericFlag(_ string: String, word: Word, at position: Int, words: [Word]) -> (Word, String, Int)? {
        let bytes = word.decoded.bytes
        guard bytes.count >= 3 else { return nil }
        let isDouble = bytes.starts(with: [ASCII.dash, ASCII.dash])
        let isSingle = bytes[0] == ASCII.dash && !isDouble
        let isSlash = bytes[0] == ASCII.slash && ASCII.isLetter(bytes[1])
        guard isDouble || isSingle || isSlash else { return nil }
        var nameStart = isDouble ? 2 : 1
        // `-Dkey=value` (Java), `/p:Name=value` and `-p:Name=value` (MSBuild, dotnet).
        if isSingle && bytes[1] == 0x44 && bytes.contains(ASCII.equals) { nameStart = 2 }
        if (isSlash || isSingle), bytes.count > 3, ASCII.lower(bytes[1]) == 0x70, bytes[2] == ASCII.colon, bytes.contains(ASCII.equals) {
            nameStart = 3
        }
        var nameEnd = nameStart
        while nameEnd < bytes.count && bytes[nameEnd] != ASCII.equals && !(bytes[nameEnd] == ASCII.colon && (isSlash || isSingle)) {
            nameEnd += 1
        }
        let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
        // `/etc/mosquitto/passwd` is a path, not an option.
        if isSlash && (name.contains("/") || name.contains("\\")) { return nil }
        guard name.utf8.count >= 2 else {
            // xfreerdp `/p:secret`, `/u:user`.
            if isSlash, nameEnd < bytes.count, bytes[nameEnd] == ASCII.colon {
                if name.lowercased() == "p" { return (subword(word, from: nameEnd + 1), "password", 1) }
                if name.lowercased() == "u" { return (subword(word, from: nameEnd + 1), "user", 1) }
            }
            return nil
        }
        if isSingle && name.utf8.count < 3 { return nil }
        guard lens.mayMatter(name) || lens.isIdentity(name) else { return nil }
        if nameEnd < bytes.count {
            return (subword(word, from: nameEnd + 1), name, 1)
        }
        // The value is the next word, unless it is another flag.
        guard position + 1 < words.count else { return nil }
        let next = words[position + 1]
        if !next.isQuoted, let first = next.decoded.bytes.first, first == ASCII.dash || (first == ASCII.slash && next.decoded.bytes.count < 12) {
            return nil
        }
        return (next, name, 2)
    }

    /// Shapes of particular programs: `net use \\h\s pw /user:u`, `net user u pw`,
    /// `curl -u user:pw`, `smbclient -U user%pw`, `mount -o username=u,password=p`,
    /// `sqlplus user/pw@db`, `openssl -passin pass:x`, `sc config … password= x`.
    func specialForms(program: String, word: Word, at position: Int, words: [Word], into pairing: inout IdentityPairing,
                      budget: inout ExtractionBudget) {
        let string = word.string
        let lower = string.lowercased()
        switch program {
        case "net", "net1":
            guard position >= 2 else { return }
            let verb = words[1].string.lowercased()
            // `net use [Z:] \\host\share [password] [/user:…]`: the first plain word after the share.
            if verb == "use", !string.hasPrefix("/"), string != "*",
               let share = words.firstIndex(where: { $0.string.hasPrefix("\\\\") }), share < position,
               !words[(share + 1)..<position].contains(where: { !$0.string.hasPrefix("/") }) {
                add(name: "password", value: word, path: "net use", into: &pairing, budget: &budget)
            } else if verb == "user", position == 3, !string.hasPrefix("/"), string != "*" {
                pairing.noteIdentity(words[2].string)
                add(name: "password", value: word, path: "net user", into: &pairing, budget: &budget)
            }
            if lower.hasPrefix("/user:") { pairing.noteIdentity(String(string.dropFirst(6))) }
        case "sqlplus", "expdp", "impdp", "rman", "exp", "imp", "sqlldr", "dgmgrl":
            // `user/password@db`.
            guard let slash = word.decoded.bytes.firstIndex(of: ASCII.slash), slash > 0, !string.hasPrefix("/") else { return }
            let end = word.decoded.bytes[slash...].firstIndex(of: ASCII.at) ?? word.decoded.bytes.count
            guard end > slash + 1 else { return }
            pairing.noteIdentity(String(decoding: word.decoded.bytes[..<slash], as: UTF8.self))
            add(name: "password", value: slice(word, (slash + 1)..<end), path: "\(program) user/…", into: &pairing, budget: &budget)
        case "smbclient", "rpcclient", "smbmap", "crackmapexec", "netexec", "nxc":
            guard position >= 1, words[position - 1].string == "-U" || words[position - 1].string == "--user",
                  let percent = word.decoded.bytes.firstIndex(of: ASCII.percent) else { return }
            add(name: "password", value: slice(word, (percent + 1)..<word.decoded.bytes.count), path: "\(program) -U user%…",
                into: &pairing, budget: &budget)
        case "openssl":
            if ["-passin", "-passout", "-pass", "-password", "-kfile"].contains(lower), position + 1 < words.count {
                let next = words[position + 1]
                if next.string.hasPrefix("pass:") {
                    add(name: "passphrase", value: subword(next, from: 5), path: "openssl \(lower)", into: &pairing, budget: &budget)
                }
            } else if lower == "-k", position + 1 < words.count {
                add(name: "passphrase", value: words[position + 1], path: "openssl -k", into: &pairing, budget: &budget)
            }
        case "keytool", "jarsigner":
            if ["-storepass", "-keypass", "-srcstorepass", "-deststorepass", "-srckeypass", "-destkeypass", "-new"].contains(lower),
               position + 1 < words.count {
                add(name: "password", value: words[position + 1], path: "\(program) \(lower)", into: &pairing, budget: &budget)
            }
        case "sc":
            if lower == "password=", position + 1 < words.count {
                add(name: "password", value: words[position + 1], path: "sc password=", into: &pairing, budget: &budget)
            } else if lower == "obj=", position + 1 < words.count {
                pairing.noteIdentity(words[position + 1].string)
            }
        case "htpasswd":
            // `htpasswd -b file user password`.
            if words.contains(where: { $0.string.hasPrefix("-") && $0.string.contains("b") }), position == words.count - 1, position >= 3 {
                pairing.noteIdentity(words[position - 1].string)
                add(name: "password", value: word, path: "htpasswd -b", into: &pairing, budget: &budget)
            }
        case "lftp":
            // `lftp -u user,password`.
            if position >= 1, words[position - 1].string == "-u", let comma = word.decoded.bytes.firstIndex(of: ASCII.comma) {
                pairing.noteIdentity(String(decoding: word.decoded.bytes[..<comma], as: UTF8.self))
                add(name: "password", value: slice(word, (comma + 1)..<word.decoded.bytes.count), path: "lftp -u user,…",
                    into: &pairing, budget: &budget)
            }
        case "mosquitto_passwd":
            // `mosquitto_passwd -b file user password`.
            if words.contains(where: { $0.string == "-b" }), position == words.count - 1, position >= 4 {
                pairing.noteIdentity(words[position - 1].string)
                add(name: "password", value: word, path: "mosquitto_passwd -b", into: &pairing, budget: &budget)
            }
        case "mysqladmin":
            if lower == "password", position + 1 < words.count {
                add(name: "password", value: words[position + 1], path: "mysqladmin password", into: &pairing, budget: &budget)
            }
        default:
            break
        }
        // PowerShell `ConvertTo-SecureString 'pw' -AsPlainText -Force`, anywhere in the line.
        if lower == "convertto-securestring", position + 1 < words.count, words.contains(where: { $0.string.lowercased() == "-asplaintext" }) {
            var next = position + 1
            if words[next].string.lowercased() == "-string", next + 1 < words.count { next += 1 }
            if !words[next].string.hasPrefix("-") {
                add(name: "password", value: words[next], path: "ConvertTo-SecureString", into: &pairing, budget: &budget)
            }
        }
        // `-o username=u,password=p` (mount, sshfs), `-e PASSWORD=…` (docker run).
        if position >= 1, ["-o", "--options", "-e", "--env", "--build-arg", "--set", "-var"].contains(words[position - 1].string) {
            optionList(word, into: &pairing, budget: &budget)
        }
        // URLs with user information anywhere in the command.
        if word.decoded.bytes.contains(ASCII.at), word.decoded.bytes.contains(ignoringCase: "://") {
            let bytes = word.decoded.bytes
            bytes.withUnsafeBytes { buffer in
                var inner = ExtractionBudget(values: 16, bytes: 1 << 16)
                InlineStructuresExtractor(lens: lens).urls(buffer, budget: &inner) { value in
                    var mapped = value
                    mapped.valueSpan = word.decoded.sourceRange(of: value.valueSpan, within: word.span)
                    mapped.format = .commandLine
                    mapped.namePath = "\(program) \(value.namePath)"
                    pairing.add(mapped)
                }
            }
        }
    }

    /// `username=u,password=p`: a comma-separated list of `key=value`.
    func optionList(_ word: Word, into pairing: inout IdentityPairing, budget: inout ExtractionBudget) {
        let bytes = word.decoded.bytes
        var start = 0
        for end in bytes.indices + [bytes.count] where end == bytes.count || bytes[end] == ASCII.comma {
            let item = start..<end
            start = end + 1
            guard let equals = bytes[item].firstIndex(of: ASCII.equals) else { continue }
            let name = String(decoding: bytes[item.lowerBound..<equals], as: UTF8.self)
            let value = slice(word, (equals + 1)..<item.upperBound)
            if lens.isIdentity(name) { pairing.noteIdentity(value.string) }
            else if lens.isCredential(name) { add(name: name, value: value, path: "-o \(name)", into: &pairing, budget: &budget) }
        }
    }

    func slice(_ word: Word, _ range: Range<Int>) -> Word {
        Word(span: word.span, decoded: word.decoded.slice(range), isQuoted: word.isQuoted)
    }

    func assignment(name: String, value: Word, path: String, into pairing: inout IdentityPairing, budget: inout ExtractionBudget) {
        if lens.isIdentity(name) { pairing.noteIdentity(value.string); return }
        guard lens.isCredential(name) else { return }
        add(name: name, value: value, path: path, into: &pairing, budget: &budget)
    }

    func add(name: String, value: Word, path: String, into pairing: inout IdentityPairing, budget: inout ExtractionBudget) {
        guard budget.takeValue() else { return }
        let span: Range<Int>
        if value.decoded.bytes.isEmpty {
            span = value.span.upperBound..<value.span.upperBound
        } else {
            span = value.decoded.sourceRange(of: 0..<value.decoded.bytes.count, within: value.span)
        }
        // A `$VAR`, `%VAR%` or `$(…)` is expanded by the shell: code, not a value.
        let bytes = value.decoded.bytes
        let isExpansion = !value.isQuoted || bytes.first == ASCII.dollar
            ? (bytes.first == ASCII.dollar || (bytes.first == ASCII.percent && bytes.last == ASCII.percent && bytes.count > 2)
               || bytes.first == ASCII.backtick)
            : false
        pairing.add(NamedValue(name: name, namePath: path, valueSpan: span, value: bytes,
                               encoding: span.count == bytes.count ? .plain : .stringEscapes, format: .commandLine,
                               form: isExpansion ? .expression : (value.isQuoted ? .literal : .bare)))
    }
}
