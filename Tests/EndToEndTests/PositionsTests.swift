import CustosTestSupport
import Foundation
import Testing

/// Issue 10: positions are exact in every decoded file. For every finding, the reported byte
/// span is read from the file — or the archive member or database cell — a person opens, and
/// must hold the secret as written there; line and column must name the span's first character
/// as an editor shows it (Tests/EndToEndTests/Support/check_spans.py does the reading).
@Suite("Exact positions in decoded files (end to end)", .serialized)
struct PositionsTests {
    static let checker = PackageRoot.path("Tests/EndToEndTests/Support/check_spans.py")

    /// Scans `root` from `directory` and runs the span check over the JSON report.
    static func check(_ root: String, in directory: String) throws -> (checked: String, failures: String) {
        let scan = try CustosBinary.run(["scan", root, "--format", "json", "--no-redact"], in: directory)
        #expect(scan.status == 1, "\(root) has findings")
        let checked = try Command.run(["python3", checker], in: directory, input: Data(scan.stdout.utf8))
        #expect(checked.status == 0, "\(checked.stdout)")
        return (checked.stderr, checked.stdout)
    }

    @Test("every finding in every fixture tree is at the bytes, line and column that hold it",
          arguments: ["fixtures/webshop", "fixtures/ot", "fixtures/plant-share", "fixtures/node-red", "fixtures/field", "fixtures"])
    func fixtureTrees(_ tree: String) throws {
        let (summary, failures) = try Self.check(tree, in: PackageRoot.url.path)
        #expect(failures.isEmpty, "\(failures)")
        #expect(summary.contains(" findings checked, 0 misplaced"), "\(summary)")
    }

    @Test("entities, escapes, UTF-16, archive members, database cells and base64 values before a secret do not shift it")
    func decodedShapes() throws {
        let tree = try TemporaryTree()
        let token = "ghp_" + "Xk9mQ2vL7pR4wzT8nB3yH6cJ1dF5gA0sE2uK"
        let other = "glpat-" + "Vq8zLm2xT4pR9wKc7nB3"
        // XML: entities before the secret on its line move every byte after them.
        try tree.write("export.xml", "<?xml version=\"1.0\"?>\n<Settings>\n  <Entry Name=\"A&amp;B &lt;x&gt;\" Token=\"\(token)\"/>\n</Settings>\n")
        // L5X: Logix escapes and entities before the value.
        try tree.write("Line3.L5X", "<?xml version=\"1.0\"?>\n<RSLogix5000Content>\n<Tag Name=\"X\"><Data Format=\"String\">'a$$b$27c &amp; \(other)'</Data></Tag>\n</RSLogix5000Content>\n")
        // UTF-16 with non-ASCII text and a character outside the BMP before the secret.
        try tree.write("export.reg", try #require("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Ä𝄞]\r\n\"Token\"=\"\(token)\"\r\n".data(using: .utf16)))
        let made = try Command.run(["python3", "-c", """
            import base64, io, sqlite3, sys, zipfile
            db = sqlite3.connect(sys.argv[2])
            db.execute("CREATE TABLE SECRETS (NAME TEXT, VALUE TEXT)")
            db.execute("INSERT INTO SECRETS VALUES ('ci', 'prefix é \(token)')")
            db.commit(); db.close()
            z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
            z.writestr("cfg/app.xml", "<a v=\\"&quot;&quot;\\" t=\\"\(other)\\"/>\\n")
            z.writestr("cfg/blob.yaml", "note: ä\\nblob: " + base64.b64encode(b"TOKEN=\(token)\\n").decode() + "\\n")
            z.write(sys.argv[2], "db/config.idb")
            inner = io.BytesIO(); n = zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED)
            n.writestr("users.reg", "\\ufeff[HKEY_USERS\\\\É]\\r\\n\\"Token\\"=\\"\(other)\\"\\r\\n".encode("utf-16-le")); n.close()
            z.writestr("nested/project.zip", inner.getvalue())
            z.close()
            """, tree.url("backup.gwbk").path, tree.url("config.idb").path])
        #expect(made.status == 0, "\(made.stderr)")
        try FileManager.default.removeItem(at: tree.url("config.idb"))
        let (summary, failures) = try Self.check(".", in: tree.path)
        #expect(failures.isEmpty, "\(failures)")
        #expect(summary.hasPrefix("7 findings checked, 0 misplaced"), "\(summary)")
    }
}
