@testable import CustosFleet
import CustosTestSupport
import Foundation
import Testing

@Suite("Fleet database address: libpq's URL, environment and password file")
struct FleetDatabaseAddressTests {
    @Test("a full URL gives host, port, user, password, database and sslmode")
    func fullURL() throws {
        let address = try FleetDatabaseAddress(url: "postgresql://fleet:s%40cret@db.plant.example:6543/custos?sslmode=verify-ca&sslrootcert=/etc/ca.pem",
                                               environment: [:], home: "/nonexistent")
        #expect(address.host == "db.plant.example")
        #expect(address.port == 6543)
        #expect(address.user == "fleet")
        #expect(address.password == "s@cret")
        #expect(address.database == "custos")
        #expect(address.tls == .verifyCA)
        #expect(address.rootCertificate == "/etc/ca.pem")
        #expect(!address.description.contains("s@cret"), "no password in messages")
    }

    @Test("what the URL leaves out comes from PG* variables; TLS is verified unless told otherwise")
    func environmentFillsIn() throws {
        let address = try FleetDatabaseAddress(url: "postgres://", environment: [
            "PGHOST": "10.0.0.5", "PGPORT": "5433", "PGUSER": "plant", "PGPASSWORD": "from-env", "PGDATABASE": "fleet",
        ], home: "/nonexistent")
        #expect(address.host == "10.0.0.5" && address.port == 5433 && address.user == "plant")
        #expect(address.password == "from-env" && address.database == "fleet")
        #expect(address.tls == .verifyFull)
        let disabled = try FleetDatabaseAddress(url: "postgresql://u@h/d", environment: ["PGSSLMODE": "disable"], home: "/nonexistent")
        #expect(disabled.tls == .disable)
        #expect(disabled.database == "d")
    }

    @Test("IPv6 hosts, socket folders and the database defaulting to the user")
    func hostForms() throws {
        let v6 = try FleetDatabaseAddress(url: "postgresql://u@[::1]:5999", environment: [:], home: "/nonexistent")
        #expect(v6.host == "::1" && v6.port == 5999 && v6.database == "u")
        let socket = try FleetDatabaseAddress(url: "postgresql://u@/fleet?host=/var/run/postgresql", environment: [:], home: "/nonexistent")
        #expect(socket.socketDirectory == "/var/run/postgresql" && socket.host == nil)
    }

    @Test("wrong addresses are refused with a reason")
    func refused() {
        #expect(throws: FleetError.self) { try FleetDatabaseAddress(url: "mysql://u@h/d", environment: [:]) }
        #expect(throws: FleetError.self) { try FleetDatabaseAddress(url: "postgresql://u@h:99999/d", environment: [:]) }
        #expect(throws: FleetError.self) { try FleetDatabaseAddress(url: "postgresql://u@h/d?sslmode=sometimes", environment: [:]) }
        #expect(FleetDatabaseAddress.withoutPassword("postgresql://u:hunter2@h/d") == "postgresql://u:***@h/d")
    }

    @Test("the password file answers by host, port, database and user, with * and escapes; others may not read it")
    func passwordFile() throws {
        let home = try TemporaryTree([".pgpass": """
            # comment
            other.example:5432:*:fleet:wrong
            db.example:*:custos:fleet:pa\\:ss\\\\word
            *:*:*:*:fallback

            """])
        chmod(home.url(".pgpass").path, 0o600)
        let exact = try FleetDatabaseAddress(url: "postgresql://fleet@db.example/custos", environment: [:], home: home.path)
        #expect(exact.password == "pa:ss\\word")
        let other = try FleetDatabaseAddress(url: "postgresql://someone@else.example/x", environment: [:], home: home.path)
        #expect(other.password == "fallback")
        chmod(home.url(".pgpass").path, 0o644)
        let open = try FleetDatabaseAddress(url: "postgresql://fleet@db.example/custos", environment: [:], home: home.path)
        #expect(open.password == nil, "a password file others may read is ignored, as libpq does")
    }
}

@Suite("Fleet schema")
struct FleetSchemaTests {
    @Test("each migration step splits into single statements, comments kept with their statement")
    func statements() {
        let statements = FleetSchema.statements(FleetSchema.steps[0])
        #expect(statements.count == 10)
        #expect(statements.allSatisfy { !$0.hasSuffix(";") && !$0.isEmpty })
        #expect(statements.contains { $0.contains("CREATE VIEW custos.shared_credentials") })
        #expect(FleetSchema.steps.count == FleetSchema.version)
    }

    @Test("a more pressing status wins when a fingerprint is at several sites")
    func pressingStatus() {
        #expect(FleetRecordStore.morePressing(.resolved, .open) == .open)
        #expect(FleetRecordStore.morePressing(.reopened, .new) == .reopened)
        #expect(FleetRecordStore.morePressing(nil, .resolved) == .resolved)
    }
}
