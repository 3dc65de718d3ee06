// The `archives` fuzz target (its function is in Sources/CustosFuzzTargets).
import CLibFuzzer
import CustosFuzzTargets
import Glibc

@main
enum FuzzArchives {
    static func main() {
        FuzzTarget.archives.prepareForFuzzing()
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzTarget.archives.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
            return 0
        })
    }
}
