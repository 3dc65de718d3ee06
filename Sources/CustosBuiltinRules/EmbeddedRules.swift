// CustosBuiltinRules: the rules and credential vocabulary shipped in `rules/`, embedded into
// the binary at build time (plugin `EmbedRules`), with the rules' Vectorscan database compiled
// then (`BuiltinPatterns`), and the named-value scanning they configure.

import CustosEngine
import CustosRules
import Foundation

extension RuleLoader {
    /// The rules shipped in `rules/` of the source tree, validated when custos was built and
    /// embedded as a `RuleArchive` (no YAML is parsed at run time).
    public static func builtin() throws(RuleError) -> [Rule] {
        try builtinRules.get()
    }

    /// Decoded once per process.
    private static let builtinRules: Result<[Rule], RuleError> = Result { () throws(RuleError) in
        guard let archive = Data(base64Encoded: BuiltinRuleArchive.base64, options: .ignoreUnknownCharacters) else {
            throw RuleError(location: "built-in rule archive", message: "not base64; rebuild custos")
        }
        return try RuleArchive.decode([UInt8](archive))
    }
}

extension VocabularyLoader {
    /// The vocabulary shipped in rules/vocabulary/, embedded into the binary.
    public static func builtin() throws(RuleError) -> VocabularyFile {
        try merge(BuiltinVocabularyFiles.files.map { file throws(RuleError) in
            try parse(yaml: file.text, source: "rules/vocabulary/\(file.name)")
        })
    }
}

extension NamedValueScanning {
    /// The built-in vocabulary, every rule but hashes (unless `includeHashes`), narrowed by
    /// `selection`; nil when the selection leaves no named-value rule.
    public static func builtin(selection: RuleSelection = RuleSelection(), includeHashes: Bool = false) throws(RuleError) -> NamedValueScanning? {
        using(try builtinVocabulary.get().vocabulary, selection: selection, includeHashes: includeHashes)
    }

    /// The built-in vocabulary with the default rules (what a scan runs unless told otherwise).
    public static let standard: NamedValueScanning? = try? builtin()

    /// Parsed once per process: every engine a run builds shares it.
    private static let builtinVocabulary: Result<VocabularyFile, RuleError> = Result { () throws(RuleError) in
        try VocabularyLoader.builtin()
    }
}
