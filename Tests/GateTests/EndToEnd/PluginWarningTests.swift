import Foundation
import XCTest

/// The build plugin's warnings (`alloctag-gen`, token scan) against `tagger check`'s findings
/// (swift-syntax) on the same Swift sources: the same places and rules, both through the gate.
final class PluginWarningTests: XCTestCase {
    /// `path:line:col [rule]` of each diagnostic line, sorted, paths made absolute against `directory`.
    private func keys(_ output: String, in directory: String) -> [String] {
        Diagnostic.parse(output, in: directory).map(\.key).sorted()
    }

    private func runGen(_ arguments: [String], in directory: URL) throws -> TaggerRun {
        try Gen.run(arguments, in: directory)
    }

    /// The Swift files under `directories`, as `tagger check` walks them.
    private func swiftFiles(_ directories: [String]) -> [String] {
        directories.flatMap { dir in
            (FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".swift") && !$0.hasPrefix(".") && !$0.hasSuffix("Package.swift") }
                .map { dir + "/" + $0 }
        }
    }

    func testThePluginWarnsWhereCheckDoesOnRealCode() throws {
        let repository = Tagger.repository.path
        // The resolved dependencies, next to the build folder this test runs from.
        let checkouts = Bundle.main.bundleURL.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("checkouts").path
        let directories = [checkouts + "/swift-argument-parser/Sources", checkouts + "/swift-metrics/Sources",
                           repository + "/Examples/PluginDemo/Sources/PluginDemo", repository + "/Examples/SwiftExample",
                           repository + "/Examples/AllocServer", repository + "/Tests/SwiftPackages/Ink/Workload"]
        let config = repository + "/Examples/PluginDemo/.alloctag.json"
        let files = swiftFiles(directories)
        XCTAssertGreaterThan(files.count, 60, "\(files.count) files: are the dependencies resolved under \(checkouts)?")

        let check = try Tagger.run(["check", "--config", config] + directories, in: Tagger.repository)
        XCTAssertEqual(check.status, 0, check.stderr)
        let scratch = try Scratch()
        let gen = try runGen(["--module", "Real", "--output", scratch.url.appendingPathComponent("AllocTags.swift").path,
                              "--config", config] + files, in: scratch.url)
        XCTAssertEqual(gen.status, 0, gen.stderr)

        let fromCheck = keys(check.stdout, in: repository), fromPlugin = keys(gen.stderr, in: "/")
        XCTAssertEqual(fromPlugin, fromCheck)
        // Locks.swift's six UnsafeMutablePointer.allocate and PluginDemo's six sites.
        XCTAssertEqual(fromCheck.count, 12, check.stdout)
    }

    func testASuppressedSiteIsWarnedByNeither() throws {
        let dir = try Scratch()
        try dir.write("main.swift", """
        import Foundation
        // alloc-tag: ignore-next-line
        let p = malloc(8)
        let q = malloc(9) // alloc-tag: ignore(untagged-site)
        let r = malloc(10)

        """)
        let check = try Tagger.run(["check", "main.swift"], in: dir.url)
        let gen = try runGen(["--module", "M", "--output", "AllocTags.swift", dir.url.appendingPathComponent("main.swift").path],
                             in: dir.url)
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let path = dir.url.appendingPathComponent("main.swift").standardized.path
        XCTAssertEqual(keys(check.stdout, in: dir.url.path), [path + ":5:9 [untagged-site]"], check.stdout)
        XCTAssertEqual(keys(gen.stderr, in: "/"), [path + ":5:9 [untagged-site]"], gen.stderr)
    }
}
