/// The kinds of non-human identity a registry names.
public enum IdentityKind: String, Sendable, Hashable, Codable, CaseIterable {
    case serviceAccount = "service-account"
    case machine
    case apiToken = "api-token"
    case vendorRemoteAccess = "vendor-remote-access"
    case sharedAccount = "shared-account"
    case breakGlass = "break-glass"
}
