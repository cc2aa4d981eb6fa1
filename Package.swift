// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "alloctag",
    products: [
        // What users link: the interposed allocator, the hooks and the Swift API.
        .library(name: "TagRuntime", targets: ["TagRuntime"]),
        // The same runtime as a shared library, for LD_PRELOAD and for C builds (`tagger cc`).
        .library(name: "TagRuntimePreload", type: .dynamic, targets: ["CAllocTag"]),
        .executable(name: "tagger", targets: ["tagger"]),
        // Optional: per-site live bytes and counts as swift-metrics gauges (the core runtime stays dependency-free).
        .library(name: "TagRuntimeMetrics", targets: ["TagRuntimeMetrics"]),
        // For test targets: what a block of code allocated, checked against a per-site budget.
        .library(name: "AllocTagTesting", targets: ["AllocTagTesting"]),
        // What a package adds to a target: static tags for its annotated sites, warnings for the rest.
        .plugin(name: "AllocTagBuildPlugin", targets: ["AllocTagBuildPlugin"]),
        // `swift package --allow-writing-to-package-directory alloc-tag annotate|check --target X`.
        .plugin(name: "AllocTagCommandPlugin", targets: ["AllocTagCommandPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.0"),
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
            dependencies: ["CAllocTag", "AllocSiteRules"],
            path: "Sources/TagRuntime/Swift"
        ),
        // How sites are matched (globs, the kernel's filters) and ranked: shared by the runtime's
        // Swift API, its metrics and the tagger's reports, so they cannot disagree. No dependency.
        .target(name: "AllocSiteRules", path: "Sources/TagRuntime/SiteRules"),

        .target(
            name: "TagRuntimeMetrics",
            dependencies: ["TagRuntime", "AllocSiteRules", .product(name: "CoreMetrics", package: "swift-metrics")],
            path: "Sources/TagRuntime/Metrics"
        ),

        .target(name: "AllocTagTesting", dependencies: ["TagRuntime", "AllocReport"], path: "Sources/TagRuntime/Testing"),

        // MARK: tagger
        .target(name: "TaggerCore", dependencies: ["AllocSiteRules"], path: "Sources/tagger/TaggerCore"),
        // The coverage gate (`tagger check`): suppressions, baselines, coverage, reporters. No front end.
        .target(name: "TaggerGate", dependencies: ["TaggerCore", "TaggerLexScan"], path: "Sources/tagger/Gate"),
        // Token-level Swift and C site scan without swift-syntax or libclang: what every user build runs.
        .target(name: "TaggerLexScan", dependencies: ["TaggerCore"], path: "Sources/tagger/LexScan"),
        // swift-syntax front end: finds and annotates Swift sites (CLI and command plugin only).
        .target(
            name: "TaggerSwift",
            dependencies: [
                "TaggerCore", "TaggerLexScan",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ],
            path: "Sources/tagger/SwiftFrontEnd"
        ),
        // libclang's C API as this project declares it, loaded at run time with dlopen.
        .target(name: "CLibclang", path: "Sources/tagger/Libclang"),
        // libclang front end for C: sites, helper inference, annotation, `tagger cc` (CLI only).
        .target(name: "TaggerC", dependencies: ["TaggerCore", "CLibclang"], path: "Sources/tagger/CFrontEnd"),
        // Reports: allocinfo parser, filters, diff, pprof/folded/JSON/HTML, live inspection client. Only TaggerCore (glob, hash).
        .target(name: "AllocReport", dependencies: ["TaggerCore"], path: "Sources/tagger/Reports"),
        // The workspace driver behind `scan`, `annotate`, `check` and the build plugin's generator:
        // one walker, routing to the front ends (providers), `--output` mirroring, all-or-nothing
        // writing, the gate's evaluation; and the token-scan providers. No heavy front end: the
        // generator links it, so it must never depend on swift-syntax or libclang.
        .target(
            name: "TaggerWorkspace",
            dependencies: ["TaggerCore", "TaggerGate", "TaggerLexScan"],
            path: "Sources/tagger/Workspace"
        ),
        // The libclang front end as the driver's provider: `tagger check`'s C analysis, and the
        // build plugin's. No swift-syntax (TaggerC loads libclang with dlopen at run time).
        .target(
            name: "TaggerCProvider",
            dependencies: ["TaggerCore", "TaggerWorkspace", "TaggerC"],
            path: "Sources/tagger/CProvider"
        ),
        // The swift-syntax front end as the driver's provider, and `cc`: CLI only.
        .target(
            name: "TaggerProviders",
            dependencies: ["TaggerCore", "TaggerWorkspace", "TaggerSwift", "TaggerC"],
            path: "Sources/tagger/Providers"
        ),
        // Run by the build plugin on every build: must never depend on swift-syntax (nor on
        // anything that does: TaggerProviders, TaggerSwift). Its C warnings come from the
        // libclang provider, check's own, so they are check's findings by construction.
        .executableTarget(
            name: "alloctag-gen",
            dependencies: ["TaggerCore", "TaggerLexScan", "TaggerGate", "TaggerWorkspace", "TaggerCProvider", "TaggerC"],
            path: "Sources/tagger/Gen"
        ),
        .executableTarget(
            name: "tagger",
            dependencies: [
                "TaggerCore", "TaggerGate", "TaggerWorkspace", "TaggerProviders", "TaggerCProvider", "TaggerC",
                "AllocReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/tagger/CLI"
        ),

        // MARK: Plugins
        .plugin(name: "AllocTagBuildPlugin", capability: .buildTool(), dependencies: ["alloctag-gen"]),
        .plugin(
            name: "AllocTagCommandPlugin",
            capability: .command(
                // No declared permission: it would be demanded of `check` too. `annotate` writes
                // with `--allow-writing-to-package-directory`, which opens the package to the plugin.
                intent: .custom(verb: "alloc-tag", description: "Annotate allocation sites (annotate) or report untagged ones (check)")
            ),
            dependencies: ["tagger"]
        ),

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
        // Both Swift front ends over real packages' files and fuzzed mutants (Tests/Corpus/run.sh).
        .executableTarget(
            name: "alloctag-corpus",
            dependencies: ["TaggerCore", "TaggerLexScan", "TaggerSwift"],
            path: "Tests/Corpus/Tool"
        ),
        // The coverage gate with hand-built sites (no front end), golden files for every reporter.
        .testTarget(name: "GateTests", dependencies: ["TaggerGate", "TaggerCore"], path: "Tests/GateTests/Unit", exclude: ["Golden"]),
        // `tagger check` end to end through the real front ends (builds the tagger executable).
        .testTarget(name: "GateEndToEndTests", dependencies: ["tagger", "alloctag-gen"], path: "Tests/GateTests/EndToEnd"),
        .testTarget(name: "TaggerCoreTests", dependencies: ["TaggerCore"], path: "Tests/TaggerCoreTests"),
        .testTarget(name: "AllocReportTests", dependencies: ["AllocReport"], path: "Tests/AllocReportTests", exclude: ["Fixtures"]),
        .testTarget(
            name: "TagRuntimeMetricsTests",
            dependencies: ["TagRuntimeMetrics", "TagRuntime", "AllocReport", .product(name: "MetricsTestKit", package: "swift-metrics")],
            path: "Tests/TagRuntimeMetricsTests"
        ),
        .testTarget(name: "AllocTagTestingTests", dependencies: ["AllocTagTesting", "TagRuntime", "AllocReport"], path: "Tests/AllocTagTestingTests"),
        // Test support shared by the test targets (the one marked-text helper).
        .target(name: "TaggerTestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CFrontEndTests", dependencies: ["TaggerC", "TaggerCore", "TaggerTestSupport"], path: "Tests/CFrontEndTests"),
        .testTarget(name: "SwiftFrontEndTests", dependencies: ["TaggerSwift", "TaggerLexScan", "TaggerCore", "TaggerTestSupport"], path: "Tests/SwiftFrontEndTests"),
    ]
)
