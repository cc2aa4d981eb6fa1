// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "alloctag",
    products: [
        // What users link: the interposed allocator, the hooks and the Swift API.
        .library(name: "TagRuntime", targets: ["TagRuntime"]),
        // The same runtime as a shared library, for LD_PRELOAD and for C builds (`tagger cc`).
        .library(name: "TagRuntimePreload", type: .dynamic, targets: ["CAllocTag"]),
        // Optional: per-site live bytes and counts as swift-metrics gauges (the core runtime stays dependency-free).
        .library(name: "TagRuntimeMetrics", targets: ["TagRuntimeMetrics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
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
        .target(
            name: "TagRuntimeMetrics",
            dependencies: ["TagRuntime", .product(name: "CoreMetrics", package: "swift-metrics")],
            path: "Sources/TagRuntime/Metrics"
        ),

        // MARK: tagger
        .target(name: "TaggerCore", path: "Sources/tagger/TaggerCore"),
        // Reports: allocinfo parser, filters, diff, pprof/folded/JSON/HTML, live inspection client. No dependencies.
        .target(name: "AllocReport", path: "Sources/tagger/Reports"),

        // MARK: Examples
        .executableTarget(name: "alloctag-example-c", dependencies: ["CAllocTag"], path: "Examples/CExample"),
        .executableTarget(name: "alloctag-example-swift", dependencies: ["TagRuntime"], path: "Examples/SwiftExample"),
        // The live report over HTTP (as Go's net/http/pprof) and /metrics; no web framework.
        .executableTarget(
            name: "alloctag-example-server",
            dependencies: ["TagRuntime", "TagRuntimeMetrics", "AllocReport", .product(name: "CoreMetrics", package: "swift-metrics")],
            path: "Examples/AllocServer"
        ),

        // MARK: Tests
        // Self-checking scenarios of the Swift API; run in debug and in release by Tests/run-all.
        .executableTarget(name: "tagruntime-swift-probe", dependencies: ["TagRuntime"], path: "Tests/RuntimeSwiftProbe"),
        // Overhead against plain glibc, measured in one run: `swift run -c release alloctag-bench`.
        .executableTarget(name: "alloctag-bench", dependencies: ["CAllocTag"], path: "Tests/Benchmarks/Micro"),
        .testTarget(name: "TaggerCoreTests", dependencies: ["TaggerCore"], path: "Tests/TaggerCoreTests"),
        .testTarget(name: "AllocReportTests", dependencies: ["AllocReport"], path: "Tests/AllocReportTests", exclude: ["Fixtures"]),
        .testTarget(
            name: "TagRuntimeMetricsTests",
            dependencies: ["TagRuntimeMetrics", "TagRuntime", "AllocReport", .product(name: "MetricsTestKit", package: "swift-metrics")],
            path: "Tests/TagRuntimeMetricsTests"
        ),
    ]
)
