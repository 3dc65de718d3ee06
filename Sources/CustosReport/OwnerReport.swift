import CustosCore

/// `custos report --by-owner`: one section per owner with their findings, the shared
/// credentials they are part of, and how to revoke — as Markdown and as a self-contained HTML
/// page (no scripts, no network) that opens from a share or an e-mail attachment.
public struct OwnerReport {
    public struct Section {
        public var owner: String
        public var findings: [Finding]
        public var shared: [Finding]
    }

    public let sections: [Section]
    let context: ReportContext

    static let sharedRule = "custos.shared-credential"

    public init(_ result: ScanResult, context: ReportContext) {
        self.context = context
        let shared = result.findings.filter { $0.ruleID == Self.sharedRule }
        let grouped = Dictionary(grouping: result.findings.filter { $0.ruleID != Self.sharedRule && !$0.ruleID.hasPrefix("custos.") }) {
            $0.ownership?.owner ?? ""
        }
        sections = grouped.keys.sorted().map { owner in
            let findings = grouped[owner] ?? []
            let secrets = Set(findings.map(\.secret))
            return Section(owner: owner, findings: findings, shared: shared.filter { secrets.contains($0.secret) })
        }
    }

    static func title(_ owner: String) -> String { owner.isEmpty ? "No registered owner" : owner }

    /// Revocation steps for one identity, from its ownership block.
    static func steps(_ ownership: Ownership?) -> [String] {
        guard let ownership, ownership.attributedBy != .none else {
            return ["Find who issued this credential (the provider's audit log names the account).",
                    "Revoke or rotate it at the provider, then register its owner and revocation authority in the owners registry."]
        }
        var steps: [String] = []
        if let authority = ownership.revocationAuthority {
            steps.append("Ask \(authority) to revoke it" + (ownership.revocationProcedure.map { " following \($0)" } ?? "") + ".")
        } else {
            steps.append("Nobody is named who may revoke it: agree on a revocation authority with \(ownership.owner ?? "the owner") first.")
        }
        if !ownership.escalation.isEmpty {
            steps.append("If unreachable, escalate in order: " + ownership.escalation.joined(separator: ", ") + ".")
        }
        steps.append("Remove the secret from every place listed and replace it with a reference to a secret store.")
        return steps
    }

    public func markdown() -> String {
        var out = "# custos findings by owner\n\n"
        for section in sections {
            out += "## \(Self.title(section.owner))\n\n"
            var identities = Set<String>()
            for ownership in section.findings.compactMap(\.ownership) where identities.insert(ownership.identityID ?? "-").inserted {
                if let identity = ownership.identityID {
                    out += "**Identity** `\(identity)`" + (ownership.kind.map { " (\($0.rawValue))" } ?? "") + "  \n"
                }
                if let contact = ownership.contact { out += "**Contact** \(contact)  \n" }
                out += "**May revoke** \(ownership.revocationAuthority ?? "nobody named")"
                    + (ownership.revocationProcedure.map { " — \($0)" } ?? "") + "  \n"
                if !ownership.escalation.isEmpty { out += "**Escalation** " + ownership.escalation.joined(separator: " → ") + "  \n" }
                out += "\n"
            }
            out += "| rule | location | secret | fingerprint |\n|---|---|---|---|\n"
            for finding in section.findings {
                out += "| \(finding.ruleID) | `\(finding.path):\(finding.start.line)` | `\(context.display.render(finding.secret))` | `\(finding.fingerprint.hex.prefix(16))` |\n"
            }
            if !section.shared.isEmpty {
                out += "\n**Shared credentials** (revoking one affects every place):\n\n"
                for shared in section.shared {
                    out += "- `\(context.display.render(shared.secret))`: " + shared.related.map { "\($0.place) `\($0.path):\($0.line)`" }.joined(separator: ", ") + "\n"
                }
            }
            out += "\n**How to revoke**\n\n"
            for (number, step) in Self.steps(section.findings.first?.ownership).enumerated() { out += "\(number + 1). \(step)\n" }
            out += "\n"
        }
        return out
    }

    public func html() -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>custos findings by owner</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
            h2{border-bottom:2px solid #555;padding-bottom:.2em}table{border-collapse:collapse;width:100%}
            td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;font-size:.9em}th{background:#eee}
            code{background:#f4f4f4;padding:0 .2em}.gap{color:#a00}</style></head><body>
            <h1>custos findings by owner</h1>

            """
        for section in sections {
            out += "<section><h2\(section.owner.isEmpty ? " class=\"gap\"" : "")>\(escape(Self.title(section.owner)))</h2>\n"
            if let ownership = section.findings.first?.ownership, ownership.attributedBy != .none {
                out += "<p>"
                if let identity = ownership.identityID { out += "Identity <code>\(escape(identity))</code>. " }
                if let contact = ownership.contact { out += "Contact: \(escape(contact)). " }
                out += "May revoke: \(escape(ownership.revocationAuthority ?? "nobody named"))"
                if let procedure = ownership.revocationProcedure { out += " — \(escape(procedure))" }
                out += ".</p>\n"
            }
            out += "<table><tr><th>rule</th><th>location</th><th>secret</th><th>fingerprint</th></tr>\n"
            for finding in section.findings {
                out += "<tr><td>\(escape(finding.ruleID))</td><td><code>\(escape(finding.path)):\(finding.start.line)</code></td><td><code>\(escape(context.display.render(finding.secret)))</code></td><td><code>\(finding.fingerprint.hex.prefix(16))</code></td></tr>\n"
            }
            out += "</table>\n"
            if !section.shared.isEmpty {
                out += "<h3>Shared credentials</h3><ul>\n"
                for shared in section.shared {
                    out += "<li><code>\(escape(context.display.render(shared.secret)))</code>: " + shared.related.map { escape("\($0.place) \($0.path):\($0.line)") }.joined(separator: ", ") + "</li>\n"
                }
                out += "</ul>\n"
            }
            out += "<h3>How to revoke</h3><ol>\n"
            for step in Self.steps(section.findings.first?.ownership) { out += "<li>\(escape(step))</li>\n" }
            out += "</ol></section>\n"
        }
        return out + "</body></html>\n"
    }
}
