import Foundation

/// The source tree this test support was built from (for fixtures/ and the built binary).
public enum PackageRoot {
    public static let url: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static func path(_ relative: String) -> String {
        url.appendingPathComponent(relative).path
    }
}

/// What one run of a command printed and how it exited.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the real `custos` binary, as a user would.
public enum CustosBinary {
    /// `$CUSTOS_BIN`, else the binary built next to the running test bundle (whatever the
    /// build folder is called), else the debug build, else the release build.
    public static var path: String {
        if let override = ProcessInfo.processInfo.environment["CUSTOS_BIN"] { return override }
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let sibling = testBundle.deletingLastPathComponent().appendingPathComponent("custos").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        for configuration in ["debug", "release"] {
            let candidate = PackageRoot.path(".build/\(configuration)/custos")
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return PackageRoot.path(".build/debug/custos")
    }

    /// Runs custos with `arguments` in `directory`, with `environment` added.
    public static func run(_ arguments: [String], in directory: String? = nil,
                           environment: [String: String] = [:], prefix: [String] = []) throws -> CommandResult {
        try Command.run(prefix + [path] + arguments, in: directory, environment: environment)
    }
}

/// Runs any program and captures its output.
public enum Command {
    public static func run(_ arguments: [String], in directory: String? = nil,
                           environment: [String: String] = [:], input: Data? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes while the process runs, so a large output cannot fill a pipe and stall it.
        let group = DispatchGroup()
        let errorBox = DataBox()
        group.enter()
        DispatchQueue.global().async {
            errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: errorBox.data, as: UTF8.self))
    }
}

/// A program started in the background (a reader on a FIFO); `finish` waits for it.
public final class RunningCommand {
    let process: Process
    let stdout: Pipe

    init(process: Process, stdout: Pipe) {
        self.process = process
        self.stdout = stdout
    }

    /// Waits for the program to end and returns what it printed.
    public func finish() throws -> CommandResult {
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: "")
    }
}

extension Command {
    /// Starts a program without waiting for it.
    public static func start(_ arguments: [String]) throws -> RunningCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        return RunningCommand(process: process, stdout: stdout)
    }
}

/// Holds bytes read on another thread; the DispatchGroup wait orders the write before the read.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
