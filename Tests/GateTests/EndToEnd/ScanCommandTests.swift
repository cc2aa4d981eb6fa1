import Foundation
import XCTest

/// `tagger scan` over Swift and C inputs together: one result, whichever front ends ran.
final class ScanCommandTests: XCTestCase {
    func testMixedInputsPrintOneJSONDocument() throws {
        let dir = try Scratch()
        try dir.write("src/a.c", "#include <stdlib.h>\nvoid *make(void) { return malloc(10); }\n")
        try dir.write("src/Pool.swift", "func grow() -> UnsafeMutableRawPointer? { malloc(8) }\n")
        try dir.write("src/Package.swift", "let manifest = malloc(1)\n")  // a manifest is not a source

        let run = try Tagger.run(["scan", "--json", "src"], in: dir.url)
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let sites = try XCTUnwrap(object?["sites"] as? [[String: Any]], run.stdout)
        let places = sites.compactMap { ($0["location"] as? [String: Any]).flatMap { "\($0["file"] ?? ""):\($0["line"] ?? "")" } }
        XCTAssertEqual(places.count, 2, run.stdout)
        XCTAssertTrue(places.contains { $0.hasSuffix("src/a.c:2") }, "\(places)")
        XCTAssertTrue(places.contains { $0.hasSuffix("src/Pool.swift:1") }, "\(places)")
        XCTAssertEqual((object?["files"] as? [String])?.count, 2, run.stdout)
    }

    func testMixedInputsTextEndsWithOneSummary() throws {
        let dir = try Scratch()
        try dir.write("a.c", "#include <stdlib.h>\nvoid *make(void) { return malloc(10); }\n")
        try dir.write("Pool.swift", "func grow() -> UnsafeMutableRawPointer? { malloc(8) }\n")
        let run = try Tagger.run(["scan", "a.c", "Pool.swift"], in: dir.url)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.lines.filter { $0.contains(" sites, ") }, ["2 sites, 0 tagged, 2 untagged; 1 helpers (1 with the _noprof recipe); 2 files"], run.stdout)
    }
}

/// `tagger annotate` over Swift and C inputs together: all files or none.
final class AnnotateCommandTests: XCTestCase {
    func testACParseErrorLeavesTheSwiftFilesUnwritten() throws {
        let dir = try Scratch()
        let swift = "func grow() -> UnsafeMutableRawPointer? { malloc(8) }\n"
        let c = "#include <stdlib.h>\nvoid *make(void) { return malloc(10) }\n"  // missing ';'
        try dir.write("Pool.swift", swift)
        try dir.write("bad.c", c)
        let run = try Tagger.run(["annotate", "Pool.swift", "bad.c"], in: dir.url)
        XCTAssertEqual(run.status, 65, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("no file was written"), run.stderr)
        XCTAssertEqual(try dir.read("Pool.swift"), swift)
        XCTAssertEqual(try dir.read("bad.c"), c)
    }

    func testSwiftAndCAreBothWrittenWhenBothParse() throws {
        let dir = try Scratch()
        try dir.write("Pool.swift", "func grow() -> UnsafeMutableRawPointer? { malloc(8) }\n")
        try dir.write("ok.c", "#include <stdlib.h>\nvoid keep(void);\nint main(void) { char *p = malloc(10); keep(); return p != 0; }\n")
        let run = try Tagger.run(["annotate", "Pool.swift", "ok.c", "--", Tagger.runtimeInclude], in: dir.url)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let swift = try dir.read("Pool.swift"), c = try dir.read("ok.c")
        XCTAssertTrue(swift.contains("withAllocTag(&allocTag_Pool_grow_"), swift)
        XCTAssertTrue(c.contains("char *p = alloc_hooks(malloc(10));"), c)
    }
}
