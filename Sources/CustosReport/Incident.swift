import CustosCore

// The answer of `custos who` for one leaked secret: every place it is found now and was found
// before, the identity and its people, what depends on it, what revoking it does, and the
// steps in the order to act (contain → coordinate → revoke → rotate everywhere → verify →
// record). Rendered as text for a person, JSON for automation, and as a people report whose
// Markdown is the incident playbook. Looking the secret up is CustosOwners' (WhoLookup); this
// file only says it.

/// Everything known about one secret, from one store.
public struct Incident: Sendable {
    /// What was asked, without the secret (`fingerprint 3a9c…`, `the secret ghp_…(40 chars)`).
    public var question: String
    /// Where the answer came from (a report file, a state file).
    public var store: String
    /// Every record of the secret, in triage order.
    public var records: [FindingRecord]
    /// The registry's identity for it, when one names it (even with no record).
    public var registered: Ownership?
    public var rules: RuleCatalog
    public var today: IsoDay

    public init(question: String, store: String, records: [FindingRecord], registered: Ownership?,
                rules: RuleCatalog, today: IsoDay = .today) {
        self.question = question
        self.store = store
        self.records = records.sorted(by: FindingRecord.triageOrder)
        self.registered = registered
        self.rules = rules
        self.today = today
    }

    /// The identity the answer speaks for: the registry's, else the first recorded one.
    public var ownership: Ownership? {
        registered ?? records.compactMap(\.ownership).first { $0.attributedBy != .none } ?? records.first?.ownership
    }

    public var found: Bool { !records.isEmpty || registered != nil }

    public var currentPlaces: [FindingRecord.Place] { records.flatMap(\.currentPlaces) }
    public var pastPlaces: [FindingRecord.Place] { records.flatMap(\.pastPlaces) }

    public var verdicts: [GovernanceVerdict] { Array(Set(records.flatMap(\.verdicts))).sorted() }

    public var severity: Severity? { records.map(\.severity).max() }

    /// Sites, vendors and supported assets a revocation touches.
    public var blastRadius: (sites: [String], vendors: [String], supports: [String]) {
        var sites = Set(ownership?.sites ?? [])
        var vendors = Set(ownership?.vendor.map { [$0] } ?? [])
        var supports = ownership?.supports ?? []
        for record in records {
            let radius = record.blastRadius
            sites.formUnion(radius.sites)
            vendors.formUnion(radius.vendors)
            for asset in radius.supports where !supports.contains(asset) { supports.append(asset) }
        }
        return (sites.sorted(), vendors.sorted(), supports)
    }

    /// First and last time any store saw it.
    public var firstSeen: Sighting? { records.compactMap(\.firstSeen).min() }
    public var lastSeen: Sighting? { records.compactMap(\.lastSeen).max() }

    // MARK: The plan

    /// The steps in the order to act.
    public var plan: [PeopleReport.Step] {
        let owner = ownership
        let radius = blastRadius
        let now = currentPlaces
        func describe(_ place: FindingRecord.Place) -> String {
            "\(place.path):\(place.line)" + (place.site.isEmpty ? "" : " (\(place.site))") + (place.commit.map { ", git commit \($0.prefix(12))" } ?? "")
        }
        var contain: [String] = []
        contain.append(now.isEmpty
            ? "custos holds no current place of it: wherever it leaked (a paste, a ticket, a chat), have it taken down and keep a copy of the evidence."
            : "Restrict who can read the \(now.count) place\(now.count == 1 ? "" : "s") it is found at now (do not delete yet: the revocation must come first): " + now.map(describe).joined(separator: "; ") + ".")
        if now.contains(where: \.inGitHistory) || pastPlaces.contains(where: \.inGitHistory) {
            contain.append("It is in git history: every clone holds it; editing the file does not remove it. Treat it as public.")
        }
        if owner?.kind == .breakGlass {
            contain.append("A break-glass account: find out who used it, when and why (session and authentication logs) before anything else.")
        }
        if verdicts.contains(.outsideAccessWindow), let window = owner?.access {
            contain.append("Found outside its access window (\(window)): the access should already be closed.")
        }
        if let vendor = owner?.vendor ?? radius.vendors.first {
            contain.append("Ask \(vendor)" + (owner?.roles.vendorContact.map { " (\($0))" } ?? "") + " whether they hold or used it.")
        }

        var coordinate: [String] = []
        if let impact = owner?.revocationImpact {
            coordinate.append(impact.meaning)
        } else {
            coordinate.append("No revocation impact is registered: ask the owner what stops when it is revoked before revoking.")
        }
        if let approver = owner?.roles.approver { coordinate.append("Get the approval of \(approver).") }
        if !radius.supports.isEmpty { coordinate.append("What depends on it: " + radius.supports.joined(separator: ", ") + ".") }
        if let fallback = owner?.fallback { coordinate.append("Meanwhile production runs on: \(fallback).") }
        if let keep = owner?.keepReachable, !keep.isEmpty { coordinate.append("Must stay reachable for a safe shutdown: " + keep.joined(separator: ", ") + ".") }
        if !radius.sites.isEmpty { coordinate.append("Sites touched: " + radius.sites.joined(separator: ", ") + (radius.sites.count > 1 ? " — tell every one before revoking." : ".")) }
        var people: [String] = []
        if let owner = owner?.owner { people.append("owner \(owner)" + (ownership?.contact.map { " <\($0)>" } ?? "")) }
        if let secondary = owner?.secondaryOwner { people.append("secondary \(secondary)") }
        if let business = owner?.roles.businessOwner { people.append("business owner \(business)") }
        if !people.isEmpty { coordinate.append("Inform " + people.joined(separator: ", ") + ".") }
        if let chain = owner?.escalation, !chain.isEmpty { coordinate.append("If unreachable, escalate in order: " + chain.joined(separator: " → ") + ".") }

        var revoke: [String] = []
        if let owner, owner.attributedBy != .none {
            if let revoker = owner.revoker {
                revoke.append("\(revoker) revokes it" + RevocationWording.procedure(owner) + ".")
            } else {
                revoke.append("Nobody is named who may revoke it: agree with \(owner.owner ?? "the owner") who does, then revoke.")
            }
        } else {
            revoke.append("Nobody is registered: find who issued it (the provider's audit log names the account) and revoke it at the provider.")
        }
        if let identity = records.compactMap(\.identity).first { revoke.append("The account or key it belongs to: \(identity).") }

        var rotate: [String] = ["Issue a new credential" + (verdicts.contains(.shared) ? " (one per site, not one shared again)" : "") + " and put it in a secret store."]
        for place in now { rotate.append("Replace it at \(describe(place)) with a reference to the secret store.") }
        for asset in radius.supports { rotate.append("Give \(asset) the new credential.") }

        var verify: [String] = ["Try the old secret: it must be refused; watch the authentication logs for attempts with it."]
        if !radius.supports.isEmpty || !(owner?.keepReachable.isEmpty ?? true) {
            verify.append("Check that " + (radius.supports + (owner?.keepReachable ?? [])).joined(separator: ", ") + " run with the new credential.")
        }
        verify.append("Scan again (custos sweep, or custos scan of each place) and ask custos who again: no current place may remain.")

        var record: [String] = ["Note in the incident record: when it leaked, who revoked it and when, every place cleaned."]
        if let id = owner?.identityID {
            record.append("Update identity '\(id)' in the owners registry: the new secret's fingerprint (custos owners fingerprint), rotate_by or expires.")
        } else {
            record.append("Register the identity in the owners registry with its owner, revoker and the new secret's fingerprint (custos owners fingerprint).")
        }
        if owner?.kind == .breakGlass { record.append("Record the break-glass use: who, when, why, and that it was rotated.") }

        return [
            .init("Contain", contain), .init("Coordinate", coordinate), .init("Revoke", revoke),
            .init("Rotate everywhere it is used", rotate), .init("Verify", verify), .init("Record", record),
        ]
    }

    // MARK: As a people report (the playbook)

    /// The incident playbook: the plan first, then the identity and every place.
    public var report: PeopleReport {
        var report = PeopleReport(title: "Incident playbook: \(question)")
        report.lede = summary
        report.plan = plan
        report.add(records: records, rules: rules)
        if report.sections.isEmpty, let registered {
            report.sections = [PeopleReport.Section(owner: registered.owner ?? "", identities: [registered], items: [])]
        }
        return report
    }

    /// The answer in a few sentences.
    var summary: [String] {
        guard found else { return ["Nothing in \(store) or the owners registry knows \(question)."] }
        var lines: [String] = []
        let radius = blastRadius
        var what = "Found at \(currentPlaces.count) place\(currentPlaces.count == 1 ? "" : "s") now"
        if !pastPlaces.isEmpty { what += " and \(pastPlaces.count) before" }
        what += " (\(store))"
        if let first = firstSeen { what += ", first seen \(first)" }
        if let last = lastSeen { what += ", last seen \(last)" }
        lines.append(what + ".")
        if let owner = ownership, owner.attributedBy != .none {
            lines.append("Identity \(owner.identityID ?? "(CODEOWNERS)")\(owner.kind.map { " (\($0.rawValue))" } ?? ""), owned by \(owner.owner ?? "nobody named"); may revoke: \(owner.revoker ?? "nobody named").")
        } else {
            lines.append("No registered identity claims it: nobody is on record to revoke it.")
        }
        if let severity {
            let foundAt = Set(records.flatMap(\.sitesFoundAt)).count
            lines.append("Severity \(severity.rawValue)" + (verdicts.isEmpty ? "" : "; verdicts: " + verdicts.map { $0.label(places: foundAt) }.joined(separator: ", "))
                         + "; blast radius: \(radius.sites.count) site\(radius.sites.count == 1 ? "" : "s"), \(radius.vendors.count) vendor\(radius.vendors.count == 1 ? "" : "s"), \(radius.supports.count) dependent asset\(radius.supports.count == 1 ? "" : "s").")
        }
        return lines
    }

    public func markdown() -> String { report.markdown() }

    // MARK: Text

    public func text() -> String {
        var out = "custos who: \(question)\n"
        guard found else { return out + "  not found in \(store), nor named by the owners registry\n" }
        for line in summary { out += "  \(line)\n" }
        if let owner = ownership, owner.attributedBy != .none {
            out += "\nidentity\n"
            for (field, value) in PeopleReport.card(owner) { out += "  \(field.padding(toLength: 18, withPad: " ", startingAt: 0)) \(value)\n" }
        }
        let radius = blastRadius
        out += "\nblast radius\n"
        out += "  sites              \(radius.sites.isEmpty ? "—" : radius.sites.joined(separator: ", "))\n"
        out += "  vendors            \(radius.vendors.isEmpty ? "—" : radius.vendors.joined(separator: ", "))\n"
        out += "  depends on it      \(radius.supports.isEmpty ? "—" : radius.supports.joined(separator: ", "))\n"
        for record in records {
            let labels = record.verdicts.map { $0.label(places: record.sitesFoundAt.count) }
            out += "\n\(record.ruleID) (\(rules[record.ruleID]?.name ?? record.ruleID)) \(record.secretRedacted)"
            out += "  triage \(record.triage.total) \(record.severity.rawValue)" + (labels.isEmpty ? "" : "  [" + labels.joined(separator: "] [") + "]") + "\n"
            out += "  fingerprint \(record.fingerprint)" + (record.status.map { "  status \($0.rawValue)" } ?? "") + "\n"
            for place in record.places {
                out += "  \(place.current ? "now   " : "before") \(place.findingID)  \(place.path):\(place.line)"
                if !place.site.isEmpty { out += "  [\(place.site)]" }
                if let first = place.firstSeen { out += "  first \(first)" }
                if let last = place.lastSeen { out += "  last \(last)" }
                if let commit = place.commit { out += "  commit \(commit.prefix(12))" }
                out += "\n"
            }
        }
        out += "\nin order\n"
        for (number, step) in plan.enumerated() {
            out += "  \(number + 1). \(step.title)\n"
            for action in step.actions { out += "     - \(action)\n" }
        }
        return out
    }

    // MARK: JSON

    public static let schema = "custos-who/1"

    public func json() -> String {
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.field("schema", Self.schema)
        writer.field("question", question)
        writer.field("store", store)
        writer.field("found", found)
        writer.field("severity", severity?.rawValue)
        writer.field("verdicts", strings: verdicts.map(\.rawValue))
        if let owner = ownership { JSONReporter.write(owner, key: "ownership", camelCase: false, to: &writer) }
        let radius = blastRadius
        writer.beginObject(key: "blast_radius")
        writer.field("sites", strings: radius.sites)
        writer.field("vendors", strings: radius.vendors)
        writer.field("supports", strings: radius.supports)
        writer.endObject()
        writer.field("first_seen", firstSeen?.description)
        writer.field("last_seen", lastSeen?.description)
        writer.beginArray(key: "findings")
        for record in records {
            writer.beginObject()
            writer.field("fingerprint", record.fingerprint)
            writer.field("rule_id", record.ruleID)
            writer.field("rule_name", rules[record.ruleID]?.name ?? record.ruleID)
            writer.field("secret", record.secretRedacted)
            writer.field("identity", record.identity)
            writer.field("status", record.status?.rawValue)
            writer.field("severity", record.severity.rawValue)
            writer.field("verdicts", strings: record.verdicts.map(\.rawValue))
            JSONReporter.write(record.triage, to: &writer)
            writer.field("first_seen", record.firstSeen?.description)
            writer.field("last_seen", record.lastSeen?.description)
            writer.beginArray(key: "places")
            for place in record.places {
                writer.beginObject()
                writer.field("id", place.findingID)
                writer.field("path", place.path)
                writer.field("line", place.line)
                writer.field("site", place.site)
                writer.field("current", place.current)
                writer.field("first_seen", place.firstSeen?.description)
                writer.field("last_seen", place.lastSeen?.description)
                writer.field("commit", place.commit)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.beginArray(key: "plan")
        for step in plan {
            writer.beginObject()
            writer.field("step", step.title)
            writer.field("actions", strings: step.actions)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.output + "\n"
    }
}
