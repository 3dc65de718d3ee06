import CustosCore
import Foundation

// `custos owners import`: the service-account inventory a plant really keeps (a spreadsheet
// exported as CSV) turned into a registry file. A column mapping says which column holds
// which registry field; common header names are recognised without one. People cells
// ("Name <phone>") become contacts. The output is checked by the registry loader before it is
// handed back, so what is written always loads. Bounded: rows, fields and cell sizes.

/// The registry fields an inventory column can fill.
public enum InventoryField: String, Sendable, CaseIterable {
    case id, kind, description, owner
    case secondaryOwner = "secondary_owner"
    case contact
    case revocationAuthority = "revocation_authority"
    case revocationProcedure = "revocation_procedure"
    case impact, fallback
    case keepReachable = "keep_reachable"
    case supports, sites, vendor, created, expires
    case rotateBy = "rotate_by"
    case accessFrom = "access_from"
    case accessUntil = "access_until"
    /// The account or key name a finding names (match.identities).
    case account
    case rules, paths, fingerprints, escalation, approver, revoker
    case businessOwner = "business_owner"
    case vendorContact = "vendor_contact"

    /// Header names recognised without a mapping (compared lowercased, without spaces, dashes
    /// and underscores).
    var synonyms: [String] {
        switch self {
        case .id: ["id", "identityid", "identity"]
        case .kind: ["kind", "type", "accounttype", "identitykind"]
        case .description: ["description", "purpose", "usedfor", "notes"]
        case .owner: ["owner", "ownerteam", "primaryowner", "responsible", "team"]
        case .secondaryOwner: ["secondaryowner", "deputy", "backupowner"]
        case .contact: ["contact", "owneremail", "email", "ownercontact"]
        case .revocationAuthority: ["revocationauthority", "mayrevoke", "authority"]
        case .revocationProcedure: ["revocationprocedure", "procedure", "runbook", "howtorevoke"]
        case .impact: ["impact", "revocationimpact"]
        case .fallback: ["fallback", "workaround"]
        case .keepReachable: ["keepreachable", "mustremainreachable"]
        case .supports: ["supports", "asset", "assets", "system", "systems", "usedby", "workflow"]
        case .sites: ["site", "sites", "plant", "plants", "location"]
        case .vendor: ["vendor", "supplier", "integrator"]
        case .created: ["created", "createdon", "issued"]
        case .expires: ["expires", "expiry", "expirydate", "validuntil"]
        case .rotateBy: ["rotateby", "nextrotation", "rotationdue"]
        case .accessFrom: ["accessfrom", "accessstart", "windowstart"]
        case .accessUntil: ["accessuntil", "accessend", "windowend"]
        case .account: ["account", "serviceaccount", "accountname", "username", "user", "login", "keyid"]
        case .rules: ["rules", "rule"]
        case .paths: ["paths", "path"]
        case .fingerprints: ["fingerprints", "fingerprint", "sha256"]
        case .escalation: ["escalation", "escalate", "oncall"]
        case .approver: ["approver", "approvedby"]
        case .revoker: ["revoker"]
        case .businessOwner: ["businessowner"]
        case .vendorContact: ["vendorcontact", "suppliercontact"]
        }
    }

    /// Cells that hold several values, separated by `;`, `|` or line breaks.
    var isList: Bool {
        switch self {
        case .keepReachable, .supports, .sites, .rules, .paths, .fingerprints, .escalation, .account: true
        default: false
        }
    }
}

/// A problem with the inventory as a whole (one bad row is a warning, not this).
public struct InventoryError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Which column fills which field.
public struct InventoryMapping: Sendable {
    /// Field → column header, as the user wrote them.
    public var columns: [InventoryField: String] = [:]
    /// The kind of rows that do not say.
    public var defaultKind: IdentityKind = .serviceAccount

    public init(columns: [InventoryField: String] = [:], defaultKind: IdentityKind = .serviceAccount) {
        self.columns = columns
        self.defaultKind = defaultKind
    }

    /// `FIELD=COLUMN` as `--map` takes it.
    public mutating func add(_ text: String) throws(InventoryError) {
        guard let equals = text.firstIndex(of: "="), let field = InventoryField(rawValue: String(text[..<equals]).trimmed) else {
            throw InventoryError(description: "--map takes FIELD=COLUMN with FIELD one of \(InventoryField.allCases.map(\.rawValue).joined(separator: ", ")); got '\(text)'")
        }
        columns[field] = String(text[text.index(after: equals)...]).trimmed
    }
}

/// The inventory as a registry file.
public struct InventoryImport: Sendable {
    public var yaml: String
    public var identities: Int
    public var contacts: Int
    /// Row problems (`row 7: …`): the row or the field was left out.
    public var warnings: [String]

    static let maxRows = 100_000
    static let maxCellBytes = 65_536

    /// Reads CSV `text` (comma, semicolon or tab separated, as the first line shows) into a
    /// registry; `source` names the file in messages.
    public static func run(csv text: String, mapping: InventoryMapping, source: String) throws(InventoryError) -> InventoryImport {
        let rows = try CSVTable.parse(text, maxRows: maxRows, maxCellBytes: maxCellBytes)
        guard let header = rows.first else { throw InventoryError(description: "\(source) is empty: expected a header line and one row per identity") }
        let normalized = header.map { $0.normalizedHeader }
        var columnOf: [InventoryField: Int] = [:]
        for (field, name) in mapping.columns {
            guard let index = header.firstIndex(where: { $0.trimmed == name }) ?? normalized.firstIndex(of: name.normalizedHeader) else {
                throw InventoryError(description: "\(source): --map \(field.rawValue)=\(name): no column '\(name)'; the columns are \(header.joined(separator: ", "))")
            }
            columnOf[field] = index
        }
        for field in InventoryField.allCases where columnOf[field] == nil {
            if let index = normalized.firstIndex(where: { field.synonyms.contains($0) }), !columnOf.values.contains(index) {
                columnOf[field] = index
            }
        }
        guard columnOf[.owner] != nil else {
            throw InventoryError(description: "\(source): no owner column (looked for \(InventoryField.owner.synonyms.joined(separator: ", "))): map one with --map owner=COLUMN")
        }
        guard columnOf[.id] != nil || columnOf[.account] != nil else {
            throw InventoryError(description: "\(source): neither an id nor an account column: map one with --map id=COLUMN or --map account=COLUMN")
        }
        var builder = RegistryWriter()
        var warnings: [String] = []
        var usedIDs = Set<String>()
        for (offset, row) in rows.dropFirst().enumerated() where !row.allSatisfy({ $0.trimmed.isEmpty }) {
            let number = offset + 2
            func cell(_ field: InventoryField) -> String? {
                guard let index = columnOf[field], index < row.count else { return nil }
                let value = row[index].trimmed
                return value.isEmpty ? nil : value
            }
            func list(_ field: InventoryField) -> [String] {
                guard let value = cell(field) else { return [] }
                return value.split(whereSeparator: { $0 == ";" || $0 == "|" || $0.isNewline }).map { String($0).trimmed }.filter { !$0.isEmpty }
            }
            func day(_ field: InventoryField) -> IsoDay? {
                guard let value = cell(field) else { return nil }
                if let parsed = InventoryDates.parse(value) { return parsed }
                warnings.append("\(source): row \(number): \(field.rawValue) '\(value)' is not a date (YYYY-MM-DD or DD.MM.YYYY); left out")
                return nil
            }
            guard let owner = cell(.owner) else {
                warnings.append("\(source): row \(number): no owner; row left out")
                continue
            }
            let accounts = list(.account)
            var id = cell(.id).map(RegistryWriter.slug) ?? accounts.first.map(RegistryWriter.slug) ?? ""
            guard !id.isEmpty else {
                warnings.append("\(source): row \(number): no id and no account; row left out")
                continue
            }
            if !usedIDs.insert(id).inserted {
                var suffix = 2
                while usedIDs.contains("\(id)-\(suffix)") { suffix += 1 }
                warnings.append("\(source): row \(number): id '\(id)' is taken; named '\(id)-\(suffix)'")
                id = "\(id)-\(suffix)"
                usedIDs.insert(id)
            }
            var kind = mapping.defaultKind
            if let text = cell(.kind) {
                if let parsed = InventoryKinds.parse(text) { kind = parsed } else {
                    warnings.append("\(source): row \(number): kind '\(text)' is none of \(IdentityKind.allCases.map(\.rawValue).joined(separator: ", ")); taken as \(mapping.defaultKind.rawValue)")
                }
            }
            var impact: RevocationImpact?
            if let text = cell(.impact) {
                impact = RevocationImpact(rawValue: text.lowercased().replacingOccurrences(of: " ", with: "-"))
                if impact == nil { warnings.append("\(source): row \(number): impact '\(text)' is none of safe, coordinate, shutdown-window; left out") }
            }
            var fingerprints: [String] = []
            for value in list(.fingerprints) {
                let hex = value.lowercased()
                if hex.count == 64 && hex.allSatisfy(\.isHexDigit) { fingerprints.append(hex) } else {
                    warnings.append("\(source): row \(number): fingerprint '\(value.prefix(12))…' is not 64 hex digits; left out")
                }
            }
            var from = day(.accessFrom)
            var until = day(.accessUntil)
            if let start = from, let end = until, end < start {
                warnings.append("\(source): row \(number): access ends before it starts; window left out")
                from = nil
                until = nil
            }
            let escalation = list(.escalation).map { builder.contact($0) }
            let approver = cell(.approver).map { builder.contact($0) }
            let revoker = cell(.revoker).map { builder.contact($0) }
            let businessOwner = cell(.businessOwner).map { builder.contact($0) }
            let vendorContact = cell(.vendorContact).map { builder.contact($0) }
            builder.add(RegistryWriter.Entry(
                id: id, kind: kind, description: cell(.description), owner: owner, secondary: cell(.secondaryOwner),
                contact: cell(.contact), authority: cell(.revocationAuthority), procedure: cell(.revocationProcedure),
                impact: impact, fallback: cell(.fallback), keepReachable: list(.keepReachable), supports: list(.supports),
                sites: list(.sites).map(RegistryWriter.slug), vendor: cell(.vendor), created: day(.created), expires: day(.expires),
                rotateBy: day(.rotateBy), accessFrom: from, accessUntil: until,
                escalation: escalation, approver: approver, revoker: revoker,
                businessOwner: businessOwner, vendorContact: vendorContact,
                accounts: accounts, rules: list(.rules), paths: list(.paths), fingerprints: fingerprints,
                row: number))
        }
        let yaml = builder.render(source: source)
        do {
            _ = try OwnersRegistryLoader.parse(yaml: yaml, source: "imported registry")
        } catch {
            throw InventoryError(description: "the registry made from \(source) does not load (\(error)); this is a custos bug, please report it with the header line")
        }
        return InventoryImport(yaml: yaml, identities: builder.entries.count, contacts: builder.contacts.count, warnings: warnings)
    }
}

/// A small RFC 4180 reader: quoted fields with doubled quotes and line breaks inside, the
/// separator taken from the header line (comma, semicolon — what German Excel writes — or tab).
enum CSVTable {
    static func parse(_ text: String, maxRows: Int, maxCellBytes: Int) throws(InventoryError) -> [[String]] {
        var scalars = Substring(text)
        if scalars.hasPrefix("\u{FEFF}") { scalars.removeFirst() }
        let headerLine = scalars.prefix { $0 != "\n" && $0 != "\r\n" }
        func count(_ separator: Character) -> Int { headerLine.reduce(0) { $0 + ($1 == separator ? 1 : 0) } }
        let separator: Character = [",", ";", "\t"].max { count($0) < count($1) } ?? ","
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let character = scalars[index]
            index = scalars.index(after: index)
            if quoted {
                if character == "\"" {
                    if index < scalars.endIndex && scalars[index] == "\"" {
                        field.append("\"")
                        index = scalars.index(after: index)
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == separator {
                row.append(field)
                field = ""
            } else if character == "\n" || character == "\r\n" || character == "\r" {
                row.append(field)
                field = ""
                rows.append(row)
                row = []
                guard rows.count <= maxRows else { throw InventoryError(description: "more than \(maxRows) rows: split the inventory") }
            } else {
                field.append(character)
            }
            guard field.utf8.count <= maxCellBytes else {
                throw InventoryError(description: "line \(rows.count + 1): a cell longer than \(maxCellBytes) bytes (an unclosed quote?)")
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}

enum InventoryDates {
    /// YYYY-MM-DD, YYYY/MM/DD or DD.MM.YYYY (a time after a space is ignored).
    static func parse(_ text: String) -> IsoDay? {
        let date = String(text.split(separator: " ").first ?? "")
        if let day = IsoDay(date.replacingOccurrences(of: "/", with: "-")) { return day }
        let parts = date.split(separator: ".")
        if parts.count == 3, parts[2].count == 4 {
            let padded = parts.map { $0.count == 1 ? "0" + $0 : String($0) }
            return IsoDay("\(padded[2])-\(padded[1])-\(padded[0])")
        }
        return nil
    }
}

enum InventoryKinds {
    static func parse(_ text: String) -> IdentityKind? {
        let key = text.lowercased().filter { $0.isLetter }
        switch key {
        case "serviceaccount", "service", "svc", "technicalaccount", "technical": return .serviceAccount
        case "machine", "device", "host": return .machine
        case "apitoken", "token", "apikey", "key": return .apiToken
        case "vendorremoteaccess", "vendor", "remoteaccess", "vendoraccess", "supplier": return .vendorRemoteAccess
        case "sharedaccount", "shared", "group": return .sharedAccount
        case "breakglass", "emergency", "firecall": return .breakGlass
        default: return IdentityKind(rawValue: text.lowercased())
        }
    }
}

/// Writes a registry file: contacts first, then identities, every scalar double-quoted so no
/// cell can change the YAML's shape.
struct RegistryWriter {
    struct Entry {
        var id: String
        var kind: IdentityKind
        var description: String?
        var owner: String
        var secondary: String?
        var contact: String?
        var authority: String?
        var procedure: String?
        var impact: RevocationImpact?
        var fallback: String?
        var keepReachable: [String]
        var supports: [String]
        var sites: [String]
        var vendor: String?
        var created: IsoDay?
        var expires: IsoDay?
        var rotateBy: IsoDay?
        var accessFrom: IsoDay?
        var accessUntil: IsoDay?
        var escalation: [String]
        var approver: String?
        var revoker: String?
        var businessOwner: String?
        var vendorContact: String?
        var accounts: [String]
        var rules: [String]
        var paths: [String]
        var fingerprints: [String]
        var row: Int
    }

    private(set) var entries: [Entry] = []
    private(set) var contacts: [(id: String, name: String, reach: String)] = []

    mutating func add(_ entry: Entry) { entries.append(entry) }

    /// The contact id for a people cell (`Name <reach>`, `Name (reach)`, or an address alone),
    /// added on first sight.
    mutating func contact(_ text: String) -> String {
        var name = text.trimmed
        var reach = ""
        for (open, close) in [("<", ">"), ("(", ")")] {
            if let start = name.firstIndex(of: Character(open)), let end = name.lastIndex(of: Character(close)), start < end {
                reach = String(name[name.index(after: start)..<end]).trimmed
                name = String(name[..<start]).trimmed
                break
            }
        }
        if name.isEmpty { name = reach }
        if reach.isEmpty && (name.contains("@") || name.hasPrefix("+")) { reach = name }
        let id = Self.slug(name)
        if let existing = contacts.first(where: { $0.id == id }) { return existing.id }
        contacts.append((id, name, reach))
        return id
    }

    /// `Historian Collector (Plant A)` → `historian-collector-plant-a`.
    static func slug(_ text: String) -> String {
        var out = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                out.append(character)
            } else if !out.isEmpty && out.last != "-" {
                out.append("-")
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func list(_ values: [String]) -> String { "[" + values.map(quote).joined(separator: ", ") + "]" }

    func render(source: String) -> String {
        var out = "# Owners registry imported from \((source as NSString).lastPathComponent) by custos owners import.\n"
        out += "# Review it, add sites (root: or paths:), then check it: custos owners check FILE\n"
        if !contacts.isEmpty {
            out += "contacts:\n"
            for contact in contacts {
                out += "  - { id: \(Self.quote(contact.id)), name: \(Self.quote(contact.name))" + (contact.reach.isEmpty ? "" : ", reach: \(Self.quote(contact.reach))") + " }\n"
            }
        }
        out += "identities:\n"
        for entry in entries {
            out += "  - id: \(Self.quote(entry.id))   # row \(entry.row)\n"
            out += "    kind: \(entry.kind.rawValue)\n"
            if let description = entry.description { out += "    description: \(Self.quote(description))\n" }
            out += "    owner: \(Self.quote(entry.owner))\n"
            let roles = [("secondary", entry.secondary), ("approver", entry.approver), ("revoker", entry.revoker),
                         ("business_owner", entry.businessOwner), ("vendor_contact", entry.vendorContact)]
                .compactMap { key, value in value.map { (key, $0) } }
            if !roles.isEmpty {
                out += "    owners:\n" + roles.map { "      \($0.0): \(Self.quote($0.1))\n" }.joined()
            }
            if let contact = entry.contact { out += "    contact: \(Self.quote(contact))\n" }
            var revocation: [String] = []
            if let authority = entry.authority { revocation.append("authority: \(Self.quote(authority))") }
            if let procedure = entry.procedure { revocation.append("procedure: \(Self.quote(procedure))") }
            if let impact = entry.impact { revocation.append("impact: \(impact.rawValue)") }
            if let fallback = entry.fallback { revocation.append("fallback: \(Self.quote(fallback))") }
            if !entry.keepReachable.isEmpty { revocation.append("keep_reachable: \(Self.list(entry.keepReachable))") }
            if !revocation.isEmpty { out += "    revocation:\n" + revocation.map { "      \($0)\n" }.joined() }
            if !entry.escalation.isEmpty { out += "    escalation: \(Self.list(entry.escalation))\n" }
            if !entry.supports.isEmpty { out += "    supports: \(Self.list(entry.supports))\n" }
            if !entry.sites.isEmpty { out += "    sites: \(Self.list(entry.sites))\n" }
            if let vendor = entry.vendor { out += "    vendor: \(Self.quote(vendor))\n" }
            for (key, day) in [("created", entry.created), ("expires", entry.expires), ("rotate_by", entry.rotateBy)] {
                if let day { out += "    \(key): \"\(day)\"\n" }
            }
            if entry.accessFrom != nil || entry.accessUntil != nil {
                out += "    access: {" + [("from", entry.accessFrom), ("until", entry.accessUntil)]
                    .compactMap { key, day in day.map { " \(key): \"\($0)\"" } }.joined(separator: ",") + " }\n"
            }
            var match: [String] = []
            if !entry.fingerprints.isEmpty { match.append("fingerprints: \(Self.list(entry.fingerprints))") }
            if !entry.rules.isEmpty { match.append("rules: \(Self.list(entry.rules))") }
            if !entry.accounts.isEmpty { match.append("identities: \(Self.list(entry.accounts))") }
            if !entry.paths.isEmpty { match.append("paths: \(Self.list(entry.paths))") }
            if !match.isEmpty { out += "    match:\n" + match.map { "      \($0)\n" }.joined() }
        }
        return out
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }

    /// A header as compared with synonyms: lowercased, letters and digits only.
    var normalizedHeader: String { lowercased().filter { $0.isLetter || $0.isNumber } }
}
