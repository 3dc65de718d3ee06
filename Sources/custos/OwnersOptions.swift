import ArgumentParser
import CustosCore
import CustosEngine
import CustosOwners
import CustosRules
import CustosScan
import Foundation

/// Options that attach owners to findings, shared by the scanning commands.
struct OwnersOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The owners registry (default: .custos/owners.yaml in the first scanned folder).", valueName: "file"))
    var owners: String?

    @Flag(name: .long, help: "Attribute owners but judge no governance verdicts (unowned, shared, expired, ...).")
    var noGovernance = false

    @Option(name: .customLong("site"), help: ArgumentHelp("Name a folder as a site (a place for shared credentials; paths: selectors match relative to it); repeatable. Registry sites come first. A bare NAME names the plant every root belongs to (and the site `sweep --publish` publishes as).", valueName: "name=path|name"))
    var siteArguments: [String] = []

    /// `--site NAME=PATH` as sites; a bare `--site NAME` names every root as that site.
    func sites(roots: [String] = []) throws -> [Site] {
        try siteArguments.flatMap { argument -> [Site] in
            guard let equals = argument.firstIndex(of: "=") else {
                guard !argument.isEmpty else { throw ValidationError("--site needs a name") }
                return roots.map { Site(id: argument, root: $0) }
            }
            guard equals != argument.startIndex, argument.index(after: equals) != argument.endIndex else {
                throw ValidationError("--site takes NAME=PATH (a site's name and its folder) or NAME (the plant's name), not '\(argument)'")
            }
            return [Site(id: String(argument[..<equals]), root: String(argument[argument.index(after: equals)...]))]
        }
    }

    /// The plant's name: the one `--site NAME` given without a folder.
    func plantName() throws -> String? {
        let bare = siteArguments.filter { !$0.contains("=") }
        guard bare.count <= 1 else {
            throw ValidationError("--site NAME names the plant once; got \(bare.joined(separator: ", "))")
        }
        return bare.first
    }

    /// The registry named by --owners, else the default one under the first root, else nil.
    func registry(roots: [String]) throws -> OwnersRegistry? {
        let path = owners ?? roots.first.map { PathText.join($0, ".custos/owners.yaml") }
        guard let path else { return nil }
        if owners == nil && !FileManager.default.fileExists(atPath: path) { return nil }
        do {
            return try OwnersRegistryLoader.load(path: path)
        } catch {
            throw fatal("\(error)")
        }
    }

    /// Attaches places, ownership (when a registry or a CODEOWNERS file exists) and governance
    /// verdicts. `pathsRelativeToRoot`: findings' paths are already relative to the root (git
    /// history). Scan roots and `--site`s are places, so a secret under two roots is shared
    /// even without a registry.
    func apply(to result: ScanResult, roots: [String], rules: RuleSet, pathsRelativeToRoot: Bool = false) throws -> ScanResult {
        let registry = try registry(roots: roots)
        let scanRoots = roots.filter { $0 != "-" }.map { root in
            ScanRoot(displayPath: pathsRelativeToRoot ? "" : Self.displayRoot(root), path: root, name: Self.rootName(root),
                     codeOwners: CodeOwners.find(in: root))
        }
        let ownersKnown = registry != nil || scanRoots.contains(where: { $0.codeOwners != nil })
        let resolver = OwnershipResolver(registry: registry ?? OwnersRegistry(), roots: scanRoots, extraSites: try sites(roots: scanRoots.map(\.path)))
        var result = result
        result.findings = GovernanceAnalysis(resolver: resolver, vendorRuleIDs: rules.vendorRuleIDs, ownersKnown: ownersKnown)
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
    /// Every rule a report may describe: the detection rules and the decoders that find
    /// credentials themselves.
    var reportedRules: [RuleInfo] {
        rules.map(\.info) + NodeRedAnalysis.rules + NamedValueRule.rules
    }

    /// Rules whose findings are vendor or remote-access credentials by nature.
    var vendorRuleIDs: Set<String> {
        Set(rules.filter { $0.traits.contains(.vendor) }.map(\.id)).union(NamedValueRule.rules.filter { $0.traits.contains(.vendor) }.map(\.id))
    }
}

/// When a scan exits with findings (`--fail-on`): any finding, or only findings with one of
/// the verdicts named.
enum FailCondition: Hashable, ExpressibleByArgument {
    case any
    case verdict(GovernanceVerdict)

    init?(argument: String) {
        if argument == "any" {
            self = .any
        } else if let verdict = GovernanceVerdict(rawValue: argument) {
            self = .verdict(verdict)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { ["any"] + GovernanceVerdict.allCases.map(\.rawValue) }

    /// Whether `finding` trips any of `conditions` (none given: any finding does).
    static func fails(_ finding: Finding, on conditions: [FailCondition]) -> Bool {
        conditions.isEmpty || conditions.contains { condition in
            switch condition {
            case .any: true
            case let .verdict(verdict): finding.verdicts.contains(verdict)
            }
        }
    }
}
