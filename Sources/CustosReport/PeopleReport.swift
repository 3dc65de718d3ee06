import CustosCore

// The one model of every report written for people rather than machines — by owner after a
// scan, the sweep report, the incident playbook of `custos who`, and the fleet report to come —
// with one Markdown and one HTML writer over it (PeopleReportWriters.swift). Builders turn
// `FindingRecord`s (from any store) into it; what to act on first is the documented triage
// score, revocation is worded in one place, shared credentials are grouped in one place. The
// model holds no secret: records carry only redacted forms and hashes.

/// A report for people: what to do first, who to call, where the secret is.
public struct PeopleReport: Sendable {
    /// One figure of the summary table.
    public struct Figure: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One finding (a secret under a rule, with all its places) as a report row.
    public struct Item: Sendable, Hashable {
        public var record: FindingRecord
        public var ruleName: String

        /// The id of its first current place (what `custos who --finding` takes).
        public var id: String { (record.currentPlaces.first ?? record.places.first)?.findingID ?? "" }
        public var labels: [String] {
            let places = record.sitesFoundAt.count
            return record.verdicts.map { $0.label(places: places) }
        }
    }

    /// One owner's part ("" for nobody registered), opened by its most urgent item.
    public struct Section: Sendable, Hashable {
        public var owner: String
        /// The identities the items belong to, as registered (distinct).
        public var identities: [Ownership]
        /// In triage order.
        public var items: [Item]

        public var title: String { owner.isEmpty ? "No registered owner" : owner }
        public var mostUrgent: Item? { items.first }
    }

    /// A secret found at two or more sites: revoking it touches every one.
    public struct SharedCredential: Sendable, Hashable {
        public var secret: String
        public var rules: [String]
        public var sites: [String]
        public var places: Int
        public var findingIDs: [String]
    }

    /// One identity nobody may revoke (or one unregistered secret): the authority gap, by name.
    public struct GapEntry: Sendable, Hashable {
        /// The identity id, or `unregistered` for a secret no identity claims.
        public var identity: String
        public var owner: String?
        public var reason: String
        /// `F-… rule path:line` for each finding behind it.
        public var findings: [String]
    }

    /// One step of an incident playbook, in the order to act.
    public struct Step: Sendable, Hashable {
        public var title: String
        public var actions: [String]

        public init(_ title: String, _ actions: [String]) {
            self.title = title
            self.actions = actions
        }
    }

    /// One sweep of a series, for the chart and table.
    public struct TimelinePoint: Sendable, Hashable {
        public var sweep: Int64
        public var day: String
        public var open: Int
        public var new: Int
        public var resolved: Int
        public var reopened: Int

        public init(sweep: Int64, day: String, open: Int, new: Int, resolved: Int, reopened: Int) {
            self.sweep = sweep
            self.day = day
            self.open = open
            self.new = new
            self.resolved = resolved
            self.reopened = reopened
        }
    }

    public struct Problem: Sendable, Hashable {
        public var path: String
        public var message: String

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    public var title: String
    /// Sentences under the title.
    public var lede: [String] = []
    /// An incident playbook's steps (empty for other reports).
    public var plan: [Step] = []
    public var figures: [Figure] = []
    public var authorityGap: [GapEntry] = []
    public var shared: [SharedCredential] = []
    public var timeline: [TimelinePoint] = []
    /// In triage order: the section whose most urgent item scores highest first.
    public var sections: [Section] = []
    public var problems: [Problem] = []

    public init(title: String) {
        self.title = title
    }
}

extension PeopleReport {
    /// Sections, the authority gap and shared credentials from `records`, in triage order.
    /// `governance: false` leaves out the gap and the shared credentials (--no-governance).
    public mutating func add(records: [FindingRecord], rules: RuleCatalog, governance: Bool = true) {
        let items = records.sorted(by: FindingRecord.triageOrder)
            .map { Item(record: $0, ruleName: rules[$0.ruleID]?.name ?? $0.ruleID) }
        sections = Self.sections(items)
        if governance {
            authorityGap = Self.authorityGap(items)
            shared = Self.shared(records)
        }
    }

    static func sections(_ items: [Item]) -> [Section] {
        var order: [String] = []
        var byOwner: [String: [Item]] = [:]
        for item in items {
            let owner = item.record.ownership?.owner ?? ""
            if byOwner[owner] == nil { order.append(owner) }
            byOwner[owner, default: []].append(item)
        }
        return order.map { owner in
            let items = byOwner[owner] ?? []
            var seen = Set<String>()
            let identities = items.compactMap(\.record.ownership)
                .filter { $0.attributedBy != .none && seen.insert($0.identityID ?? "codeowners:" + ($0.owner ?? "")).inserted }
            return Section(owner: owner, identities: identities, items: items)
        }
    }

    /// Every identity nobody may revoke, and every secret nobody registered.
    static func authorityGap(_ items: [Item]) -> [GapEntry] {
        var entries: [GapEntry] = []
        var index: [String: Int] = [:]
        for item in items {
            guard let ownership = item.record.ownership, !ownership.hasRevoker else { continue }
            let key = ownership.attributedBy == .none ? "unregistered" : ownership.identityID ?? "codeowners " + (ownership.owner ?? "")
            let place = item.record.places.first.map { "\($0.path):\($0.line)" } ?? ""
            let line = "\(item.id) \(item.record.ruleID) \(place)"
            if let at = index[key] {
                entries[at].findings.append(line)
                continue
            }
            let reason = switch ownership.attributedBy {
            case .none: "no identity claims it: nobody is on record to revoke it"
            case .codeowners: "only CODEOWNERS names an owner: nobody is named who may revoke it"
            case .fingerprint, .selector: "registered, but no revocation authority or revoker is named"
            }
            index[key] = entries.count
            entries.append(GapEntry(identity: ownership.attributedBy == .none ? "unregistered" : ownership.identityID ?? "(CODEOWNERS)",
                                    owner: ownership.owner, reason: reason, findings: [line]))
        }
        return entries
    }

    /// Secrets found at two or more sites (under any rules), most sites first.
    public static func shared(_ records: [FindingRecord]) -> [SharedCredential] {
        var groups: [String: [FindingRecord]] = [:]
        var order: [String] = []
        for record in records.sorted(by: FindingRecord.triageOrder) {
            let key = record.secretSHA256 ?? record.fingerprint
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(record)
        }
        return order.compactMap { key -> SharedCredential? in
            let group = groups[key] ?? []
            let sites = Set(group.flatMap(\.sitesFoundAt))
            guard sites.count >= 2 else { return nil }
            let places = group.flatMap { $0.currentPlaces.isEmpty ? $0.places : $0.currentPlaces }
            return SharedCredential(secret: group[0].secretRedacted, rules: Array(Set(group.map(\.ruleID))).sorted(),
                                    sites: sites.sorted(), places: places.count, findingIDs: places.map(\.findingID))
        }.sorted { ($0.sites.count, $1.secret) > ($1.sites.count, $0.secret) }
    }

    /// Counts every people report opens with: owners, revokers, the gap, verdicts.
    public static func governanceFigures(_ records: [FindingRecord]) -> [Figure] {
        let total = records.count
        func share(_ part: Int) -> String { "\(part) (\(total == 0 ? 0 : Int((Double(part) * 100 / Double(total)).rounded())) %)" }
        let owned = records.filter { $0.ownership?.owner != nil }.count
        let revocable = records.filter { $0.ownership?.hasRevoker == true }.count
        var figures = [
            Figure("with a known owner", share(owned)),
            Figure("with a named revocation authority", share(revocable)),
            Figure("identity authority gap (nobody may revoke)", "\(total - revocable)"),
        ]
        for verdict in GovernanceVerdict.allCases.sorted() {
            let count = records.filter { $0.verdicts.contains(verdict) }.count
            if count > 0 { figures.append(Figure("verdict \(verdict.rawValue)", "\(count)")) }
        }
        return figures
    }
}

/// How revocation is worded in every people report, from an identity's ownership block.
public enum RevocationWording {
    /// Who may revoke and how, in one sentence.
    public static func sentence(_ ownership: Ownership?) -> String {
        guard let ownership, ownership.attributedBy != .none else {
            return "Nobody is registered: find who issued it (the provider's audit log names the account), revoke it there, then register its owner and revocation authority."
        }
        guard let revoker = ownership.revoker else {
            return "Nobody is named who may revoke it: agree on a revocation authority with \(ownership.owner ?? "the owner") first."
        }
        var sentence = "Ask \(revoker) to revoke it" + procedure(ownership) + "."
        if let impact = ownership.revocationImpact, impact != .safe { sentence += " " + impact.meaning }
        if ownership.kind == .breakGlass { sentence += " Break-glass: rotate it after every use." }
        return sentence
    }

    /// Whom to call, in order: the escalation chain, else the contact.
    public static func escalation(_ ownership: Ownership?) -> String {
        guard let ownership else { return "plant security" }
        var people = ownership.escalation
        if people.isEmpty, let contact = ownership.contact { people = [contact] }
        return people.isEmpty ? "plant security" : people.joined(separator: " → ")
    }

    /// The steps a section ends with.
    public static func steps(_ ownership: Ownership?) -> [String] {
        guard let ownership, ownership.attributedBy != .none else {
            return ["Find who issued this credential (the provider's audit log names the account).",
                    "Revoke or rotate it at the provider, then register its owner and revocation authority in the owners registry."]
        }
        var steps: [String] = []
        if let impact = ownership.revocationImpact, impact != .safe {
            var coordinate = impact.meaning
            if let approver = ownership.roles.approver { coordinate += " Approval: \(approver)." }
            if let fallback = ownership.fallback { coordinate += " Meanwhile: \(fallback)." }
            if !ownership.keepReachable.isEmpty { coordinate += " Keep reachable: " + ownership.keepReachable.joined(separator: ", ") + "." }
            steps.append(coordinate)
        }
        if let revoker = ownership.revoker {
            steps.append("Ask \(revoker) to revoke it" + procedure(ownership) + ".")
        } else {
            steps.append("Nobody is named who may revoke it: agree on a revocation authority with \(ownership.owner ?? "the owner") first.")
        }
        if !ownership.escalation.isEmpty {
            steps.append("If unreachable, escalate in order: " + ownership.escalation.joined(separator: ", ") + ".")
        }
        if ownership.kind == .breakGlass {
            steps.append("A break-glass account: rotate it after every use, and record who used it and why.")
        }
        steps.append("Remove the secret from every place listed and replace it with a reference to a secret store.")
        return steps
    }

    /// ` following https://…` for a runbook link, ` (how: …)` for words.
    static func procedure(_ ownership: Ownership) -> String {
        guard let procedure = ownership.revocationProcedure else { return "" }
        return procedure.contains("://") ? " following \(procedure)" : " (how: \(procedure))"
    }

    /// `expired since 2024-06-30`, `valid until 2030-01-01`, or nil when no date is registered.
    public static func expiry(_ ownership: Ownership) -> String? {
        guard let date = ownership.expiryDate else { return nil }
        return switch ownership.expiry {
        case .expired: "expired since \(date)"
        case .rotationOverdue: "rotation overdue since \(date)"
        case .valid: "valid until \(date)"
        case .unknown: nil
        }
    }
}

extension FindingRecord {
    /// `sweep 3, 2026-03-02` style text for first/last seen, or "—".
    var firstSeenText: String { firstSeen?.description ?? "—" }
}
