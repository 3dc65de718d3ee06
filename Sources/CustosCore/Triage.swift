// The triage score: one documented order for every people report. Plain arithmetic over a
// finding's record, so reports, the sweep and `custos who` agree; the weights are the README's
// "Triage order" table. Kept additive (not a product or a model) so a person can check it by hand.

/// What to act on first: one documented score that orders every people report (the text
/// report by owner, the by-owner pages, the sweep report, `custos who`). Plain points that add
/// up, so a person can check an order by hand; the README's "Triage order" table is this code.
///
/// - **severity**: the rule's confidence raised by the verdicts — low 10, medium 20, high 30,
///   critical 120 (a break-glass account is critical), so a critical finding always comes first.
/// - **exposure**: in git history 15 (every clone holds it; editing the file does not remove
///   it), in a file on a share or tree 10, and 10 for each further site it is found at (at most 30).
/// - **blast radius**: 5 for each site, vendor and supported asset or workflow the identity
///   touches (at most 25).
/// - **revocation impact**: shutdown-window 15, coordinate 10, not registered 5, safe 0 —
///   the harder the revocation, the sooner its coordination must start.
///
/// Higher goes first; ties go by path, so the order is the same on every run.
public struct TriageScore: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var severity: Int
    public var exposure: Int
    public var blastRadius: Int
    public var revocationImpact: Int

    public var total: Int { severity + exposure + blastRadius + revocationImpact }

    public init(severity: Severity, inGitHistory: Bool, inFiles: Bool, sitesFoundAt: Int,
                sitesTouched: Int, vendors: Int, supports: Int, impact: RevocationImpact?) {
        self.severity = switch severity {
        case .low: 10
        case .medium: 20
        case .high: 30
        case .critical: 120
        }
        exposure = (inGitHistory ? 15 : 0) + (inFiles ? 10 : 0) + min(30, 10 * max(0, sitesFoundAt - 1))
        blastRadius = min(25, 5 * (max(0, sitesTouched) + max(0, vendors) + max(0, supports)))
        revocationImpact = switch impact {
        case .shutdownWindow: 15
        case .coordinate: 10
        case nil: 5
        case .safe: 0
        }
    }

    public static func < (lhs: TriageScore, rhs: TriageScore) -> Bool { lhs.total < rhs.total }

    /// `72 (severity 30 + exposure 20 + blast radius 10 + revocation impact 12)`.
    public var description: String {
        "\(total) (severity \(severity) + exposure \(exposure) + blast radius \(blastRadius) + revocation impact \(revocationImpact))"
    }
}
