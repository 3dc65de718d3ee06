import CVectorscan
import Foundation

/// Which of Vectorscan's code paths custos runs, and the platform it compiles for.
///
/// Debian's libhs is a "fat" build that picks AVX-512, AVX2, SSE4.2 or SSE2 code at run time.
/// Its AVX-512 paths (5.4.9) miss matches: `(?:API_KEY|ACCESS_KEY|APIKEY|TOKEN|SECRET)=` finds
/// nothing once about 75 bytes precede it; `x[^>]*>\s<Data` nothing once the run passes 100
/// bytes; the AVX2 path misses `x.*y\s<Data` from 55. The SSE4.2 path found every one of
/// 133,870 generated variants of the shipped rules' examples (stretched runs, long prefixes)
/// and scans about 8 % slower than AVX-512 on this corpus. A missed candidate is a missed
/// secret, so custos compiles for plain x86-64 and calls the SSE4.2 entry point directly;
/// where a build has no such entry point, it falls back to the dispatching `hs_scan`.
enum VectorscanRuntime {
    typealias ScanFunction = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UInt32, UInt32,
                                             OpaquePointer?, match_event_handler?, UnsafeMutableRawPointer?) -> hs_error_t

    /// The SSE4.2 (`corei7`) scan of a fat build, when the library exports it.
    static let pinnedScan: ScanFunction? = {
        guard cpuHasSSE42, let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "corei7_hs_scan") else { return nil }
        return unsafeBitCast(symbol, to: ScanFunction.self)
    }()

    /// Whether the processor runs SSE4.2 code (every x86-64 since 2008; checked, not assumed).
    private static var cpuHasSSE42: Bool {
        #if arch(x86_64) && os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        return info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("sse4_2") ?? false
        #else
        return false
        #endif
    }

    /// Names the code path for the cache key and for diagnostics.
    static var name: String { pinnedScan == nil ? "dispatch" : "corei7" }

    /// The platform databases are compiled for: no AVX features when the scan is pinned.
    static func platform() -> hs_platform_info_t {
        var platform = hs_platform_info_t()
        hs_populate_platform(&platform)
        if pinnedScan != nil {
            platform.cpu_features = 0
            platform.tune = UInt32(HS_TUNE_FAMILY_GENERIC)
        }
        return platform
    }

    /// Scans `length` bytes with the chosen code path.
    static func scan(_ database: OpaquePointer, _ bytes: UnsafePointer<CChar>, _ length: UInt32,
                     _ scratch: OpaquePointer, _ handler: match_event_handler, _ context: UnsafeMutableRawPointer) -> hs_error_t {
        if let pinnedScan {
            return pinnedScan(database, bytes, length, 0, scratch, handler, context)
        }
        return hs_scan(database, bytes, length, 0, scratch, handler, context)
    }
}

/// All rule patterns compiled into one Vectorscan block-mode database: one pass over a buffer
/// reports candidate end offsets for every rule at once.
///
/// `@unchecked Sendable`: an `hs_database_t` is read-only once compiled or deserialized, and
/// Vectorscan documents it as safe to scan from many threads, each with its own scratch.
final class PatternDatabase: @unchecked Sendable {
    let database: OpaquePointer
    /// A scratch prototype that workers clone.
    private let prototypeScratch: OpaquePointer

    /// How each rule was compiled: exactly, or as a looser prefilter that PCRE2 corrects.
    let prefiltered: [Bool]
    /// How many bytes before a candidate end the match may start (Vectorscan's max width,
    /// capped): the confirming search starts there.
    let lookback: [Int]

    /// The cap on look-back for unbounded patterns, and the overlap between chunks of a
    /// large file, so no match is cut at a chunk boundary.
    static let maxLookback = 16 * 1024

    /// Loads the database compiled when custos was built for these patterns (unless
    /// `usingPrebuilt` is false), else the cache's, else compiles and caches it.
    init(patterns: [String], cacheDirectory: URL?, usingPrebuilt: Bool = true) throws(EngineError) {
        let key = Self.cacheKey(patterns: patterns)
        let cacheFile = cacheDirectory?.appendingPathComponent("hs-\(key).db")
        if usingPrebuilt, let image = PrebuiltPatternDatabases.image(for: key), let cached = Self.load(image, count: patterns.count) {
            database = cached.database
            prefiltered = cached.prefiltered
            lookback = cached.lookback
        } else if let cacheFile, let image = try? Data(contentsOf: cacheFile), let cached = Self.load(image, count: patterns.count) {
            database = cached.database
            prefiltered = cached.prefiltered
            lookback = cached.lookback
        } else {
            // Analysing each expression costs about as much as compiling it: done only on a
            // cache miss, and its results are stored with the database.
            var flags: [UInt32] = []
            var prefiltered: [Bool] = []
            var lookback: [Int] = []
            for (index, pattern) in patterns.enumerated() {
                let exact = UInt32(HS_FLAG_MULTILINE)
                let loose = exact | UInt32(HS_FLAG_PREFILTER)
                if let width = Self.maxWidth(pattern, flags: exact) {
                    flags.append(exact)
                    prefiltered.append(false)
                    lookback.append(width)
                } else if let width = Self.maxWidth(pattern, flags: loose) {
                    flags.append(loose)
                    prefiltered.append(true)
                    lookback.append(width)
                } else {
                    throw EngineError.patternRejected(index: index, message: Self.compileError(pattern, flags: loose))
                }
            }
            database = try Self.compile(patterns: patterns.map(PrefilterWidening.widen), flags: flags)
            self.prefiltered = prefiltered
            self.lookback = lookback
            if let cacheFile, let image = Self.image(database, prefiltered: prefiltered, lookback: lookback) {
                Self.save(image, to: cacheFile)
            }
        }
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(database, &scratch) == HS_SUCCESS, let scratch else {
            hs_free_database(database)
            throw EngineError.vectorscan("could not allocate scratch space")
        }
        prototypeScratch = scratch
    }

    deinit {
        hs_free_scratch(prototypeScratch)
        hs_free_database(database)
    }

    /// A scratch space of the worker's own.
    func makeScratch() -> OpaquePointer {
        var clone: OpaquePointer?
        guard hs_clone_scratch(prototypeScratch, &clone) == HS_SUCCESS, let clone else {
            fatalError("Vectorscan could not clone scratch space (out of memory)")
        }
        return clone
    }

    private static func maxWidth(_ pattern: String, flags: UInt32) -> Int? {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let status = hs_expression_info(pattern, flags, &info, &error)
        if let error { hs_free_compile_error(error) }
        guard status == HS_SUCCESS, let info else { return nil }
        defer { free(info) }
        let width = info.pointee.max_width
        return width == UInt32.max ? maxLookback : min(Int(width), maxLookback)
    }

    private static func compileError(_ pattern: String, flags: UInt32) -> String {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        _ = hs_expression_info(pattern, flags, &info, &error)
        if let info { free(info) }
        guard let error else { return "Vectorscan cannot compile this pattern" }
        defer { hs_free_compile_error(error) }
        return String(cString: error.pointee.message)
    }

    private static func compile(patterns: [String], flags: [UInt32]) throws(EngineError) -> OpaquePointer {
        let cStrings = patterns.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let expressions: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        let ids = (0..<patterns.count).map { UInt32($0) }
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        var platform = VectorscanRuntime.platform()
        let status = hs_compile_multi(expressions, flags, ids, UInt32(patterns.count),
                                      UInt32(HS_MODE_BLOCK), &platform, &database, &error)
        guard status == HS_SUCCESS, let database else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "status \(status)"
            let index = error.map { Int($0.pointee.expression) } ?? -1
            if let error { hs_free_compile_error(error) }
            throw index >= 0 ? .patternRejected(index: index, message: message) : .vectorscan(message)
        }
        return database
    }

    /// The cache key: the cache format, Vectorscan's version and code path, and every
    /// pattern in order.
    static func cacheKey(patterns: [String]) -> String {
        stableDigest(["custos-hs-4", String(cString: hs_version()), VectorscanRuntime.name] + patterns)
    }

    /// The cache key and cache image of `patterns`, compiled now (for the build-time tool).
    static func compiledImage(patterns: [String]) throws(EngineError) -> (key: String, image: Data) {
        let compiled = try PatternDatabase(patterns: patterns, cacheDirectory: nil, usingPrebuilt: false)
        guard let image = image(compiled.database, prefiltered: compiled.prefiltered, lookback: compiled.lookback) else {
            throw .vectorscan("could not serialize the compiled database")
        }
        return (cacheKey(patterns: patterns), image)
    }

    /// Cache image layout: per pattern one byte (1 = prefiltered) and a little-endian UInt32
    /// look-back, then the serialized database. Nil when it is not an image of `count` patterns.
    private static func load(_ data: Data, count: Int) -> (database: OpaquePointer, prefiltered: [Bool], lookback: [Int])? {
        guard data.count > count * 5 else { return nil }
        var prefiltered: [Bool] = []
        var lookback: [Int] = []
        var database: OpaquePointer?
        let status = data.withUnsafeBytes { raw -> hs_error_t in
            for index in 0..<count {
                prefiltered.append(raw[index * 5] == 1)
                lookback.append(Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 5 + 1, as: UInt32.self))))
            }
            let body = raw.baseAddress!.advanced(by: count * 5).assumingMemoryBound(to: CChar.self)
            return hs_deserialize_database(body, raw.count - count * 5, &database)
        }
        guard status == HS_SUCCESS, let database else { return nil }
        return (database, prefiltered, lookback)
    }

    private static func image(_ database: OpaquePointer, prefiltered: [Bool], lookback: [Int]) -> Data? {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(database, &bytes, &length) == HS_SUCCESS, let bytes else { return nil }
        defer { free(bytes) }
        var data = Data()
        for (isPrefiltered, width) in zip(prefiltered, lookback) {
            data.append(isPrefiltered ? 1 : 0)
            withUnsafeBytes(of: UInt32(width).littleEndian) { data.append(contentsOf: $0) }
        }
        data.append(Data(bytes: bytes, count: length))
        return data
    }

    /// Best effort: a cache that cannot be written only costs the next start a compile.
    private static func save(_ data: Data, to file: URL) {
        let directory = file.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
        do {
            try data.write(to: temporary)
            _ = rename(temporary.path, file.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}
