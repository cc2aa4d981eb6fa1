// swift-tools-version:5.9
import PackageDescription

// A package written the way ordinary Swift is written (issue 13): the library `Ordinary` holds
// the code, `OrdinaryRun` runs it and keeps its results live. It knows nothing of alloctag as
// committed: Tests/SwiftPackages/Ordinary/run.sh adds alloctag to a scratch copy as a user
// would (the dependency, then TagRuntime and the build plugin on each target).
let package = Package(
    name: "Ordinary",
    platforms: [.macOS(.v13)],
    dependencies: [
    ],
    targets: [
        .target(
            name: "Ordinary",
            dependencies: [
            ]
        ),
        .executableTarget(
            name: "OrdinaryRun",
            dependencies: [
                "Ordinary",
            ]
        ),
    ]
)
