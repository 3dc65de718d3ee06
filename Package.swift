// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "custos",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "custos", targets: ["custos"]),
        .library(name: "CustosEngine", targets: ["CustosEngine"]),
        // The fuzz package (Fuzz/) links the target functions through this product.
        .library(name: "CustosFuzzTargets", targets: ["CustosFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // C libraries from Debian, each behind a small system-library shim.
        .systemLibrary(name: "CVectorscan", pkgConfig: "libhs",
                       providers: [.apt(["libvectorscan-dev"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8",
                       providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2",
                       providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CGitZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // The kernel's directory listing on an open descriptor (no library: a header only).
        .systemLibrary(name: "CDirectoryListing"),

        .target(name: "CustosCore",
                dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "CustosYAML", dependencies: ["Yams"]),
        .target(name: "CustosRules", dependencies: ["CustosCore", "CustosYAML"]),
        // The rules and vocabulary shipped in rules/ and the rules' Vectorscan database, embedded
        // at build time. Apart from CustosRules and CustosEngine so the build tool can use them
        // (a plugin's tool cannot depend on a target that runs a plugin).
        .target(name: "CustosBuiltinRules", dependencies: ["CustosRules", "CustosEngine"], plugins: ["EmbedRules"]),
        .target(name: "CustosEngine",
                dependencies: ["CustosCore", "CustosRules", "CustosDecoders", "CVectorscan", "CPCRE2"]),
        .target(name: "CustosSources", dependencies: ["CustosCore", "CGit2", "CGitZlib", "CDirectoryListing"]),
        .target(name: "CustosOwners", dependencies: ["CustosCore", "CustosYAML"]),
        .target(name: "CustosReport", dependencies: ["CustosCore"]),
        .target(name: "CustosConfig",
                dependencies: ["CustosCore", "CustosYAML", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "CustosDecoders",
                dependencies: ["CustosCore", "CArchive", "CSQLite",
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "_CryptoExtras", package: "swift-crypto")]),
        .target(name: "CustosScan",
                dependencies: ["CustosCore", "CustosEngine", "CustosSources", "CustosDecoders"]),
        .target(name: "CustosSweep",
                dependencies: ["CustosCore", "CustosEngine", "CustosSources", "CustosScan", "CustosOwners", "CustosReport",
                               .product(name: "GRDB", package: "GRDB.swift"),
                               .product(name: "GRDBSQLite", package: "GRDB.swift"),
                               .product(name: "Crypto", package: "swift-crypto")]),
        // The fleet database (PostgreSQL): publish sweep states, fleet views, `who` across plants.
        .target(name: "CustosFleet",
                dependencies: ["CustosCore", "CustosSources", "CustosSweep", "CustosReport",
                               .product(name: "PostgresNIO", package: "postgres-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                               .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "custos",
                          dependencies: ["CustosCore", "CustosRules", "CustosBuiltinRules", "CustosEngine",
                                         "CustosSources", "CustosScan", "CustosReport", "CustosOwners", "CustosSweep",
                                         "CustosFleet",
                                         "CustosConfig",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          plugins: ["EmbedBuildInfo"]),

        // Measures named-value scanning on files and folders (bench/named_values.sh); not shipped.
        .executableTarget(name: "named-values-bench", dependencies: ["CustosCore", "CustosDecoders", "CustosRules", "CustosBuiltinRules"],
                          path: "Sources/named-values-bench"),

        // Build-time embedding of rules/*.yaml into the library, so the binary carries its rules.
        .executableTarget(name: "custos-embed-rules", dependencies: ["CustosRules", "CustosEngine"], path: "Sources/custos-embed-rules"),
        .plugin(name: "EmbedRules", capability: .buildTool(), dependencies: ["custos-embed-rules"]),
        // Build-time version (VERSION) and git commit for `custos --version`.
        .executableTarget(name: "custos-build-info", path: "Sources/custos-build-info"),
        .plugin(name: "EmbedBuildInfo", capability: .buildTool(), dependencies: ["custos-build-info"]),

        .target(name: "CustosTestSupport",
                dependencies: ["CustosCore", "CArchive"],
                path: "Sources/CustosTestSupport"),
        // Each fuzz target's function, shared by the libFuzzer executables in Fuzz/ and the
        // smoke run in `make test` (CustosFuzzTargetsTests).
        .target(name: "CustosFuzzTargets",
                dependencies: ["CustosCore", "CustosDecoders", "CustosEngine", "CustosRules", "CustosBuiltinRules", "CustosTestSupport"]),
        .testTarget(name: "CustosCoreTests", dependencies: ["CustosCore"]),
        .testTarget(name: "CustosRulesTests", dependencies: ["CustosRules", "CustosBuiltinRules", "CustosEngine"]),
        .testTarget(name: "CustosEngineTests", dependencies: ["CustosEngine", "CustosRules", "CustosTestSupport"]),
        .testTarget(name: "CustosSourcesTests", dependencies: ["CustosSources", "CustosTestSupport"]),
        .testTarget(name: "CustosScanTests", dependencies: ["CustosScan", "CustosEngine", "CustosRules", "CustosTestSupport"]),
        .testTarget(name: "CustosOwnersTests", dependencies: ["CustosOwners", "CustosTestSupport"]),
        .testTarget(name: "CustosDecodersTests", dependencies: ["CustosDecoders", "CustosRules", "CustosBuiltinRules", "CustosTestSupport"]),
        .testTarget(name: "CustosFuzzTargetsTests", dependencies: ["CustosFuzzTargets", "CustosTestSupport"]),
        .testTarget(name: "CustosConfigTests",
                    dependencies: ["CustosConfig", "CustosCore", "CustosYAML", "CustosRules", "CustosEngine",
                                   .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "CustosReportTests", dependencies: ["CustosReport", "CustosTestSupport"]),
        .testTarget(name: "CustosSweepTests",
                    dependencies: ["CustosSweep", "CustosScan", "CustosEngine", "CustosRules", "CustosOwners", "CustosReport", "CustosTestSupport",
                                   .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CustosFleetTests",
                    dependencies: ["CustosFleet", "CustosSweep", "CustosCore", "CustosTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["CustosTestSupport"]),
    ]
)
