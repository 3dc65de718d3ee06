/// Where a finding stands in the lifecycle of periodic sweeps.
public enum FindingStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// First seen in the latest sweep.
    case new
    /// Seen before and still there.
    case open
    /// No place holds it any more.
    case resolved
    /// Resolved once and back in the latest sweep.
    case reopened

    /// Whether it needs someone's attention (everything not resolved).
    public var isOpen: Bool { self != .resolved }

    /// Whether the latest sweep brought it (new or back again).
    public var isNews: Bool { self == .new || self == .reopened }
}
