import Foundation

/// Validates JSON text against a schema kept in Tests/Schemas with Python's `jsonschema`, as
/// `SarifValidator` does for SARIF: the reports CI platforms read (GitLab's secret-detection
/// report) are checked against the schema the platform publishes.
public enum JSONSchemaValidator {
    /// The JSON Schema draft a schema file is written to.
    public enum Draft: String, Sendable {
        case draft4 = "Draft4Validator"
        case draft7 = "Draft7Validator"
    }

    /// GitLab's secret-detection report schema, version 15.0.7 (see Tests/Schemas/README.md).
    public static let gitLabSecretDetection = (path: PackageRoot.path("Tests/Schemas/gitlab-secret-detection-report-format-15.0.7.json"),
                                               draft: Draft.draft7)

    /// Validation errors, one per line (`path/to/field: message`); empty when valid.
    public static func errors(in document: String, schema: (path: String, draft: Draft)) throws -> [String] {
        let script = """
            import json, sys
            import jsonschema
            schema = json.load(open(sys.argv[1]))
            document = json.load(sys.stdin)
            validator = jsonschema.\(schema.draft.rawValue)(schema)
            for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.path]):
                print("/".join(str(p) for p in error.path) + ": " + error.message)
            """
        let result = try Command.run([SarifValidator.python, "-c", script, schema.path], input: Data(document.utf8))
        guard result.status == 0 else {
            return ["validator failed (\(result.status)): \(result.stderr)"]
        }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Runs a short Python program over `input` (on standard input) and returns what it
    /// printed: for checks that read a format with Python's own parser (xml.etree, csv).
    public static func python(_ program: String, input: String) throws -> CommandResult {
        try Command.run([SarifValidator.python, "-c", program], input: Data(input.utf8))
    }
}
