import Foundation

// Findings as people and `custos who` see them: one secret under one rule with every place it
// is found now and was found before, and no secret — only its hashes and redacted form. Every
// store of findings (a scan's result, a scan report file, a sweep state, the central store)
// reads into this one shape, so the people reports and `custos who` are one piece of code over
// any of them. Which store holds what is the store's business; this file only names the shape
// and the questions a store must answer.

/// When a finding or a place was seen: a day, and the sweep when a sweep state recorded it.
public struct Sighting: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var day: IsoDay?
    public var sweep: Int64?

    public init(day: IsoDay?, sweep: Int64? = nil) {
        self.day = day
        self.sweep = sweep
    }

    public static func < (lhs: Sighting, rhs: Sighting) -> Bool {
        ((lhs.sweep ?? 0), lhs.day?.description ?? "") < ((rhs.sweep ?? 0), rhs.day?.description ?? "")
    }

    /// `2026-03-02 (sweep 4)`.
    public var description: String {
        switch (day, sweep) {
        case let (day?, sweep?): "\(day) (sweep \(sweep))"
        case let (day?, nil): day.description
        case let (nil, sweep?): "sweep \(sweep)"
        case (nil, nil): "unknown"
        }
    }
}

/// A short name for one finding — one secret under one rule at one place — that reports print
/// beside it and `custos who --finding` takes: `F-` and ten hex digits of SHA-256 over the
/// fingerprint and the place's path.
public enum FindingID {
    public static func make(fingerprint: String, path: String) -> String {
        "F-" + sha256Hex(parts: [fingerprint, path]).prefix(10)
    }

    /// Whether `text` is shaped like a finding id.
    public static func isValid(_ text: String) -> Bool {
        text.count == 12 && text.hasPrefix("F-") && text.dropFirst(2).allSatisfy(\.isHexDigit)
    }
}

extension Finding {
    /// This finding's id (see `FindingID`).
    public var id: String { FindingID.make(fingerprint: fingerprint.hex, path: path) }
}

/// One secret under one rule, with every place it is and was found.
public struct FindingRecord: Sendable, Hashable {
    /// One place the secret is or was found.
    public struct Place: Sendable, Hashable {
        public var findingID: String
        public var path: String
        public var line: Int
        /// The site, else the scan root's name.
        public var site: String
        /// The line with the secret redacted, when the store keeps it.
        public var snippet: String?
        /// Whether the latest scan or sweep still found it there.
        public var current: Bool
        public var firstSeen: Sighting?
        public var lastSeen: Sighting?
        /// For a place in git history: the commit that brought the secret in.
        public var commit: String?

        public init(path: String, line: Int, site: String, fingerprint: String, snippet: String? = nil, current: Bool = true,
                    firstSeen: Sighting? = nil, lastSeen: Sighting? = nil, commit: String? = nil) {
            findingID = FindingID.make(fingerprint: fingerprint, path: path)
            self.path = path
            self.line = line
            self.site = site
            self.snippet = snippet
            self.current = current
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
            self.commit = commit
        }

        public var inGitHistory: Bool { commit != nil }
    }

    public var fingerprint: String
    public var ruleID: String
    /// The rule's confidence (or the finding's own), when the store knows it.
    public var confidence: Confidence?
    /// SHA-256 of the secret alone (what a registry names), when the store keeps it.
    public var secretSHA256: String?
    public var secretRedacted: String
    public var identity: String?
    /// Where a sweep stands with it; nil for a single scan.
    public var status: FindingStatus?
    public var firstSeen: Sighting?
    public var lastSeen: Sighting?
    /// Current places first, then past ones; each in path order.
    public var places: [Place]
    public var ownership: Ownership?
    public var verdicts: [GovernanceVerdict]

    public init(fingerprint: String, ruleID: String, confidence: Confidence? = nil, secretSHA256: String?,
                secretRedacted: String, identity: String?, status: FindingStatus? = nil,
                firstSeen: Sighting? = nil, lastSeen: Sighting? = nil, places: [Place],
                ownership: Ownership?, verdicts: [GovernanceVerdict] = []) {
        self.fingerprint = fingerprint
        self.ruleID = ruleID
        self.confidence = confidence
        self.secretSHA256 = secretSHA256
        self.secretRedacted = secretRedacted
        self.identity = identity
        self.status = status
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.places = places
        self.ownership = ownership
        self.verdicts = verdicts
    }

    public var currentPlaces: [Place] { places.filter(\.current) }
    public var pastPlaces: [Place] { places.filter { !$0.current } }

    /// Sites the secret is found at now (or, when nothing is current, was found at).
    public var sitesFoundAt: [String] {
        let current = currentPlaces
        return Array(Set((current.isEmpty ? places : current).map(\.site))).sorted()
    }

    /// How urgent it is: the confidence raised by the verdicts.
    public var severity: Severity {
        let places = sitesFoundAt.count
        return verdicts.reduce(Severity(confidence ?? .medium)) { max($0, $1.severity(places: places)) }
    }

    /// Sites, vendors and assets a revocation touches: the sites it is found at and the
    /// identity serves, its vendor, and what it supports.
    public var blastRadius: (sites: [String], vendors: [String], supports: [String]) {
        let sites = Set(sitesFoundAt).union(ownership?.sites ?? [])
        return (sites.sorted(), ownership?.vendor.map { [$0] } ?? [], ownership?.supports ?? [])
    }

    /// The documented triage score (see `TriageScore`).
    public var triage: TriageScore {
        let radius = blastRadius
        let live = currentPlaces.isEmpty ? places : currentPlaces
        return TriageScore(severity: severity, inGitHistory: live.contains(where: \.inGitHistory),
                           inFiles: live.contains { !$0.inGitHistory }, sitesFoundAt: sitesFoundAt.count,
                           sitesTouched: radius.sites.count, vendors: radius.vendors.count,
                           supports: radius.supports.count, impact: ownership?.revocationImpact)
    }

    /// Triage order: the higher score first, then path and rule, so every run agrees.
    public static func triageOrder(_ a: FindingRecord, _ b: FindingRecord) -> Bool {
        let (scoreA, scoreB) = (a.triage.total, b.triage.total)
        if scoreA != scoreB { return scoreA > scoreB }
        let (pathA, pathB) = (a.places.first?.path ?? "", b.places.first?.path ?? "")
        if pathA != pathB { return pathA < pathB }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        return a.fingerprint < b.fingerprint
    }
}

extension FindingRecord {
    /// A scan's findings as records: one per fingerprint, its places in report order, its
    /// verdicts the union of its places' (governance judges each place).
    public static func records(from findings: [Finding], confidence: (Finding) -> Confidence,
                               seen: IsoDay? = nil) -> [FindingRecord] {
        var order: [String] = []
        var byFingerprint: [String: FindingRecord] = [:]
        let sighting = seen.map { Sighting(day: $0) }
        for finding in findings.sorted(by: Finding.reportOrder) {
            let key = finding.fingerprint.hex
            let place = Place(path: finding.path, line: finding.start.line, site: finding.place ?? "", fingerprint: key,
                              snippet: finding.snippet.render(secret: SecretDisplay.redact(finding.secret), others: .redacted),
                              firstSeen: sighting, lastSeen: sighting, commit: finding.git?.introducedBy?.commit)
            if var record = byFingerprint[key] {
                if !record.places.contains(where: { $0.findingID == place.findingID }) { record.places.append(place) }
                record.verdicts = Array(Set(record.verdicts).union(finding.verdicts)).sorted()
                record.confidence = max(record.confidence ?? .low, confidence(finding))
                byFingerprint[key] = record
            } else {
                order.append(key)
                byFingerprint[key] = FindingRecord(
                    fingerprint: key, ruleID: finding.ruleID, confidence: confidence(finding),
                    secretSHA256: Fingerprint.plainSHA256(finding.secret), secretRedacted: SecretDisplay.redact(finding.secret),
                    identity: finding.identity, firstSeen: sighting, lastSeen: sighting, places: [place],
                    ownership: finding.ownership, verdicts: finding.verdicts.sorted())
            }
        }
        return order.compactMap { byFingerprint[$0] }
    }
}

/// A problem reading a store of findings, in words a person can act on.
public struct RecordStoreError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Where findings are recorded — a scan report file, a sweep state, the central store — as
/// `custos who` asks it. Each call is answered from an index where the store has one: a sweep
/// state of a million files answers in milliseconds.
public protocol FindingRecordStore {
    /// Where the records live, for messages (a path, a database name).
    var location: String { get }
    /// Every rule id a finding is recorded under (a secret is looked up under each).
    func recordedRuleIDs() throws(RecordStoreError) -> [String]
    /// The records with these fingerprints (unknown ones are left out).
    func records(fingerprints: [String]) throws(RecordStoreError) -> [FindingRecord]
    /// The records of a secret, by the SHA-256 of the secret alone; empty when the store does
    /// not keep that hash.
    func records(secretSHA256: String) throws(RecordStoreError) -> [FindingRecord]
    /// The fingerprint of the finding a report printed as `id` (`F-…`), if the store holds it.
    func fingerprint(ofFindingID id: String) throws(RecordStoreError) -> String?
}
