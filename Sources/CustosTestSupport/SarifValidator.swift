import Foundation

/// Validates SARIF text against the official SARIF 2.1.0 JSON schema with Python's
/// `jsonschema` (installed by `make test` from Debian's python3-jsonschema).
public enum SarifValidator {
    /// The schema kept in the repository (a copy of the OASIS schema).
    public static let schemaPath = PackageRoot.path("Tests/Schemas/sarif-2.1.0.json")

    /// Validation errors, one per line; empty when the document is valid.
    public static func errors(in sarif: String) throws -> [String] {
        let script = """
            import json, sys
            import jsonschema
            schema = json.load(open(sys.argv[1]))
            document = json.load(sys.stdin)
            validator = jsonschema.Draft4Validator(schema)
            for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
                print("/".join(str(p) for p in error.path) + ": " + error.message)
            """
        let result = try Command.run([python, "-c", script, schemaPath], input: Data(sarif.utf8))
        guard result.status == 0 else {
            return ["validator failed (\(result.status)): \(result.stderr)"]
        }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Debian's python3 when it has jsonschema (what `make deps` installs), else the first on PATH.
    static var python: String {
        if FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/jsonschema") {
            return "/usr/bin/python3"
        }
        return "python3"
    }
}
