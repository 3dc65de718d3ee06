// The `scl` fuzz target (its function is in Sources/CustosFuzzTargets).
import CLibFuzzer
import CustosFuzzTargets
import Glibc

@main
enum FuzzScl {
    static func main() {
        FuzzTarget.scl.prepareForFuzzing()
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzTarget.scl.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
            return 0
        })
    }
}
