import Foundation

/// A throwaway PostgreSQL cluster for one test suite: `initdb` into a temporary folder, a
/// server on a free loopback port with password (SCRAM) logins, stopped and removed at the end.
/// Run as the `postgres` user when the tests run as root (PostgreSQL refuses root).
///
/// `start()` returns nil when no PostgreSQL is installed (the Makefile installs Debian's
/// `postgresql`); `TemporaryPostgres.unavailableNote` says so once per test run.
public final class TemporaryPostgres: @unchecked Sendable {
    // @unchecked Sendable: every stored property is a constant set in init; the server process
    // it stands for is driven only through pg_ctl commands.

    public let folder: String
    public let port: Int
    public let user = "custos_test"
    public let password: String
    private let binaries: String
    private let runAs: [String]

    /// Where `initdb` and `pg_ctl` are: PATH first, then Debian's versioned folders.
    static func binaryFolder() -> String? {
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let debian = "/usr/lib/postgresql"
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: debian) {
            candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(debian)/\($0)/bin" }
        }
        return candidates.first { folder in
            ["initdb", "pg_ctl", "postgres"].allSatisfy { FileManager.default.isExecutableFile(atPath: "\(folder)/\($0)") }
        }
    }

    /// Why the PostgreSQL tests are skipped, printed once.
    public static let unavailableNote: String = {
        let note = "PostgreSQL tests skipped: no initdb/pg_ctl found (install Debian's postgresql package; `make test` does)"
        FileHandle.standardError.write(Data("note: \(note)\n".utf8))
        return note
    }()

    /// A running cluster, or nil when PostgreSQL is not installed. Throws when it is installed
    /// but cannot start (that is a failure, not a skip).
    public static func start() throws -> TemporaryPostgres? {
        guard let binaries = binaryFolder() else { return nil }
        return try TemporaryPostgres(binaries: binaries)
    }

    private init(binaries: String) throws {
        self.binaries = binaries
        password = "pw-" + UUID().uuidString.prefix(12).lowercased()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("custos-pg-\(UUID().uuidString)").path
        folder = base
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        port = Self.freePort()
        if getuid() == 0 {
            runAs = ["runuser", "-u", "postgres", "--"]
            _ = try Command.run(["chown", "postgres", base])
        } else {
            runAs = []
        }
        let passwordFile = base + "/pwfile"
        try Data(password.utf8).write(to: URL(fileURLWithPath: passwordFile))
        if getuid() == 0 { _ = try Command.run(["chown", "postgres", passwordFile]) }
        let initialized = try Command.run(runAs + ["\(binaries)/initdb", "-D", base + "/data", "-U", user,
                                                   "--auth=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8",
                                                   "--locale=C", "--no-sync"])
        guard initialized.status == 0 else { throw PostgresError("initdb failed: \(initialized.stderr)") }
        try startServer()
    }

    deinit {
        try? stopServer()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A URL for `database` (custos's libpq form); the password travels in `environment`.
    public func url(database: String = "postgres") -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// `PGPASSWORD` for the binary under test.
    public var environment: [String: String] { ["PGPASSWORD": password] }

    /// Starts the server (again, after `stop`).
    public func startServer() throws {
        let options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(folder) -c fsync=off -c max_connections=40"
        let status = try detached(runAs + ["\(binaries)/pg_ctl", "-D", folder + "/data", "-o", options,
                                           "-l", folder + "/server.log", "-w", "-t", "60", "start"])
        guard status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
            throw PostgresError("pg_ctl start failed (\(status)): \(log)")
        }
    }

    /// Stops the server at once, as a crash or a pulled cable would leave clients.
    public func stopServer() throws {
        _ = try detached(runAs + ["\(binaries)/pg_ctl", "-D", folder + "/data", "-m", "immediate", "-w", "stop"])
    }

    /// Runs pg_ctl with no pipes: the server it starts keeps whatever descriptors it inherits,
    /// so reading its output to the end would wait for the server to stop.
    private func detached(_ arguments: [String]) throws -> Int32 {
        // posix_spawn and waitpid: Foundation's Process left the exited child unreaped here.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else { throw PostgresError("cannot start \(arguments.joined(separator: " ")): \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// Runs SQL with psql (from the same installation when it has one), one value per line.
    public func sql(_ statement: String, database: String = "postgres") throws -> String {
        let psql = FileManager.default.isExecutableFile(atPath: "\(binaries)/psql") ? "\(binaries)/psql" : "psql"
        let result = try Command.run([psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                                      "-p", String(port), "-U", user, "-d", database, "-c", statement],
                                     environment: environment)
        guard result.status == 0 else { throw PostgresError("psql: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A psql session running `statement` in the background (to hold a lock), ended with
    /// `terminate()`.
    public func background(_ statement: String, database: String = "postgres") throws -> Process {
        let psql = FileManager.default.isExecutableFile(atPath: "\(binaries)/psql") ? "\(binaries)/psql" : "psql"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [psql, "-X", "-q", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-c", statement]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A loopback port nobody listens on now.
    static func freePort() -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketDescriptor, socketAddress, length) == 0 && getsockname(socketDescriptor, socketAddress, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : 54329
    }
}

public struct PostgresError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension TemporaryPostgres {
    /// Whether PostgreSQL's server programs are installed (tests that need them are skipped
    /// otherwise, with `unavailableNote` printed once).
    public static var isInstalled: Bool {
        if binaryFolder() != nil { return true }
        _ = unavailableNote
        return false
    }
}
