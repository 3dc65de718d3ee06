// The `utf16` fuzz target (its function is in Sources/CustosFuzzTargets).
import CLibFuzzer
import CustosFuzzTargets
import Glibc

@main
enum FuzzUtf16 {
    static func main() {
        FuzzTarget.utf16.prepareForFuzzing()
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzTarget.utf16.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
            return 0
        })
    }
}
