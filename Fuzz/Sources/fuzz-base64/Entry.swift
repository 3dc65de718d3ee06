// The `base64` fuzz target (its function is in Sources/CustosFuzzTargets).
import CLibFuzzer
import CustosFuzzTargets
import Glibc

@main
enum FuzzBase64 {
    static func main() {
        FuzzTarget.base64.prepareForFuzzing()
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzTarget.base64.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
            return 0
        })
    }
}
