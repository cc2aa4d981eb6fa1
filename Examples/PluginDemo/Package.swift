// swift-tools-version: 6.0
import PackageDescription

// A package that uses alloctag the way a user's does. The three lines marked "alloctag"
// are all it adds; `swift package --allow-writing-to-package-directory alloc-tag annotate`
// then tags its sources in place.
let package = Package(
    name: "PluginDemo",
    dependencies: [
        .package(name: "alloctag", path: "../.."),  // alloctag (1 of 3)
    ],
    targets: [
        .target(
            name: "DemoC",
            dependencies: [.product(name: "TagRuntime", package: "alloctag")],  // alloctag (2 of 3)
            plugins: [.plugin(name: "AllocTagBuildPlugin", package: "alloctag")]  // alloctag (3 of 3)
        ),
        .executableTarget(
            name: "PluginDemo",
            dependencies: ["DemoC", .product(name: "TagRuntime", package: "alloctag")],
            plugins: [.plugin(name: "AllocTagBuildPlugin", package: "alloctag")]
        ),
    ]
)
