import Foundation
import PostgresNIO

/// The fleet's picture from the central database: one query per question, each reading one
/// of the schema's views (`custos.shared_credentials`, `custos.site_authority_gap`,
/// `custos.fleet_trend`, `custos.oldest_open`), so what the report says an operator can ask
/// the database directly.
public struct FleetReport: Sendable, Codable, Hashable {
    /// A credential open at two or more sites.
    public struct SharedCredential: Sendable, Codable, Hashable {
        public var secretSHA256: String
        public var secretRedacted: String
        public var ruleIDs: [String]
        public var sites: [String]
        public var vendors: [String]
        public var owners: [String]
        public var revocationAuthorities: [String]
        /// Current places across every site.
        public var places: Int
        public var firstSeen: String?
    }

    /// One plant's open findings and who may act on them.
    public struct SiteStatus: Sendable, Codable, Hashable {
        public var site: String
        public var lastSweptAt: String
        public var open: Int
        /// Open findings nobody may revoke (no revocation authority).
        public var withoutRevoker: Int
        public var unowned: Int
        /// The identities (or rules, when no identity is named) behind them.
        public var identitiesWithoutRevoker: [String]
    }

    /// The fleet on one day (UTC).
    public struct TrendPoint: Sendable, Codable, Hashable {
        public var day: String
        public var new: Int
        public var resolved: Int
        public var open: Int
        public var sites: Int
    }

    /// An open finding, oldest first.
    public struct OldFinding: Sendable, Codable, Hashable {
        public var site: String
        public var fingerprint: String
        public var ruleID: String
        public var secretRedacted: String
        public var status: String
        public var firstSeen: String?
        public var owner: String?
        public var revocationAuthority: String?
        public var place: String?
    }

    public var database: String
    public var generatedAt: String
    public var shared: [SharedCredential]
    public var sites: [SiteStatus]
    public var trend: [TrendPoint]
    public var oldestOpen: [OldFinding]

    /// How many oldest open findings the report lists.
    public static let oldestLimit = 50

    /// Reads every view.
    public static func load(from database: FleetDatabase, now: Date = Date()) async throws(FleetError) -> FleetReport {
        var shared: [SharedCredential] = []
        for row in try await database.rows("""
            SELECT secret_sha256, secret_redacted, rule_ids, sites, vendors, owners, revocation_authorities, places,
                   to_char(first_seen, 'YYYY-MM-DD')
            FROM custos.shared_credentials ORDER BY site_count DESC, places DESC, secret_sha256
            """) {
            let (hash, redacted, rules, sites, vendors, owners, revokers, places, first) = try decode(row, as:
                (String, String, [String], [String], [String], [String], [String], Int, String?).self)
            shared.append(SharedCredential(secretSHA256: hash, secretRedacted: redacted, ruleIDs: rules, sites: sites,
                                           vendors: vendors, owners: owners, revocationAuthorities: revokers,
                                           places: places, firstSeen: first))
        }
        var sites: [SiteStatus] = []
        for row in try await database.rows("""
            SELECT site, to_char(last_swept_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), open, without_revoker, unowned,
                   identities_without_revoker
            FROM custos.site_authority_gap ORDER BY without_revoker DESC, open DESC, site
            """) {
            let (site, swept, open, gap, unowned, identities) = try decode(row, as: (String, String, Int, Int, Int, [String]).self)
            sites.append(SiteStatus(site: site, lastSweptAt: swept, open: open, withoutRevoker: gap, unowned: unowned,
                                    identitiesWithoutRevoker: identities.sorted()))
        }
        var trend: [TrendPoint] = []
        for row in try await database.rows("""
            SELECT to_char(day, 'YYYY-MM-DD'), new, resolved, open, sites FROM custos.fleet_trend ORDER BY day
            """) {
            let (day, new, resolved, open, count) = try decode(row, as: (String, Int, Int, Int, Int).self)
            trend.append(TrendPoint(day: day, new: new, resolved: resolved, open: open, sites: count))
        }
        var oldest: [OldFinding] = []
        for row in try await database.rows("""
            SELECT site, fingerprint, rule_id, secret_redacted, status, to_char(first_seen, 'YYYY-MM-DD'), owner,
                   revocation_authority, place
            FROM custos.oldest_open ORDER BY first_seen NULLS LAST, site, fingerprint LIMIT \(oldestLimit)
            """) {
            let (site, fingerprint, rule, redacted, status, first, owner, revoker, place) = try decode(row, as:
                (String, String, String, String, String, String?, String?, String?, String?).self)
            oldest.append(OldFinding(site: site, fingerprint: fingerprint, ruleID: rule, secretRedacted: redacted, status: status,
                                     firstSeen: first, owner: owner, revocationAuthority: revoker, place: place))
        }
        let formatter = ISO8601DateFormatter()
        return FleetReport(database: database.address.description, generatedAt: formatter.string(from: now),
                           shared: shared, sites: sites, trend: trend, oldestOpen: oldest)
    }

    private static func decode<each Column: PostgresDecodable>(_ row: PostgresRow, as: (repeat each Column).Type)
        throws(FleetError) -> (repeat each Column) {
        do {
            return try row.decode((repeat each Column).self)
        } catch {
            throw .query("unexpected row from the fleet views (\(FleetDatabase.explain(error))): is the schema from this custos?")
        }
    }
}
