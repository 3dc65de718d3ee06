import CustosCore

/// Judges the governance verdicts of one credential from what is known about it. One place for
/// the rules, used by scans (per finding), sweep reports and `custos who` (per record).
public struct GovernanceJudge: Sendable {
    /// Rule ids whose findings are vendor or remote-access credentials by nature.
    public let vendorRuleIDs: Set<String>
    /// The day findings are judged on (access windows).
    public let today: IsoDay

    public init(vendorRuleIDs: Set<String> = [], today: IsoDay = .today) {
        self.vendorRuleIDs = vendorRuleIDs
        self.today = today
    }

    /// The verdicts, most urgent first. `ownership` is nil when no registry or CODEOWNERS was
    /// used (then only `shared` and vendor rules speak); `places` is the number of places the
    /// secret is found at; `seen` the day it was last found (default: today).
    public func verdicts(ownership: Ownership?, ruleID: String, places: Int, seen: IsoDay? = nil) -> [GovernanceVerdict] {
        var verdicts: [GovernanceVerdict] = []
        if places >= 2 { verdicts.append(.shared) }
        if vendorRuleIDs.contains(ruleID) { verdicts.append(.vendor) }
        guard let ownership else { return verdicts.sorted() }
        switch ownership.attributedBy {
        case .none:
            verdicts.append(.unowned)
        case .codeowners, .fingerprint, .selector:
            if !ownership.hasRevoker { verdicts.append(.noRevoker) }
        }
        if ownership.expiry == .expired || ownership.expiry == .rotationOverdue { verdicts.append(.expired) }
        if (ownership.kind == .vendorRemoteAccess || ownership.vendor != nil) && !verdicts.contains(.vendor) {
            verdicts.append(.vendor)
        }
        if ownership.kind == .breakGlass { verdicts.append(.breakGlass) }
        if let window = ownership.access, !window.contains(seen ?? today) { verdicts.append(.outsideAccessWindow) }
        return verdicts.sorted()
    }

    /// Records judged again: ownership from `resolver` when given (else as stored, expiry judged
    /// today), then verdicts; a secret found under several rules counts its places once.
    public func judge(_ records: [FindingRecord], resolver: OwnershipResolver? = nil, governance: Bool = true) -> [FindingRecord] {
        var sitesBySecret: [String: Set<String>] = [:]
        for record in records {
            sitesBySecret[record.secretSHA256 ?? record.fingerprint, default: []].formUnion(record.sitesFoundAt)
        }
        return records.map { record in
            var record = record
            record.ownership = resolver.map { $0.attribute(record) } ?? record.ownership?.judgingExpiry(today: today)
            guard governance else {
                record.verdicts = []
                return record
            }
            let places = sitesBySecret[record.secretSHA256 ?? record.fingerprint]?.count ?? 0
            let lastSeen = record.lastSeen?.day ?? record.places.compactMap { $0.lastSeen?.day }.max()
            record.verdicts = verdicts(ownership: record.ownership, ruleID: record.ruleID, places: places,
                                       seen: record.status == nil ? nil : lastSeen)
            return record
        }
    }
}

/// Attribution and governance over a whole scan result (shared credentials need every
/// finding at once). Each finding keeps its own fingerprint; verdicts are its attributes.
public struct GovernanceAnalysis: Sendable {
    public let resolver: OwnershipResolver
    public let judge: GovernanceJudge
    /// Whether a registry or CODEOWNERS speaks: without either, findings get no ownership
    /// block, and only places (for shared credentials) and vendor rules are judged.
    public let ownersKnown: Bool

    public init(resolver: OwnershipResolver, vendorRuleIDs: Set<String> = [], ownersKnown: Bool = true) {
        self.resolver = resolver
        self.judge = GovernanceJudge(vendorRuleIDs: vendorRuleIDs, today: resolver.today)
        self.ownersKnown = ownersKnown
    }

    /// Attaches place and ownership to every finding and, when `governance` is on, its
    /// verdicts; a secret found at two or more places lists all of them in `related` on each
    /// of its findings. Returns findings in report order.
    public func apply(to findings: [Finding], governance: Bool) -> [Finding] {
        var attributed = findings.map { finding -> Finding in
            var finding = finding
            finding.place = resolver.place(of: finding)
            if ownersKnown { finding.ownership = resolver.attribute(finding) }
            return finding
        }
        guard governance else { return attributed.sorted(by: Finding.reportOrder) }
        var bySecret: [String: [Int]] = [:]
        for (index, finding) in attributed.enumerated() {
            bySecret[Fingerprint.plainSHA256(finding.secret), default: []].append(index)
        }
        for indices in bySecret.values {
            let group = indices.map { attributed[$0] }
            let places = Set(group.compactMap(\.place))
            let related = places.count >= 2
                ? group.sorted(by: Finding.reportOrder).map { RelatedLocation(path: $0.path, line: $0.start.line, place: $0.place ?? "") }
                : []
            for index in indices {
                attributed[index].related = related
                attributed[index].verdicts = judge.verdicts(ownership: attributed[index].ownership,
                                                            ruleID: attributed[index].ruleID, places: places.count)
            }
        }
        return attributed.sorted(by: Finding.reportOrder)
    }
}
