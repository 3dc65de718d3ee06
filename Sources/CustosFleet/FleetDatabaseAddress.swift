import Foundation

/// How the connection to the fleet database is protected, with libpq's `sslmode` names.
///
/// custos defaults to `verify-full` (libpq's default is `prefer`): a fleet database holds where
/// every plant's credentials are, so a connection is encrypted and the server's certificate and
/// name are checked unless the operator says otherwise.
public enum TLSMode: String, Sendable, CaseIterable {
    /// No TLS.
    case disable
    /// TLS when the server offers it, without checking its certificate (libpq's `allow` and
    /// `prefer` are treated alike).
    case allow, prefer
    /// TLS always, without checking the certificate.
    case require
    /// TLS always; the certificate must chain to a trusted root, the name is not checked.
    case verifyCA = "verify-ca"
    /// TLS always; the certificate must chain to a trusted root and name the host.
    case verifyFull = "verify-full"
}

/// Where the fleet database is and how to log in, read the way libpq reads it: a
/// `postgresql://` URL (or `postgres://`), with `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
/// `PGDATABASE`, `PGSSLMODE` and `PGSSLROOTCERT` filling what the URL leaves out, and the
/// password file (`PGPASSFILE`, else `~/.pgpass`) when no password is given.
public struct FleetDatabaseAddress: Sendable, Hashable {
    /// A host name or address; nil with `socketDirectory`.
    public var host: String?
    /// A folder holding the server's Unix socket (`host=/var/run/postgresql`).
    public var socketDirectory: String?
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Trusted roots for `verify-ca` and `verify-full` (PEM); nil: the system's.
    public var rootCertificate: String?

    /// Reads `url`; `environment` and `home` stand for the process's (tests pass their own).
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                home: String = NSHomeDirectory()) throws(FleetError) {
        let schemes = ["postgresql://", "postgres://"]
        guard let scheme = schemes.first(where: { url.hasPrefix($0) }) else {
            throw .badAddress("'\(FleetDatabaseAddress.withoutPassword(url))' is not a PostgreSQL URL: write postgresql://user@host:5432/database")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        var parameters: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw .badAddress("URL parameter '\(pair)' has no value") }
                parameters[Self.decoded(parts[0])] = Self.decoded(parts[1])
            }
            rest = rest[..<question]
        }
        var databaseText: String?
        if let slash = rest.firstIndex(of: "/") {
            databaseText = Self.decoded(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var userText: String?
        var passwordText: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            if let colon = credentials.firstIndex(of: ":") {
                userText = Self.decoded(credentials[..<colon])
                passwordText = Self.decoded(credentials[credentials.index(after: colon)...])
            } else {
                userText = Self.decoded(credentials)
            }
            rest = rest[rest.index(after: at)...]
        }
        var hostText: String? = rest.isEmpty ? nil : Self.decoded(rest)
        var portText: String?
        if let hostValue = hostText {
            if hostValue.hasPrefix("["), let close = hostValue.firstIndex(of: "]") {
                // [::1]:5432
                let after = hostValue[hostValue.index(after: close)...]
                hostText = String(hostValue[hostValue.index(after: hostValue.startIndex)..<close])
                if after.hasPrefix(":") { portText = String(after.dropFirst()) }
            } else if let colon = hostValue.lastIndex(of: ":") {
                hostText = String(hostValue[..<colon])
                portText = String(hostValue[hostValue.index(after: colon)...])
            }
        }
        func pick(_ inURL: String?, _ parameter: String, _ variable: String) -> String? {
            for candidate in [inURL, parameters[parameter], environment[variable]] {
                if let candidate, !candidate.isEmpty { return candidate }
            }
            return nil
        }
        let chosenHost = pick(hostText, "host", "PGHOST") ?? "localhost"
        if chosenHost.hasPrefix("/") {
            socketDirectory = chosenHost
            host = nil
        } else {
            host = chosenHost
        }
        let portValue = pick(portText, "port", "PGPORT") ?? "5432"
        guard let port = Int(portValue), (1...65535).contains(port) else {
            throw .badAddress("port '\(portValue)' is not a number from 1 to 65535")
        }
        self.port = port
        guard let user = pick(userText, "user", "PGUSER") ?? environment["USER"] else {
            throw .badAddress("no user name: put it in the URL (postgresql://user@host/db) or in PGUSER")
        }
        self.user = user
        database = pick(databaseText, "dbname", "PGDATABASE") ?? user
        let modeText = pick(nil, "sslmode", "PGSSLMODE") ?? TLSMode.verifyFull.rawValue
        guard let tls = TLSMode(rawValue: modeText) else {
            throw .badAddress("sslmode '\(modeText)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.tls = tls
        rootCertificate = pick(nil, "sslrootcert", "PGSSLROOTCERT")
        password = pick(passwordText, "password", "PGPASSWORD")
        if password == nil {
            let file = pick(nil, "passfile", "PGPASSFILE") ?? (home as NSString).appendingPathComponent(".pgpass")
            password = PasswordFile.password(in: file, host: socketDirectory ?? chosenHost, port: port,
                                             database: database, user: user)
        }
    }

    /// The address for messages and reports: never the password.
    public var description: String {
        let place = socketDirectory.map { "socket in \($0)" } ?? "\(host ?? "localhost"):\(port)"
        return "postgresql://\(user)@\(place)/\(database)"
    }

    /// `url` with any password in it replaced, for error messages.
    public static func withoutPassword(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].lastIndex(of: "@") else { return url }
        let credentials = url[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    private static func decoded(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }
}

/// libpq's password file: `host:port:database:user:password` lines, `*` matching anything,
/// `\` escaping `:` and `\`. Ignored, as libpq does, when others may read it.
enum PasswordFile {
    static func password(in path: String, host: String, port: Int, database: String, user: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        if status.st_mode & (S_IRWXG | S_IRWXO) != 0 {
            FileHandle.standardError.write(Data("custos: ignoring \(path): others may read it (chmod 0600 it, as libpq asks)\n".utf8))
            return nil
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let wanted = [host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.fields(line)
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The `:`-separated fields of one line, escapes undone.
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
