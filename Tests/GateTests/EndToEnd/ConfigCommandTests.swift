import Foundation
import XCTest

/// `.alloctag.json` through the commands: both front ends read both shapes of the one schema,
/// and a file with an unknown key stops the command with exit 65, naming the file and the key.
final class ConfigCommandTests: XCTestCase {
    private let c = "void *xalloc(unsigned long n);\nvoid *make(void) { return xalloc(10); }\n"
    private let swift = "final class Node {}\nfunc grow() -> Node { Node() }\n"

    func testBothShapesAreReadByBothFrontEnds() throws {
        for config in [#"{"allocators": ["xalloc"], "swift": {"types": ["Node"]}}"#,
                       #"{"c": {"allocators": ["xalloc"]}, "swift": {"types": ["Node"]}}"#] {
            let dir = try Scratch()
            try dir.write("src/.alloctag.json", config)
            try dir.write("src/a.c", c)
            try dir.write("src/Pool.swift", swift)
            let run = try Tagger.run(["scan", "src/a.c", "src/Pool.swift"], in: dir.url)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.lines.filter { $0.contains(" sites, ") }, ["2 sites, 1 tagged, 1 untagged; 1 helpers (1 with the _noprof recipe); 2 files"], config + "\n" + run.stdout)
        }
    }

    func testAnUnknownKeyStopsEitherFrontEndWithTheFileAndKey() throws {
        for input in ["a.c", "Pool.swift"] {
            let dir = try Scratch()
            try dir.write(".alloctag.json", "{\n  \"c\": {\"allocater\": [\"xalloc\"]}\n}\n")
            try dir.write("a.c", c)
            try dir.write("Pool.swift", swift)
            let run = try Tagger.run(["scan", input], in: dir.url)
            XCTAssertEqual(run.status, 65, input + ": " + run.stdout + run.stderr)
            XCTAssertTrue(run.stderr.contains(#".alloctag.json:2:9: error: invalid .alloctag.json: unknown key "c.allocater""#), input + ": " + run.stderr)
            // Compiler form, once: the line starts with the file (no "tagger scan: error:" in front).
            XCTAssertTrue(run.stderr.hasPrefix(dir.url.path) || run.stderr.hasPrefix("/"), input + ": " + run.stderr)
            XCTAssertEqual(run.stderr.components(separatedBy: ": error: ").count, 2, input + ": " + run.stderr)
            XCTAssertEqual(run.stdout, "", input)
        }
    }
}
