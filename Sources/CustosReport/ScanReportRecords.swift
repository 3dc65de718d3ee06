// A JSON scan report read back as a store of findings for `custos who`: the latest scan answers
// without scanning again. Loaded whole (reports are small next to the state a sweep keeps);
// anything that is not a custos report is refused with what to give instead.

import CustosCore
import Foundation

/// A scan report file (`--format json`, schema custos-report/1) read back as a store of
/// findings, so `custos who` can answer from the latest scan without scanning again. The
/// report holds no secret; its findings are grouped by fingerprint, every place current, seen
/// on the day the file was written. Reports from before the ownership fields were added still
/// read (missing fields are empty).
public struct ScanReportRecords: FindingRecordStore {
    public let location: String
    private let all: [FindingRecord]

    /// Reads the report at `path`; a file that is not a custos JSON report is refused with
    /// what to give instead.
    public init(path: String) throws(RecordStoreError) {
        location = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecordStoreError("cannot read the scan report \(path)")
        }
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              document["schema"] as? String == JSONReporter.schema,
              let findings = document["findings"] as? [[String: Any]] else {
            throw RecordStoreError("\(path) is not a custos JSON report (schema \(JSONReporter.schema)): write one with custos scan … --format json --output FILE, or give a sweep state with --state")
        }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        let day = modified.map { IsoDay(IsoDayFormat.day($0)) } ?? nil
        all = Self.records(findings, seen: day.map { Sighting(day: $0) })
    }

    static func records(_ findings: [[String: Any]], seen: Sighting?) -> [FindingRecord] {
        var order: [String] = []
        var byFingerprint: [String: FindingRecord] = [:]
        for entry in findings.prefix(1_000_000) {
            guard let fingerprint = entry["fingerprint"] as? String, let rule = entry["rule_id"] as? String,
                  let path = entry["path"] as? String else { continue }
            let git = entry["git"] as? [String: Any]
            let place = FindingRecord.Place(path: path, line: entry["line"] as? Int ?? 0, site: entry["place"] as? String ?? "",
                                            fingerprint: fingerprint, snippet: entry["snippet"] as? String,
                                            firstSeen: seen, lastSeen: seen, commit: git?["commit"] as? String)
            let verdicts = (entry["verdicts"] as? [String] ?? []).compactMap(GovernanceVerdict.init(rawValue:))
            if var record = byFingerprint[fingerprint] {
                if !record.places.contains(where: { $0.findingID == place.findingID }) { record.places.append(place) }
                record.verdicts = Array(Set(record.verdicts).union(verdicts)).sorted()
                byFingerprint[fingerprint] = record
                continue
            }
            order.append(fingerprint)
            byFingerprint[fingerprint] = FindingRecord(
                fingerprint: fingerprint, ruleID: rule, confidence: (entry["confidence"] as? String).flatMap(Confidence.init(rawValue:)),
                secretSHA256: entry["secret_sha256"] as? String, secretRedacted: entry["secret"] as? String ?? "",
                identity: entry["identity"] as? String, firstSeen: seen, lastSeen: seen, places: [place],
                ownership: (entry["ownership"] as? [String: Any]).map(Self.ownership), verdicts: verdicts.sorted())
        }
        return order.compactMap { byFingerprint[$0] }
    }

    /// The JSON report's ownership block (snake_case) back into its value.
    static func ownership(_ json: [String: Any]) -> Ownership {
        func text(_ key: String, _ in: [String: Any]? = nil) -> String? { (`in` ?? json)[key] as? String }
        func list(_ key: String) -> [String] { json[key] as? [String] ?? [] }
        func day(_ key: String, _ in: [String: Any]? = nil) -> IsoDay? { text(key, `in`).flatMap(IsoDay.init) }
        var block = Ownership(
            attributedBy: text("attributed_by").flatMap(Ownership.Attribution.init(rawValue:)) ?? .none,
            identityID: text("identity_id"), kind: text("kind").flatMap(IdentityKind.init(rawValue:)), owner: text("owner"),
            contact: text("contact"), revocationAuthority: text("revocation_authority"),
            revocationProcedure: text("revocation_procedure"), escalation: list("escalation"), sites: list("sites"),
            vendor: text("vendor"), expiryDate: day("expiry_date"),
            expiry: text("expiry").flatMap(Ownership.ExpiryStatus.init(rawValue:)) ?? .unknown)
        block.identityDescription = text("description")
        block.secondaryOwner = text("secondary_owner")
        if let roles = json["roles"] as? [String: Any] {
            block.roles = Ownership.Roles(approver: text("approver", roles), revoker: text("revoker", roles),
                                          businessOwner: text("business_owner", roles), vendorContact: text("vendor_contact", roles))
        }
        block.supports = list("supports")
        block.revocationImpact = text("revocation_impact").flatMap(RevocationImpact.init(rawValue:))
        block.fallback = text("fallback")
        block.keepReachable = list("keep_reachable")
        if let access = json["access"] as? [String: Any] {
            block.access = AccessWindow(from: day("from", access), until: day("until", access))
        }
        // The dates the status was judged by, so it can be judged again today.
        if block.expiry == .expired || block.expiry == .valid { block.expires = block.expiryDate }
        if block.expiry == .rotationOverdue { block.rotateBy = block.expiryDate }
        return block
    }

    public func recordedRuleIDs() throws(RecordStoreError) -> [String] {
        Array(Set(all.map(\.ruleID))).sorted()
    }

    public func records(fingerprints: [String]) throws(RecordStoreError) -> [FindingRecord] {
        let wanted = Set(fingerprints)
        return all.filter { wanted.contains($0.fingerprint) }
    }

    public func records(secretSHA256: String) throws(RecordStoreError) -> [FindingRecord] {
        all.filter { $0.secretSHA256 == secretSHA256 }
    }

    public func fingerprint(ofFindingID id: String) throws(RecordStoreError) -> String? {
        all.first { $0.places.contains { $0.findingID == id } }?.fingerprint
    }
}

/// Dates as YYYY-MM-DD in UTC.
enum IsoDayFormat {
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
