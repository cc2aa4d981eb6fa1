import TaggerCore
import XCTest

final class GlobAndHashTests: XCTestCase {
    func testGlobIsWholeStringWithStarAndQuestionMark() {
        XCTAssertTrue(Glob.matches("src/*.c", "src/a.c"))
        XCTAssertTrue(Glob.matches("src/*.c", "src/sub/a.c"))  // `*` crosses `/`, as the kernel's filter
        XCTAssertTrue(Glob.matches("table_?dd", "table_add"))
        XCTAssertFalse(Glob.matches("table_?dd", "table_dd"))
        XCTAssertFalse(Glob.matches("table", "table_add"))  // whole string, not a prefix
        XCTAssertTrue(Glob.matches("", ""))
        XCTAssertFalse(Glob.matches("", "a"))
        XCTAssertTrue(Glob.matches("**", ""))
        XCTAssertTrue(Glob.matches("é*", "été"))  // scalars, not bytes
    }

    func testGlobIsNotExponentialOnHostilePatterns() {
        let text = String(repeating: "a", count: 5000)
        let pattern = String(repeating: "*a", count: 50) + "b"
        XCTAssertFalse(Glob.matches(pattern, text))
    }

    func testFNV1aTestVectors() {
        XCTAssertEqual(FNV1a.hash(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(FNV1a.hash("a"), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(FNV1a.hash("foobar"), 0x8594_4171_f739_67e8)
        var h = FNV1a()
        h.add("foo")
        h.add("bar".utf8)
        XCTAssertEqual(h.value, FNV1a.hash("foobar"))
        XCTAssertEqual(h.hex, "85944171f73967e8")
    }
}
