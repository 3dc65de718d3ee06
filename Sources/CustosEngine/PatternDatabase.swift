import CVectorscan
import Foundation

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

    init(patterns: [String], cacheDirectory: URL?) throws(EngineError) {
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
        self.prefiltered = prefiltered
        self.lookback = lookback

        let key = Self.cacheKey(patterns: patterns, flags: flags)
        let cacheFile = cacheDirectory?.appendingPathComponent("hs-\(key).db")
        if let cacheFile, let cached = Self.deserialize(cacheFile) {
            database = cached
        } else {
            database = try Self.compile(patterns: patterns, flags: flags)
            if let cacheFile { Self.serialize(database, to: cacheFile) }
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
        let status = hs_compile_multi(expressions, flags, ids, UInt32(patterns.count),
                                      UInt32(HS_MODE_BLOCK), nil, &database, &error)
        guard status == HS_SUCCESS, let database else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "status \(status)"
            let index = error.map { Int($0.pointee.expression) } ?? -1
            if let error { hs_free_compile_error(error) }
            throw index >= 0 ? .patternRejected(index: index, message: message) : .vectorscan(message)
        }
        return database
    }

    /// The cache key: Vectorscan's version, the platform, and every pattern with its flags.
    private static func cacheKey(patterns: [String], flags: [UInt32]) -> String {
        let version = String(cString: hs_version())
        var parts = ["custos-hs-1", version]
        for (pattern, flag) in zip(patterns, flags) {
            parts.append(pattern)
            parts.append(String(flag))
        }
        return stableDigest(parts)
    }

    private static func deserialize(_ file: URL) -> OpaquePointer? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        var database: OpaquePointer?
        let status = data.withUnsafeBytes { raw in
            hs_deserialize_database(raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count, &database)
        }
        return status == HS_SUCCESS ? database : nil
    }

    /// Best effort: a cache that cannot be written only costs the next start a compile.
    private static func serialize(_ database: OpaquePointer, to file: URL) {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(database, &bytes, &length) == HS_SUCCESS, let bytes else { return }
        defer { free(bytes) }
        let data = Data(bytes: bytes, count: length)
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
