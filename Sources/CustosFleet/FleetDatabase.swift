import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// One connection to the fleet database (PostgresNIO), with the custos schema installed or
/// migrated on open. Every custos command opens one, uses it, and closes it.
public final class FleetDatabase: Sendable {
    /// PostgresNIO logs nothing custos does not report itself.
    static let quietLogger: Logger = {
        var logger = Logger(label: "custos.fleet")
        logger.logLevel = .critical
        return logger
    }()

    public let address: FleetDatabaseAddress
    let connection: PostgresConnection
    let logger: Logger

    private init(address: FleetDatabaseAddress, connection: PostgresConnection, logger: Logger) {
        self.address = address
        self.connection = connection
        self.logger = logger
    }

    /// Connects and brings the schema to `FleetSchema.version` (creating it on an empty database).
    public static func open(_ address: FleetDatabaseAddress, migrate: Bool = true) async throws(FleetError) -> FleetDatabase {
        let logger = quietLogger
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try Self.configuration(address)
        } catch let error as FleetError {
            throw error
        } catch {
            throw .badAddress("TLS settings: \(error)")
        }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw .connection(address: address.description, detail: FleetDatabase.explain(error))
        }
        let database = FleetDatabase(address: address, connection: connection, logger: logger)
        if migrate {
            do {
                try await FleetSchema.migrate(database)
            } catch {
                await database.close()
                throw error
            }
        }
        return database
    }

    /// Opens the database, runs `body`, and closes it whatever `body` does.
    public static func using<T: Sendable>(_ address: FleetDatabaseAddress,
                                          _ body: (FleetDatabase) async throws -> T) async throws -> T {
        let database = try await open(address)
        do {
            let value = try await body(database)
            await database.close()
            return value
        } catch {
            await database.close()
            throw error
        }
    }

    public func close() async {
        try? await connection.close()
    }

    /// Runs `body` in one transaction: all of it is written or none.
    ///
    /// Not PostgresNIO's `withTransaction`: after the server goes away mid-transaction it sends
    /// ROLLBACK on the closed channel, and a query written to a closed channel is never answered
    /// (PostgresNIO 1.33 drops the write's failure), so the publish would wait forever. Here
    /// ROLLBACK is sent only on a live connection; the server rolls back a lost one itself.
    func transaction<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws(FleetError) -> T {
        do {
            try await statement("BEGIN")
            let value = try await body(connection)
            try await statement("COMMIT")
            return value
        } catch {
            if !connection.isClosed { try? await statement("ROLLBACK") }
            throw .query(FleetDatabase.explain(error))
        }
    }

    /// One statement whose rows do not matter, refused up front on a closed connection.
    private func statement(_ query: PostgresQuery) async throws {
        guard !connection.isClosed else { throw FleetError.query("the connection to the database was lost") }
        try await connection.query(query, logger: logger)
    }

    /// Runs one statement, collecting its rows.
    func rows(_ query: PostgresQuery) async throws(FleetError) -> [PostgresRow] {
        guard !connection.isClosed else { throw .query("the connection to the database was lost") }
        do {
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw .query(FleetDatabase.explain(error))
        }
    }

    /// What went wrong, from the server's message where there is one (PSQLError's own
    /// description is deliberately vague).
    static func explain(_ error: any Error) -> String {
        if let error = error as? FleetError { return error.description }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.detail].map { " (\($0))" } ?? "")
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    static func configuration(_ address: FleetDatabaseAddress) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch address.tls {
        case .disable:
            tls = .disable
        case .allow, .prefer, .require:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .none
            let context = try NIOSSLContext(configuration: settings)
            tls = address.tls == .require ? .require(context) : .prefer(context)
        case .verifyCA, .verifyFull:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = address.tls == .verifyFull ? .fullVerification : .noHostnameVerification
            if let root = address.rootCertificate { settings.trustRoots = .file(root) }
            tls = .require(try NIOSSLContext(configuration: settings))
        }
        var configuration: PostgresConnection.Configuration
        if let directory = address.socketDirectory {
            guard address.tls == .disable || address.tls == .allow || address.tls == .prefer else {
                throw FleetError.badAddress("a Unix socket carries no TLS: use sslmode=disable with host=\(directory)")
            }
            configuration = .init(unixSocketPath: (directory as NSString).appendingPathComponent(".s.PGSQL.\(address.port)"),
                                  username: address.user, password: address.password, database: address.database)
        } else {
            configuration = .init(host: address.host ?? "localhost", port: address.port, username: address.user,
                                  password: address.password, database: address.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(15)
        return configuration
    }
}
