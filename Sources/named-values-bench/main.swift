// Measures the named-value scanner: reads every file under the given paths into memory first,
// then times `NamedValueScanner.classify` alone over all of them (one thread, CPU time) and
// prints bytes, files, values, credentials and MB per CPU second. Not part of custos: a measuring tool for bench/named_values.sh.
// Usage: named-values-bench [--list] PATH...
// --list prints each reported value (redacted: four characters and the length).
import CustosBuiltinRules
import CustosCore
import CustosDecoders
import CustosRules
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
let list = arguments.contains("--list")
arguments.removeAll { $0 == "--list" }
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("usage: named-values-bench [--list] PATH...\n".utf8))
    exit(2)
}
let vocabulary: CredentialVocabulary
do {
    vocabulary = try VocabularyLoader.builtin().vocabulary
} catch {
    FileHandle.standardError.write(Data("named-values-bench: \(error)\n".utf8))
    exit(2)
}
let scanner = NamedValueScanner(vocabulary: vocabulary)

var files: [(String, [UInt8])] = []
for root in arguments {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { continue }
    var paths = [root]
    if isDirectory.boolValue {
        paths = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []).map { "\(root)/\($0)" }
    }
    for path in paths.sorted() {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { continue }
        var bytes = [UInt8](data)
        if let encoding = bytes.withUnsafeBytes(TextEncoding.sniffUTF16) {
            bytes = bytes.withUnsafeBytes { encoding.transcode($0).bytes }
        } else if bytes.prefix(8192).contains(0) {
            continue
        }
        files.append((path, bytes))
    }
}
let totalBytes = files.reduce(0) { $0 + $1.1.count }
var values = 0
var reported = 0
var claimed = 0
/// CPU seconds of this process: the machine may be busy with other work, so wall time would
/// measure the neighbours.
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
let start = DispatchTime.now()
let cpuStart = cpuSeconds()
for (path, bytes) in files {
    let found = bytes.withUnsafeBytes { scanner.classify(in: $0, fileName: Substring(path)) }
    values += found.count
    if !found.isEmpty { claimed += 1 }
    for value in found where scanner.reportable(value.verdict) {
        reported += 1
        if list {
            let text = value.named.text
            print("\(path)\t\(value.named.namePath)\t\(text.prefix(4))…(\(text.count))\t\(value.verdict)")
        }
    }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
let cpu = cpuSeconds() - cpuStart
let megabytes = Double(totalBytes) / 1_048_576
print(String(format: "%d files, %.1f MB, %d with named values, %d values classified, %d reported; %.2f CPU s (%.2f s wall), %.0f MB per CPU second",
             files.count, megabytes, claimed, values, reported, cpu, seconds, megabytes / max(cpu, 1e-9)))
