// CustosEngine: compiles a RuleSet into one Vectorscan database plus one PCRE2 pattern per
// rule, and turns bytes into findings: Vectorscan finds candidate end offsets for all rules in
// one pass, PCRE2 confirms each candidate on a bounded window and extracts the `secret` group,
// filters drop placeholders and noise. It reads no files (CustosScan feeds it buffers) and
// writes no reports. Compiled state is shared and immutable; each worker owns a Scanner with
// its own scratch space and match data, so the hot loop never locks and never allocates per
// match.

import CPCRE2

/// A PCRE2 pattern compiled (and JIT-compiled) once, shared by every worker.
///
/// `@unchecked Sendable`: a `pcre2_code` is never modified after compilation and JIT
/// compilation, and PCRE2 documents concurrent matching with one code object as safe as long
/// as each thread uses its own match data, which `RegexWorkspace` provides.
final class ConfirmingRegex: @unchecked Sendable {
    let code: OpaquePointer
    /// Number of capture groups, for sizing match data.
    let captureCount: Int

    /// Compile options every custos pattern gets: multi-line anchors, and an offset limit so
    /// a confirmation search never wanders past its candidate.
    static let options: UInt32 = UInt32(PCRE2_MULTILINE) | UInt32(PCRE2_USE_OFFSET_LIMIT)

    init(pattern: String, options: UInt32 = ConfirmingRegex.options) throws(RegexError) {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let bytes = Array(pattern.utf8)
        let compiled = bytes.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw RegexError(message: Self.message(for: errorCode), offset: errorOffset)
        }
        code = compiled
        // JIT failure is not fatal: the interpreter gives the same answers, only slower.
        _ = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE))
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
    }

    deinit {
        pcre2_code_free_8(code)
    }

    /// The number of a named group, or nil when the pattern has no such group.
    func groupNumber(named name: String) -> Int? {
        let number = name.withCString { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: name.utf8.count + 1) {
                pcre2_substring_number_from_name_8(code, $0)
            }
        }
        return number > 0 ? Int(number) : nil
    }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        return length > 0 ? String(decoding: buffer[0..<Int(length)], as: UTF8.self) : "PCRE2 error \(errorCode)"
    }
}

/// A pattern that PCRE2 could not compile.
struct RegexError: Error {
    var message: String
    var offset: Int
}

/// The result of one PCRE2 search: byte ranges of the whole match and of requested groups.
struct RegexMatch {
    var start: Int
    var end: Int
}

/// Per-worker PCRE2 state: match data sized for the largest pattern, a match context carrying
/// the offset limit, and a JIT stack. Not shared between threads.
final class RegexWorkspace {
    private let matchData: OpaquePointer
    private let context: OpaquePointer
    private let jitStack: OpaquePointer?
    private var ovector: UnsafeMutablePointer<Int>

    /// Gives up on a pattern that backtracks this many times on one candidate window.
    static let matchLimit: UInt32 = 2_000_000

    init(maxCaptureCount: Int) {
        matchData = pcre2_match_data_create_8(UInt32(maxCaptureCount + 1), nil)!
        context = pcre2_match_context_create_8(nil)!
        jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
        if let jitStack {
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack))
        }
        pcre2_set_match_limit_8(context, Self.matchLimit)
        ovector = pcre2_get_ovector_pointer_8(matchData)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    /// Finds the leftmost match starting in `start...startLimit` (the match itself may extend
    /// past the limit) in `subject[0..<length]`. Returns nil when there is none or PCRE2
    /// gives up (match limit).
    func firstMatch(_ regex: ConfirmingRegex, in subject: UnsafePointer<UInt8>, length: Int,
                    from start: Int, startLimit: Int) -> RegexMatch? {
        pcre2_set_offset_limit_8(context, startLimit)
        let result = pcre2_match_8(regex.code, subject, length, start, 0, matchData, context)
        guard result > 0 else { return nil }
        return RegexMatch(start: ovector[0], end: ovector[1])
    }

    /// The byte range of group `number` in the last successful match, if it took part.
    func group(_ number: Int) -> Range<Int>? {
        let start = ovector[2 * number]
        let end = ovector[2 * number + 1]
        // PCRE2_UNSET is ~(size_t)0, which reads as -1 through Int.
        guard start != -1, end != -1, start <= end else { return nil }
        return start..<end
    }
}
