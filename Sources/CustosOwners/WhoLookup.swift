// `custos who`'s question and lookup: one secret, fingerprint or finding id, answered from any
// `FindingRecordStore` (scan report, sweep state, the central store) and judged again with the
// registry. It never needs the secret when given a fingerprint; rendering is CustosReport's
// (`Incident`). Stores answer by index, so the lookup costs a few queries whatever their size.

import CustosCore

/// What `custos who` is asked about: a secret (read from standard input, never stored), a
/// fingerprint (a finding's, or the SHA-256 of the secret a registry names), or a finding id
/// a report printed.
public enum WhoQuery: Sendable, Hashable {
    case secret(String)
    case fingerprint(String)
    case findingID(String)

    /// How the answer names what was asked, without the secret.
    public var description: String {
        switch self {
        case let .secret(secret): "the secret \(SecretDisplay.redact(secret)) (SHA-256 \(Fingerprint.plainSHA256(secret).prefix(16))…)"
        case let .fingerprint(hex): "fingerprint \(hex)"
        case let .findingID(id): "finding \(id)"
        }
    }
}

/// A problem with the question itself (not the store).
public struct WhoQueryError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Looks one secret up in any store of findings: every record of it (under every rule that
/// found it), judged again with the registry when one is given.
public struct WhoLookup {
    public let store: any FindingRecordStore
    public let judge: GovernanceJudge
    /// Attribution from the current registry; nil keeps what the store recorded.
    public let resolver: OwnershipResolver?
    public let governance: Bool
    /// A rule's confidence, for records whose store does not keep it (a sweep state).
    public let confidence: (String) -> Confidence?

    public init(store: any FindingRecordStore, judge: GovernanceJudge, resolver: OwnershipResolver?, governance: Bool = true,
                confidence: @escaping (String) -> Confidence? = { _ in nil }) {
        self.store = store
        self.judge = judge
        self.resolver = resolver
        self.governance = governance
        self.confidence = confidence
    }

    /// What the store and the registry know.
    public struct Answer: Sendable {
        /// Every record of the secret, in triage order.
        public var records: [FindingRecord]
        /// The registry's identity for the secret, when it names it (even with no record).
        public var registered: Ownership?
    }

    public func answer(_ query: WhoQuery) throws -> Answer {
        var found: [FindingRecord] = []
        var secretDigest: String?
        switch query {
        case let .secret(secret):
            secretDigest = Fingerprint.plainSHA256(secret)
            let ids = try store.recordedRuleIDs()
            found = try store.records(fingerprints: ids.map { Fingerprint(ruleID: $0, secret: secret).hex })
        case let .fingerprint(raw):
            let hex = raw.lowercased()
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
                throw WhoQueryError(description: "'\(raw)' is not a fingerprint (64 hex digits, as JSON reports and `custos owners fingerprint` print); for an id such as F-3a9c1e07b2 use --finding")
            }
            found = try store.records(fingerprints: [hex])
            // A registry names a secret by its SHA-256 alone: accept that too.
            if found.isEmpty { secretDigest = hex }
        case let .findingID(id):
            guard FindingID.isValid(id) else {
                throw WhoQueryError(description: "'\(id)' is not a finding id (F- and ten hex digits, as reports print beside each finding)")
            }
            guard let fingerprint = try store.fingerprint(ofFindingID: id) else {
                throw WhoQueryError(description: "no finding \(id) in \(store.location): is it the report or state the id came from?")
            }
            found = try store.records(fingerprints: [fingerprint])
        }
        // The same secret under other rules (a generic and a vendor rule, two decoders).
        for digest in Set(found.compactMap(\.secretSHA256) + (secretDigest.map { [$0] } ?? [])) {
            found += try store.records(secretSHA256: digest)
        }
        var seen = Set<String>()
        found = found.filter { seen.insert($0.fingerprint).inserted }
        for index in found.indices where found[index].confidence == nil { found[index].confidence = confidence(found[index].ruleID) }
        let judged = judge.judge(found, resolver: resolver, governance: governance).sorted(by: FindingRecord.triageOrder)
        var registered = judged.compactMap(\.ownership).first { $0.attributedBy != .none }
        if registered == nil, let resolver {
            let digest = secretDigest ?? judged.first?.secretSHA256
            registered = resolver.registry.identities
                .first { identity in digest.map(identity.fingerprints.contains) == true || judged.contains { identity.fingerprints.contains($0.fingerprint) } }
                .map { resolver.ownership($0, by: .fingerprint) }
        }
        return Answer(records: judged, registered: registered)
    }
}
