// CustosFuzzTargets: one function per decoder (and the rule engine) that takes arbitrary bytes
// and must neither trap, hang nor grow without bound. The libFuzzer executables in Fuzz/ call
// these functions under AddressSanitizer; `make test` calls the same functions on the seeds
// and a few thousand deterministic mutations of them (CustosFuzzTargetsTests), so a
// regression is caught without a sanitizer build. This target owns the entry points and their
// seeds; what each decoder does is CustosDecoders' and CustosEngine's. The trade-off: targets
// call public API as the scan pipeline does, not internals, so a crash found here is one a
// scanned file can cause.

import CustosBuiltinRules
import CustosCore
import CustosDecoders
import CustosEngine
import CustosRules
import Foundation

/// A fuzz target: a name (`fuzz-archives` is the executable of `.archives`) and a function.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case archives
    case xmlEntities = "xml-entities"
    case logixEscapes = "logix-escapes"
    case utf16
    case base64
    case sqliteCells = "sqlite-cells"
    case delimitedTables = "delimited-tables"
    case logicalPaths = "logical-paths"
    case scl
    case nodeRedCredentials = "node-red-credentials"
    case ruleEngine = "rule-engine"
    case namedValues = "named-values"

    /// Inputs larger than this are cut (libFuzzer's `-max_len` says the same).
    public var maxInputLength: Int {
        switch self {
        case .archives, .sqliteCells: 256 * 1024
        default: 64 * 1024
        }
    }

    /// Runs the target on one input. Anything but returning is a bug: a trap, a sanitizer
    /// report, a hang (libFuzzer's `-timeout`) or runaway memory (`-rss_limit_mb`).
    public func run(_ input: UnsafeRawBufferPointer) {
        let bytes = UnsafeRawBufferPointer(rebasing: input.prefix(maxInputLength))
        switch self {
        case .archives: Self.archives(bytes)
        case .xmlEntities:
            if XMLEntities.worthDecoding(bytes) || bytes.first == UInt8(ascii: "&") {
                _ = XMLEntities.decode(bytes)
            }
        case .logixEscapes:
            _ = LogixEscapes.decode(bytes)
        case .utf16:
            _ = TextEncoding.sniffUTF16(bytes).map { $0.transcode(bytes) }
            for encoding in [TextEncoding.utf16LittleEndian(bom: false), .utf16BigEndian(bom: true)] {
                _ = encoding.transcode(bytes)
            }
        case .base64: Self.base64(bytes)
        case .sqliteCells: Self.sqliteCells(bytes)
        case .delimitedTables:
            _ = DelimitedTable.derive(bytes)
        case .logicalPaths: Self.logicalPaths(bytes)
        case .scl:
            if SimaticSCL.applies(to: bytes, name: "block.xml") || bytes.count < 4096 {
                _ = SimaticSCL.derive(bytes)
            }
        case .nodeRedCredentials: Self.nodeRed(bytes)
        case .ruleEngine: Self.ruleEngine(bytes)
        case .namedValues: NamedValuesTarget.run(bytes)
        }
    }

    public func run(_ input: [UInt8]) {
        input.withUnsafeBytes { run($0) }
    }

    /// Called once by libFuzzer before the first input: with `CUSTOS_FUZZ_WRITE_SEEDS=DIR`
    /// set, writes the seeds into DIR and exits (that is how `make fuzz` makes its corpora);
    /// otherwise builds what the target needs up front, so no input pays for it.
    public func prepareForFuzzing() {
        if let folder = ProcessInfo.processInfo.environment["CUSTOS_FUZZ_WRITE_SEEDS"] {
            do {
                try FuzzSeeds.write(for: self, to: URL(fileURLWithPath: folder))
                exit(0)
            } catch {
                fatalError("cannot write the seeds to \(folder): \(error)")
            }
        }
        if self == .ruleEngine { _ = RuleEngineTarget.scanner }
        if self == .namedValues { _ = NamedValuesTarget.scanner }
    }

    /// Limits for fuzzing: the shipped ones, with a deadline short enough that libFuzzer's
    /// own timeout only fires when a decoder ignores it.
    static let limits: DecodeBudget.Limits = {
        var limits = DecodeBudget.Limits()
        limits.timeLimit = .seconds(5)
        limits.minimumExpandedBytes = 64 << 20
        return limits
    }()

    private static func archives(_ bytes: UnsafeRawBufferPointer) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        // The name makes old tar headers recognisable and names a compressed stream's file.
        let budget = DecodeBudget(limits: limits, sourceBytes: bytes.count)
        var members = 0
        _ = ArchiveReader.forEachMember(of: .bytes(bytes), name: "fuzz.tar", budget: budget) { header, reader in
            members += 1
            // Every other member is read to its end, the rest only begun: both paths of the
            // reader (and libarchive's skipping) are exercised.
            if members % 2 == 1 {
                while try reader.read(into: chunk) > 0 {}
            } else {
                _ = try reader.read(into: chunk)
            }
            _ = header.path
        }
    }

    private static func base64(_ bytes: UnsafeRawBufferPointer) {
        let runs = Base64Values.runs(in: bytes)
        _ = Base64Values.derive(bytes, runs: runs)
        if Base64Values.isCandidate(bytes) {
            _ = Base64Values.decodedText(bytes)
            _ = Base64Values.derive(bytes, runs: [0..<bytes.count])
        }
    }

    private static func sqliteCells(_ bytes: UnsafeRawBufferPointer) {
        let budget = DecodeBudget(limits: limits, sourceBytes: bytes.count)
        var cells = 0
        try? SQLiteCells.forEachRow(in: bytes, budget: budget) { row in
            for cell in row.cells { cells += cell.text.count > 0 ? 1 : 0 }
            _ = row.location(of: row.cells.first?.column ?? "")
        }
    }

    private static func logicalPaths(_ bytes: UnsafeRawBufferPointer) {
        // Offsets named by the input's first bytes, and a spread over the whole input.
        var offsets = stride(from: 0, through: bytes.count, by: max(1, bytes.count / 16)).map { $0 }
        for index in 0..<min(4, bytes.count) { offsets.append(Int(bytes[index]) * max(1, bytes.count / 255)) }
        offsets = offsets.filter { $0 < bytes.count }
        for structure in [LogicalPaths.Structure.xml, .json, .plcSource] {
            _ = LogicalPaths.paths(for: offsets, in: bytes, structure: structure)
        }
        _ = LogicalPaths.structure(of: bytes, name: "export.json")
    }

    private static func nodeRed(_ bytes: UnsafeRawBufferPointer) {
        let data = Data(bytes)
        if case let .encrypted(payload) = NodeRedCredentials.parse(data) {
            _ = NodeRedCredentials.decrypt(payload, secret: "fuzz")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        _ = NodeRedCredentials.secrets(in: text)
        _ = NodeRedCredentials.decrypt(text, secret: "fuzz")
    }

    private static func ruleEngine(_ bytes: UnsafeRawBufferPointer) {
        var sink = FindingSink()
        sink.beginBlob()
        RuleEngineTarget.scanner.scan(bytes, region: BlobRegion(origin: .file("fuzz.txt")), into: &sink)
        for finding in sink.findings {
            _ = finding.fingerprint
        }
    }
}

/// The built-in rules compiled once for the rule-engine target.
enum RuleEngineTarget {
    // A fuzz target runs on one thread (libFuzzer's loop, or the smoke test's), so the one
    // scanner with its scratch space is never used by two threads at once.
    nonisolated(unsafe) static let scanner: SecretScanner = {
        do {
            return try Engine(ruleSet: RuleSet(RuleLoader.builtin()), cacheDirectory: nil, namedValues: .standard).makeScanner()
        } catch {
            fatalError("the built-in rules do not compile: \(error)")
        }
    }()
}

/// The named-value extractors over arbitrary text: the input's first byte picks the file name
/// (so every extractor's claim is reached), the rest is the text.
public enum NamedValuesTarget {
    /// Names that each claim a different set of extractors.
    public static let fileNames: [Substring] = [
        "config.xml", "Program.L5X", "settings.json", "values.yaml", "docker-compose.yml", "main.st", "setup.sql",
        "deploy.sh", "app.py", "Service.cs", "users.csv", "passwords.txt", ".htpasswd", "router.cfg", "app.ini",
        ".env", "application.properties", "export.reg", "document.xml", "README.md", "notes.txt", "web.config",
        "Dockerfile", "config.txt",
    ]

    static let scanner: NamedValueScanner = {
        do {
            return NamedValueScanner(vocabulary: try VocabularyLoader.builtin().vocabulary)
        } catch {
            fatalError("the built-in vocabulary does not load: \(error)")
        }
    }()

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let selector = bytes.first else { return }
        let name = fileNames[Int(selector) % fileNames.count]
        let text = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        for value in scanner.classify(in: text, fileName: name) {
            _ = scanner.reportable(value.verdict)
            precondition(value.named.valueSpan.upperBound <= text.count, "a value's span lies outside its text")
        }
    }

    /// The selector byte whose file name ends like `name`, else 0.
    static func selector(for name: String) -> UInt8 {
        let lowered = name.lowercased()
        let index = fileNames.firstIndex { lowered.hasSuffix($0.lowercased()) }
            ?? fileNames.firstIndex { lowered.hasSuffix(($0.split(separator: ".").last ?? "").lowercased()) } ?? 0
        return UInt8(index)
    }
}
