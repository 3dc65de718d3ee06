// swift-tools-version:6.1
// The libFuzzer executables, one per target, apart from the main package so that its build
// never needs a sanitizer. Build and run with `make fuzz` (Fuzz/run.sh), or by hand:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
//   .build/release/fuzz-archives corpus/archives -max_total_time=60
import PackageDescription

let targets = [
    "archives",
    "xml-entities",
    "logix-escapes",
    "utf16",
    "base64",
    "sqlite-cells",
    "delimited-tables",
    "logical-paths",
    "scl",
    "node-red-credentials",
    "rule-engine",
    "named-values",
]

let package = Package(
    name: "custos-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "custos", path: "..")],
    targets: targets.map { name in
        .executableTarget(name: "fuzz-\(name)",
                          dependencies: ["CLibFuzzer", .product(name: "CustosFuzzTargets", package: "custos")],
                          path: "Sources/fuzz-\(name)")
    } + [.target(name: "CLibFuzzer")]
)
