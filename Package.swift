// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "alloctag",
    products: [
        // What users link: the interposed allocator, the hooks and the Swift API.
        .library(name: "TagRuntime", targets: ["TagRuntime"]),
        // The same runtime as a shared library, for LD_PRELOAD and for C builds (`tagger cc`).
        .library(name: "TagRuntimePreload", type: .dynamic, targets: ["CAllocTag"]),
    ],
    targets: [
        // MARK: Runtime
        .target(
            name: "CAllocTag",
            path: "Sources/TagRuntime/Core",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(
            name: "TagRuntime",
            dependencies: ["CAllocTag"],
            path: "Sources/TagRuntime/Swift"
        ),

        // MARK: tagger
        .target(name: "TaggerCore", path: "Sources/tagger/TaggerCore"),

        // MARK: Examples
        .executableTarget(name: "alloctag-example-c", dependencies: ["CAllocTag"], path: "Examples/CExample"),
        .executableTarget(name: "alloctag-example-swift", dependencies: ["TagRuntime"], path: "Examples/SwiftExample"),

        // MARK: Tests
        // Self-checking scenarios of the Swift API; run in debug and in release by Tests/run-all.
        .executableTarget(name: "tagruntime-swift-probe", dependencies: ["TagRuntime"], path: "Tests/RuntimeSwiftProbe"),
        // Overhead against plain glibc, measured in one run: `swift run -c release alloctag-bench`.
        .executableTarget(name: "alloctag-bench", dependencies: ["CAllocTag"], path: "Tests/Benchmarks/Micro"),
        .testTarget(name: "TaggerCoreTests", dependencies: ["TaggerCore"], path: "Tests/TaggerCoreTests"),
    ]
)
