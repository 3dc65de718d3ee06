import CustosTestSupport
import Foundation
import Testing

/// A fake GitHub token made at run time: `ghp_` and 36 random alphanumerics.
private func sweepToken() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return "ghp_" + String((0..<36).map { _ in alphabet.randomElement()! })
}

/// Rows of a state as text, for comparing two states: files, findings, locations and the
/// sweeps' counts (the times differ between runs, so they are left out). Read with Python's
/// sqlite3, read-only, so the test needs nothing custos-specific to look inside.
private func dumpState(_ path: String) throws -> [String: [String]] {
    let script = """
        import json, sqlite3, sys
        db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
        queries = {
          "files": "SELECT path, root, size, mtime_ns, ctime_ns, inode, hex(content_sha256), findings, owners_digest, seen_sweep, scanned_sweep, error FROM files ORDER BY path",
          "findings": "SELECT fingerprint, rule_id, secret_redacted, status, first_seen_sweep, last_seen_sweep, resolved_sweep, times_reopened FROM findings ORDER BY fingerprint",
          "locations": "SELECT f.path, l.fingerprint, l.path, l.line, l.column, l.snippet, l.place FROM locations l JOIN files f ON f.id = l.file_id ORDER BY 1, 2, 3, 4",
          "sweeps": "SELECT id, files_seen, files_scanned, files_unchanged, files_content_unchanged, files_removed, bytes_read, errors, new, open, resolved, reopened, finished_at IS NOT NULL FROM sweeps ORDER BY id",
        }
        print(json.dumps({name: [json.dumps(row) for row in db.execute(sql)] for name, sql in queries.items()}))
        """
    let result = try Command.run(["python3", "-c", script, path])
    guard result.status == 0 else { throw DumpError(message: result.stderr) }
    return try JSONDecoder().decode([String: [String]].self, from: Data(result.stdout.utf8))
}

private struct DumpError: Error {
    var message: String
}

/// Bytes in a state's write-ahead log: grows with every committed batch (a stat, so polling it
/// does not slow the sweep being watched).
private func walBytes(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
}

@Suite("custos sweep (end to end)", .serialized)
struct SweepCommandTests {
    @Test("a second sweep over an unchanged share reads nothing; --fail-on decides the exit status")
    func sweepTwice() throws {
        let share = try TemporaryTree(["plant-a/app.env": "TOKEN=\(sweepToken())\n", "plant-a/notes.txt": "no secrets\n"])
        let state = try TemporaryTree()
        let statePath = state.url("state.db").path
        let first = try CustosBinary.run(["sweep", share.path, "--state", statePath])
        #expect(first.status == 1, "new findings fail the default --fail-on new: \(first.stderr)")
        #expect(first.stdout.contains("sweep 1: 1 new, 1 open, 0 resolved, 0 reopened"))
        #expect(first.stdout.contains("files: 2 seen, 2 scanned, 0 skipped"))
        #expect(first.stdout.contains("new: github-classic-pat "))

        let second = try CustosBinary.run(["sweep", share.path, "--state", statePath])
        #expect(second.status == 0, "nothing new: \(second.stderr)")
        #expect(second.stdout.contains("sweep 2: 0 new, 1 open, 0 resolved, 0 reopened"))
        #expect(second.stdout.contains("files: 2 seen, 0 scanned, 2 skipped (0 of them read: content unchanged), 0 removed; 0.0 MB read"))

        let open = try CustosBinary.run(["sweep", share.path, "--state", statePath, "--fail-on", "open"])
        #expect(open.status == 1)
        let never = try CustosBinary.run(["sweep", share.path, "--state", statePath, "--fail-on", "never"])
        #expect(never.status == 0)
        #expect(!never.stderr.contains("custos sweep:"), "no progress line in a sweep shorter than the log interval")
    }

    @Test("usage and state errors exit 2 with a way out; the state is never put inside the swept tree")
    func errors() throws {
        let share = try TemporaryTree(["a.txt": "a\n"])
        let inside = try CustosBinary.run(["sweep", share.path, "--state", share.url("state.db").path])
        #expect(inside.status == 2)
        #expect(inside.stderr.contains("custos never writes into a tree it sweeps"))
        #expect(!FileManager.default.fileExists(atPath: share.url("state.db").path))

        let folder = try TemporaryTree(["notes.db": "meeting notes, not a database\n"])
        let foreign = try CustosBinary.run(["sweep", share.path, "--state", folder.url("notes.db").path])
        #expect(foreign.status == 2)
        #expect(foreign.stderr.contains("is not a custos sweep state"))
        #expect(foreign.stderr.contains("move it away"))
        #expect(try String(contentsOfFile: folder.url("notes.db").path, encoding: .utf8) == "meeting notes, not a database\n")

        let missing = try CustosBinary.run(["report", "--state", folder.url("none.db").path, "--output-dir", folder.url("r").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("run `custos sweep ROOT --state"))
    }

    @Test("a file that becomes unreadable is a warning and an error count, never fatal; its finding stays open")
    func unreadableFile() throws {
        // As root, permissions do not stop reads: sweep as `nobody` so an unreadable file is one.
        let unprivileged = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            ? ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] : []
        let token = sweepToken()
        let share = try TemporaryTree(["locked/plc.cfg": "token = \(token)\n", "other.txt": "fine\n",
                                       "closed-folder/hmi.ini": "token = \(sweepToken())\n"])
        let state = try TemporaryTree()
        chmod(state.path, 0o777)
        let statePath = state.url("state.db").path
        let sweep = { try CustosBinary.run(["sweep", share.path, "--state", statePath, "--fail-on", "never"],
                                           environment: ["CUSTOS_CACHE_DIR": state.path], prefix: unprivileged) }
        let first = try sweep()
        #expect(first.stdout.contains("2 new, 2 open"), "\(first.stderr)")

        try share.write("locked/plc.cfg", "token = \(token)\nedited = yes\n")
        chmod(share.url("locked/plc.cfg").path, 0)
        chmod(share.url("closed-folder").path, 0)
        let blocked = try sweep()
        #expect(blocked.status == 0)
        #expect(blocked.stderr.contains("locked/plc.cfg: cannot open: Permission denied"))
        #expect(blocked.stderr.contains("closed-folder: cannot list folder: Permission denied"))
        #expect(blocked.stdout.contains("0 new, 2 open, 0 resolved"), "a folder that cannot be listed keeps its findings")
        #expect(blocked.stdout.contains(" 0 removed;"))
        #expect(blocked.stdout.contains("; 2 errors;"))

        chmod(share.url("locked/plc.cfg").path, 0o644)
        chmod(share.url("closed-folder").path, 0o755)
        let readable = try sweep()
        #expect(readable.stdout.contains("0 new, 2 open, 0 resolved"))
        #expect(readable.stdout.contains("1 scanned"))
        #expect(readable.stdout.contains("; 0 errors;"))
        #expect(!readable.stderr.contains("Permission denied"))
    }

    @Test("a sweep killed with SIGKILL mid-way and run again ends with the state an uninterrupted sweep leaves")
    func killAndResume() throws {
        let share = try TemporaryTree()
        var planted = 0
        for index in 0..<3000 {
            let secret = index % 250 == 7
            planted += secret ? 1 : 0
            try share.write("plant-\(index % 3)/project-\(index % 40)/file-\(index).ini",
                            "name = device \(index)\nvalue = \(index * 7)\n" + (secret ? "token = \(sweepToken())\n" : ""))
        }
        let states = try TemporaryTree()
        let clean = states.url("clean.db").path
        let killed = states.url("killed.db").path
        let options = ["--fail-on", "never", "--batch-size", "20"]

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CustosBinary.path)
        process.arguments = ["sweep", share.path, "--state", killed] + options
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until some batches are committed, then kill it without warning.
        while process.isRunning && walBytes(killed) < 256 * 1024 {
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the sweep must still have been running when killed")
        let partial = try dumpState(killed)
        #expect(partial["sweeps"]?.count == 1)
        #expect(partial["sweeps"]?.first?.hasSuffix("0]") == true, "the killed sweep is unfinished: \(partial["sweeps"] ?? [])")
        let committed = partial["files"]?.count ?? 0
        #expect(committed >= 20 && committed < 3000, "some files, not all, were committed before the kill: \(committed)")

        let resumed = try CustosBinary.run(["sweep", share.path, "--state", killed] + options)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("sweep 1 (resumed): \(planted) new, \(planted) open"))

        let uninterrupted = try CustosBinary.run(["sweep", share.path, "--state", clean] + options)
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let expected = try dumpState(clean)
        let actual = try dumpState(killed)
        #expect(expected["files"]?.count == 3000)
        #expect(expected["findings"]?.count == planted)
        for table in ["files", "findings", "locations", "sweeps"] {
            #expect(actual[table] == expected[table], "table \(table) differs after resuming")
        }
    }

    @Test("the HTML report renders in headless Chromium without console errors")
    func htmlInBrowser() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else {
            Issue.record("chromium is not installed: `make deps` (or apt-get install chromium) installs it")
            return
        }
        let share = try TemporaryTree([
            "plant-a/historian.ini": "token = \(sweepToken())\n",
            "plant-b/scripts/deploy.env": "GITHUB=\(sweepToken())\n",
        ])
        let out = try TemporaryTree()
        let statePath = out.url("state.db").path
        _ = try CustosBinary.run(["sweep", share.path, "--state", statePath])
        try FileManager.default.removeItem(atPath: share.url("plant-b/scripts/deploy.env").path)
        let swept = try CustosBinary.run(["sweep", share.path, "--state", statePath, "--report", out.url("report").path])
        #expect(swept.stderr.contains("report written to"))
        let fromState = try CustosBinary.run(["report", "--state", statePath, "--output-dir", out.url("again").path])
        #expect(fromState.status == 1, "an open finding remains: \(fromState.stderr)")
        let page = out.url("report/sweep-report.html")
        #expect(try Data(contentsOf: page) == Data(contentsOf: out.url("again/sweep-report.html")),
                "the sweep's report and `report --state` agree")
        #expect(FileManager.default.fileExists(atPath: out.url("report/sweep-report.md").path))

        let screenshot = out.url("page.png").path
        let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                       "--user-data-dir=\(out.url("profile").path)"]
        let shot = try Command.run(["timeout", "120", chromium] + browser
                                   + ["--window-size=1200,1600", "--screenshot=\(screenshot)", page.absoluteString])
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG screenshot: \(shot.stderr.suffix(2000))")
        #expect(png.count > 20_000, "the screenshot shows a page, not a blank: \(png.count) bytes")
        let consoleLines = shot.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        #expect(consoleLines.isEmpty, "console errors: \(consoleLines)")

        let dom = try Command.run(["timeout", "120", chromium] + browser + ["--dump-dom", page.absoluteString])
        #expect(dom.stdout.contains("<h2 class=\"gap\">No registered owner</h2>"))
        #expect(dom.stdout.contains("<svg"))
        #expect(dom.stdout.contains("sweep 2: 1 resolved"))
    }
}
