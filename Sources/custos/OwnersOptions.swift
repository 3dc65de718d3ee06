import ArgumentParser
import CustosCore
import CustosOwners
import CustosRules
import CustosScan
import Foundation

/// Options that attach owners to findings, shared by the scanning commands.
struct OwnersOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The owners registry (default: .custos/owners.yaml in the first scanned folder).", valueName: "file"))
    var owners: String?

    @Flag(name: .long, help: "Attribute owners but raise no governance findings (unowned, shared, expired, ...).")
    var noGovernance = false

    /// The registry named by --owners, else the default one under the first root, else nil.
    func registry(roots: [String]) throws -> OwnersRegistry? {
        let path = owners ?? roots.first.map { ($0 as NSString).appendingPathComponent(".custos/owners.yaml") }
        guard let path else { return nil }
        if owners == nil && !FileManager.default.fileExists(atPath: path) { return nil }
        do {
            return try OwnersRegistryLoader.load(path: path)
        } catch {
            throw fatal("\(error)")
        }
    }

    /// Attaches ownership and governance findings when a registry or a CODEOWNERS file exists.
    /// `pathsRelativeToRoot`: findings' paths are already relative to the root (git history).
    func apply(to result: ScanResult, roots: [String], rules: RuleSet, pathsRelativeToRoot: Bool = false) throws -> ScanResult {
        let registry = try registry(roots: roots)
        let scanRoots = roots.map { root in
            ScanRoot(displayPath: pathsRelativeToRoot ? "" : Self.displayRoot(root), name: Self.rootName(root),
                     codeOwners: CodeOwners.find(in: root))
        }
        guard registry != nil || scanRoots.contains(where: { $0.codeOwners != nil }) else { return result }
        let resolver = OwnershipResolver(registry: registry ?? OwnersRegistry(), roots: scanRoots)
        let vendorRules = Set(rules.rules.filter { $0.traits.contains(.vendor) }.map(\.id))
        var result = result
        result.findings = GovernanceAnalysis(resolver: resolver, vendorRuleIDs: vendorRules)
            .apply(to: result.findings, governance: !noGovernance)
        result.summary.findings = result.findings.count
        return result
    }

    /// The root as findings' paths begin with it.
    static func displayRoot(_ root: String) -> String {
        var root = root
        while root.hasPrefix("./") { root.removeFirst(2) }
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        return root == "." ? "" : root
    }

    /// A readable name for a root: its last path component (the share or repository name).
    static func rootName(_ root: String) -> String {
        let absolute = URL(fileURLWithPath: root).standardizedFileURL
        return absolute.lastPathComponent.isEmpty ? root : absolute.lastPathComponent
    }
}

extension RuleSet {
    /// Every rule a report may describe: the detection rules, the decoders that find
    /// credentials themselves and the governance checks.
    var reportedRules: [RuleInfo] {
        rules.map(\.info) + NodeRedAnalysis.rules + GovernanceRule.rules
    }
}
