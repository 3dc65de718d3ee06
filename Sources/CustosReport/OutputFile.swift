import CustosCore
import Foundation

/// Writes a report where the user asked, without ever damaging what is there: a regular file
/// (or a new one) is written to a temporary file beside it and renamed over it, so a reader
/// never sees half a report; anything else — a FIFO, a device, a socket — is opened and
/// written in place, never replaced; a symbolic link is written through to what it points at
/// and stays a link; `-` is standard output.
public enum OutputFile {
    /// Why a report could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    public static let standardOutputName = "-"

    public static func write(_ text: String, to path: String) throws(WriteError) {
        try write(Data(text.utf8), to: path)
    }

    public static func write(_ data: Data, to path: String) throws(WriteError) {
        if path == standardOutputName {
            try writeAll(data, to: STDOUT_FILENO, path: "standard output")
            return
        }
        let target = resolvedTarget(of: path)
        var info = stat()
        if stat(target, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            guard (info.st_mode & S_IFMT) != S_IFDIR else {
                throw WriteError(description: "\(path) is a folder; name a file to write the report to")
            }
            // A FIFO, device or socket: write into it, never replace it.
            let descriptor = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY)
            guard descriptor >= 0 else { throw WriteError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            try writeAll(data, to: descriptor, path: path)
            return
        }
        try replaceAtomically(target, with: data, shownAs: path, mode: stat(target, &info) == 0 ? info.st_mode & 0o7777 : 0o644)
    }

    /// What `path` names once symbolic links are followed (the path itself when it is not a
    /// link, or a dangling link's target so the file is created where the link points).
    static func resolvedTarget(of path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { return current }
            let destination = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = PathText.join(PathText.folder(of: current), destination)
        }
        return current
    }

    private static func replaceAtomically(_ target: String, with data: Data, shownAs path: String, mode: mode_t) throws(WriteError) {
        let folder = PathText.folder(of: target)
        let name = PathText.name(of: target)
        var template = Array(((folder.isEmpty ? "." : folder) + "/.\(name).custos-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw WriteError(description: "cannot write beside \(path): \(String(cString: strerror(errno)))")
        }
        let temporary = String(cString: template)
        do {
            try writeAll(data, to: descriptor, path: path)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        fchmod(descriptor, mode)
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(description: "cannot write \(path): \(reason)")
        }
    }

    private static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws(WriteError) {
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure != 0 { throw WriteError(description: "cannot write \(path): \(String(cString: strerror(failure)))") }
    }
}
