// The `sqlite-cells` fuzz target (its function is in Sources/CustosFuzzTargets).
import CLibFuzzer
import CustosFuzzTargets
import Glibc

@main
enum FuzzSqliteCells {
    static func main() {
        FuzzTarget.sqliteCells.prepareForFuzzing()
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzTarget.sqliteCells.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
            return 0
        })
    }
}
