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
        let key = Self.cacheKey(patterns: patterns)
        let cacheFile = cacheDirectory?.appendingPathComponent("hs-\(key).db")
        if let cacheFile, let cached = Self.loadCache(cacheFile, count: patterns.count) {
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
            if let cacheFile { Self.saveCache(database, prefiltered: prefiltered, lookback: lookback, to: cacheFile) }
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

    /// The cache key: the cache format, Vectorscan's version, and every pattern in order.
    private static func cacheKey(patterns: [String]) -> String {
        stableDigest(["custos-hs-3", String(cString: hs_version())] + patterns)
    }

    /// Cache file layout: per pattern one byte (1 = prefiltered) and a little-endian UInt32
    /// look-back, then the serialized database.
    private static func loadCache(_ file: URL, count: Int) -> (database: OpaquePointer, prefiltered: [Bool], lookback: [Int])? {
        guard let data = try? Data(contentsOf: file), data.count > count * 5 else { return nil }
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

    /// Best effort: a cache that cannot be written only costs the next start a compile.
    private static func saveCache(_ database: OpaquePointer, prefiltered: [Bool], lookback: [Int], to file: URL) {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(database, &bytes, &length) == HS_SUCCESS, let bytes else { return }
        defer { free(bytes) }
        var data = Data()
        for (isPrefiltered, width) in zip(prefiltered, lookback) {
            data.append(isPrefiltered ? 1 : 0)
            withUnsafeBytes(of: UInt32(width).littleEndian) { data.append(contentsOf: $0) }
        }
        data.append(Data(bytes: bytes, count: length))
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
