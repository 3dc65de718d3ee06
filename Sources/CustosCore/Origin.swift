/// Where a blob's bytes came from: the thing a person opens to see them, through any depth of
/// containers. Rendering an origin for people (`backup.gwbk!/projects/x/code.py`) happens here
/// and nowhere else; code never builds or takes apart location strings.
public indirect enum Origin: Sendable, Hashable {
    /// A file, by the path the user named (the scan root joined with the path below it).
    case file(String)
    /// Standard input (`custos scan -`).
    case standardInput
    /// A blob in git history, named by the path it had where it was found.
    case gitBlob(id: String, path: String)
    /// A member of an archive (zip, tar, gzip, …), by its path inside the archive.
    case archiveMember(parent: Origin, name: String)
    /// A cell of a SQLite database.
    case databaseCell(parent: Origin, cell: DatabaseCell)

    /// The name findings in standard input are reported under.
    public static let standardInputName = "stdin"
    /// What separates a container from what it holds in rendered locations.
    public static let memberSeparator = "!/"

    /// The location as people read it: `plant/backup.gwbk!/db_backup_sqlite.idb!/DATASOURCES.PASSWORD[2]`.
    public var display: String {
        switch self {
        case let .file(path): path
        case .standardInput: Self.standardInputName
        case let .gitBlob(_, path): path
        case let .archiveMember(parent, name): parent.display + Self.memberSeparator + name
        case let .databaseCell(parent, cell): parent.display + Self.memberSeparator + cell.description
        }
    }

    /// The outermost thing that exists on its own: a file, standard input or a git blob.
    public var artifact: Origin {
        switch self {
        case .file, .standardInput, .gitBlob: self
        case let .archiveMember(parent, _), let .databaseCell(parent, _): parent.artifact
        }
    }

    /// The path of the outermost artifact (a file path, a blob's path, `stdin`).
    public var artifactPath: String { artifact.display }

    /// Whether this origin lies inside a container (an archive member, a database cell).
    public var isInsideContainer: Bool {
        switch self {
        case .file, .standardInput, .gitBlob: false
        case .archiveMember, .databaseCell: true
        }
    }

    /// The chain inside the artifact, outermost first: `["db_backup_sqlite.idb", "DATASOURCES.PASSWORD[2]"]`.
    public var containerChain: [String] {
        switch self {
        case .file, .standardInput, .gitBlob: []
        case let .archiveMember(parent, name): parent.containerChain + [name]
        case let .databaseCell(parent, cell): parent.containerChain + [cell.description]
        }
    }

    /// Containers nested above this origin (0 for a file).
    public var depth: Int {
        switch self {
        case .file, .standardInput, .gitBlob: 0
        case let .archiveMember(parent, _), let .databaseCell(parent, _): parent.depth + 1
        }
    }

    /// The same chain under another artifact: a blob found under one path in a diff is
    /// reported under each path that holds it.
    public func replacingArtifact(with artifact: Origin) -> Origin {
        switch self {
        case .file, .standardInput, .gitBlob: artifact
        case let .archiveMember(parent, name): .archiveMember(parent: parent.replacingArtifact(with: artifact), name: name)
        case let .databaseCell(parent, cell): .databaseCell(parent: parent.replacingArtifact(with: artifact), cell: cell)
        }
    }

    /// The git blob id of the artifact, when it is one.
    public var gitBlobID: String? {
        if case let .gitBlob(id, _) = artifact { return id }
        return nil
    }

    /// The last path component of what this origin names (a member's or file's name), used to
    /// pick decoders and rules by file name.
    public var fileName: Substring {
        let whole: Substring = switch self {
        case let .file(path): path[...]
        case .standardInput: Self.standardInputName[...]
        case let .gitBlob(_, path): path[...]
        case let .archiveMember(_, name): name[...]
        case .databaseCell: ""[...]
        }
        // Looked for as a byte: a search by Character walks grapheme clusters.
        if let slash = whole.utf8.lastIndex(of: UInt8(ascii: "/")) { return whole[whole.utf8.index(after: slash)...] }
        return whole
    }

    /// The path rules' `paths:` globs and ignore rules see: the display path.
    public var matchPath: String { display }
}

/// One cell of a SQLite table: `TABLE.COLUMN[rowid]`.
public struct DatabaseCell: Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var column: String
    public var row: Int64

    public init(table: String, column: String, row: Int64) {
        self.table = table
        self.column = column
        self.row = row
    }

    public var description: String { "\(table).\(column)[\(row)]" }
}
