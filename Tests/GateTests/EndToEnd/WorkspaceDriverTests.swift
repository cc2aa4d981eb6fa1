import Foundation
import XCTest

/// The workspace driver through the CLI: one walker for every command, one `--output`
/// mirror for every language, and all-or-nothing writing across languages.
final class WorkspaceDriverTests: XCTestCase {
    private let swift = "func grow() -> UnsafeMutableRawPointer? { malloc(8) }\n"
    private let c = "#include <stdlib.h>\nvoid keep(void);\nint main(void) { char *p = malloc(10); keep(); return p != 0; }\n"

    /// A tree with an allocation in every file, sources and non-sources alike.
    private func tree() throws -> Scratch {
        let dir = try Scratch()
        for file in ["a.c", "sub/b.c", ".build/checkouts/x.c", ".hidden/y.c"] {
            try dir.write(file, "#include <stdlib.h>\nvoid *f_\(file.count)(void) { return malloc(1); }\n")
        }
        for file in ["Pool.swift", "sub/Queue.swift", "Package.swift", "sub/Package@swift-5.9.swift", ".build/z.swift"] {
            try dir.write(file, swift)
        }
        try dir.write("notes.txt", "malloc(1)\n")
        return dir
    }

    /// Paths below `dir`, whatever the spelling a command used.
    private func relative(_ paths: [String], to dir: Scratch) -> [String] {
        let root = dir.url.resolvingSymlinksInPath().path
        return paths.map { p in
            var p = p.hasPrefix("/") ? URL(fileURLWithPath: p).resolvingSymlinksInPath().path : p
            if p.hasPrefix(root + "/") { p.removeFirst(root.count + 1) }
            if p.hasPrefix("./") { p.removeFirst(2) }
            return p
        }.sorted()
    }

    func testScanCheckAndAnnotateWalkTheSameFiles() throws {
        let dir = try tree()
        let expected = ["Pool.swift", "a.c", "sub/Queue.swift", "sub/b.c"]

        let scan = try Tagger.run(["scan", "--json", "."], in: dir.url)
        XCTAssertEqual(scan.status, 0, scan.stderr)
        let scanned = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        let sites = try XCTUnwrap(scanned["sites"] as? [[String: Any]])
        XCTAssertEqual(relative(sites.compactMap { ($0["location"] as? [String: Any])?["file"] as? String }, to: dir), expected)

        let check = try Tagger.run(["check", ".", "--reporter", "json"], in: dir.url)
        XCTAssertEqual(check.status, 0, check.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        let coverage = try XCTUnwrap((report["coverage"] as? [String: Any])?["files"] as? [[String: Any]], check.stdout)
        XCTAssertEqual(relative(coverage.compactMap { $0["file"] as? String }, to: dir), expected)

        let annotate = try Tagger.run(["annotate", "--output", "out", ".", "--", Tagger.runtimeInclude], in: dir.url)
        XCTAssertEqual(annotate.status, 0, annotate.stdout + annotate.stderr)
        let written = FileManager.default.enumerator(atPath: dir.url.appendingPathComponent("out").path)?
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".c") || $0.hasSuffix(".swift") } ?? []
        XCTAssertEqual(written.sorted(), expected)
    }

    func testAFileNamedAndInATargetIsCheckedOnce() throws {
        let dir = try Scratch()
        try dir.write("Sources/App/main.swift", "let p = UnsafeMutablePointer<Int>.allocate(capacity: 4)\n")
        try dir.write("Package.swift", "// swift-tools-version: 6.0\nimport PackageDescription\nlet package = Package(name: \"P\", targets: [.executableTarget(name: \"App\")])\n")
        let run = try Tagger.run(["check", "./Sources/App", "--target", "App"], in: dir.url)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(Array(run.lines.dropFirst()), [
            "coverage: 0.0% (0/1) Sources/App/main.swift",
            "coverage: 0.0% (0/1) total",
            "check passed: 0 errors, 1 warning, 0 notes; 0 suppressed, 0 baselined",
        ], run.stdout)
    }

    func testOutputMirrorsSwiftAndCBelowTheSameRoot() throws {
        let dir = try Scratch()
        try dir.write("lib/x/ok.c", c)
        try dir.write("lib/y/Pool.swift", swift)
        try dir.write("work/.keep", "")
        let run = try Tagger.run(["annotate", "--output", "out", "../lib/x/ok.c", "../lib/y/Pool.swift", "--", Tagger.runtimeInclude],
                                 in: dir.url.appendingPathComponent("work"))
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        // Both below the inputs' common directory (lib), neither flattened to its file name.
        XCTAssertTrue(try dir.read("work/out/x/ok.c").contains("alloc_hooks(malloc(10))"))
        XCTAssertTrue(try dir.read("work/out/y/Pool.swift").contains("withAllocTag(&allocTag_Pool_grow_"))
        XCTAssertEqual(try dir.read("lib/x/ok.c"), c)
        XCTAssertEqual(try dir.read("lib/y/Pool.swift"), swift)
    }

    func testASwiftParseErrorLeavesTheCFilesUnwritten() throws {
        let dir = try Scratch()
        let broken = "func grow( -> UnsafeMutableRawPointer? { malloc(8) }\n"
        try dir.write("Pool.swift", broken)
        try dir.write("ok.c", c)
        let run = try Tagger.run(["annotate", "Pool.swift", "ok.c", "--", Tagger.runtimeInclude], in: dir.url)
        XCTAssertEqual(run.status, 65, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("tagger annotate: error: Swift parse errors; no file was written"), run.stderr)
        XCTAssertEqual(try dir.read("ok.c"), c)
        XCTAssertEqual(try dir.read("Pool.swift"), broken)
    }

    func testAFileThatCannotBeWrittenLeavesEveryOtherFileUnwritten() throws {
        let dir = try Scratch()
        try dir.write("Pool.swift", swift)
        try dir.write("ok.c", c)
        try dir.write("out/Pool.swift/in-the-way", "")  // a directory where the Swift copy would go
        let run = try Tagger.run(["annotate", "--output", "out", "Pool.swift", "ok.c", "--", Tagger.runtimeInclude], in: dir.url)
        XCTAssertEqual(run.status, 65, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("out/Pool.swift: cannot write: is a directory; no file was written"), run.stderr)
        let out = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("out").path)
        XCTAssertEqual(out, ["Pool.swift"], "the C copy, or a temporary, was left behind")
        XCTAssertEqual(run.stdout, "")
    }
}
