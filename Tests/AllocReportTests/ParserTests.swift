import AllocReport
import XCTest

final class ParserTests: XCTestCase {
    func testParsesEveryFormOfTagInfo() throws {
        let report = try Fixture.report("new.allocinfo")
        XCTAssertEqual(report.entries, [
            AllocinfoEntry(site: .untagged, bytes: 8192, calls: 5),
            AllocinfoEntry(site: AllocSiteKey(file: "Sources/App/Cache.swift", line: 42, function: "Cache.insert(_:)"), bytes: 3_145_728, calls: 48),
            AllocinfoEntry(site: AllocSiteKey(file: "src/parse.c", line: 120, function: "parse_token"), bytes: 32768, calls: 256),
            AllocinfoEntry(site: AllocSiteKey(module: "libpng16", file: "src/png.c", line: 88, function: "png_malloc_base"), bytes: 20480, calls: 2),
            AllocinfoEntry(site: AllocSiteKey(module: "libpng16", file: "src/png.c", line: 95, function: "png_create_struct"), bytes: 1024, calls: 1, accurate: false),
            AllocinfoEntry(site: AllocSiteKey(file: "include/list.h", line: 33, function: "list_new"), bytes: 100, calls: 1),
            AllocinfoEntry(site: AllocSiteKey(file: "include/list.h", line: 33, function: "list_new"), bytes: 200, calls: 2),
            // A path with a space and a colon, and " func:" inside the function name.
            AllocinfoEntry(site: AllocSiteKey(file: "My Project/src/a:b.c", line: 9, function: "weird func:name"), bytes: 0, calls: 0),
        ])
        XCTAssertTrue(report.entries[0].site.isUntagged)
        XCTAssertEqual(report.totalBytes, 8192 + 3_145_728 + 32768 + 20480 + 1024 + 300)
        XCTAssertEqual(report.totalCalls, 5 + 48 + 256 + 2 + 1 + 3)
    }

    func testTextIsByteExactRoundTrip() throws {
        for name in ["old.allocinfo", "new.allocinfo"] {
            let text = try Fixture.text(name)
            XCTAssertEqual(try AllocinfoReport(parsing: text).text, text, name)
        }
    }

    func testAcceptsMissingTrailingSpaceAndFinalNewline() throws {
        let text = "allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n   12 3 a.c:1 func:f\n-4 0 b.c:2 [m] func:g accurate:no"
        let report = try AllocinfoReport(parsing: text)
        XCTAssertEqual(report.entries, [
            AllocinfoEntry(site: AllocSiteKey(file: "a.c", line: 1, function: "f"), bytes: 12, calls: 3),
            AllocinfoEntry(site: AllocSiteKey(module: "m", file: "b.c", line: 2, function: "g"), bytes: -4, calls: 0, accurate: false),
        ])
        XCTAssertEqual(report.entries[1].allocinfoLine, "          -4        0 b.c:2 [m] func:g accurate:no \n")
    }

    func testHeaderOnlyIsAnEmptyReport() throws {
        XCTAssertEqual(try AllocinfoReport(parsing: AllocinfoReport.header).entries, [])
    }

    func testErrorsNameLineColumnAndWhatWasExpected() {
        let header = AllocinfoReport.header
        let cases: [(String, String)] = [
            ("", "in:1:1: error: expected the header 'allocinfo - version: 2.0', found an empty input (is this an allocinfo report?)"),
            ("hello\n", "in:1:1: error: expected the header 'allocinfo - version: 2.0' (is this an allocinfo report?)"),
            ("allocinfo - version: 1.0\n", "in:1:22: error: unsupported allocinfo version '1.0'; this reader understands version 2.0"),
            ("allocinfo - version: 2.0\n", "in:2:1: error: expected the column header '#     <size>  <calls> <tag info>' after the version line"),
            ("allocinfo - version: 2.0\r\n", "in:1:25: error: line ends in a carriage return; allocinfo lines end in '\\n' only (convert CRLF line endings)"),
            (header + "  12 3 a.c:1 func:f \n\n", "in:4:1: error: empty line; every line after the header describes one tag"),
            (header + "  x 3 a.c:1 func:f \n", "in:3:3: error: expected the live size in bytes (a decimal integer, printed as %12lli)"),
            (header + "  12\n", "in:3:5: error: expected a space after the size"),
            (header + "  12 -3 a.c:1 func:f\n", "in:3:6: error: expected the live allocation count (a decimal integer, printed as %8llu)"),
            (header + "  12 3\n", "in:3:7: error: expected a space and the tag info 'file:line func:name' after the call count"),
            (header + "  12 3 a.c func:f\n", "in:3:8: error: expected the tag info 'file:line func:name' or 'file:line [module] func:name'"),
            (header + "  12 3 a.c:1 fn:f\n", "in:3:8: error: expected the tag info 'file:line func:name' or 'file:line [module] func:name'"),
            (header + "  12 3 a.c:1 func:\n", "in:3:8: error: expected the tag info 'file:line func:name' or 'file:line [module] func:name'"),
            (header + "  12 3 a.c:x1 func:f\n", "in:3:8: error: expected the tag info 'file:line func:name' or 'file:line [module] func:name'"),
            (header + "  99999999999999999999 3 a.c:1 func:f\n", "in:3:3: error: expected the live size in bytes (a decimal integer, printed as %12lli)"),
        ]
        for (input, expected) in cases {
            XCTAssertThrowsError(try AllocinfoReport(parsing: input, source: "in"), expected) { error in
                XCTAssertEqual("\(error)", expected)
            }
        }
    }

    func testRejectsInvalidUTF8InTagInfo() {
        var bytes = Array((AllocinfoReport.header + "  1 1 a.c:1 func:").utf8)
        bytes += [0xff, 0xfe, 0x0a]
        XCTAssertThrowsError(try AllocinfoReport(parsing: bytes, source: "bin")) { error in
            XCTAssertEqual("\(error)", "bin:3:7: error: expected the tag info 'file:line func:name' or 'file:line [module] func:name'")
        }
    }

    func testReadsFilesAndReportsUnreadableOnes() throws {
        XCTAssertEqual(try AllocinfoReport.read(path: Fixture.path("old.allocinfo")).entries.count, 6)
        XCTAssertThrowsError(try AllocinfoReport.read(path: "/nonexistent/x.allocinfo")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/x.allocinfo: error: cannot read: No such file or directory")
        }
    }

    func testMergeSumsDuplicateSites() throws {
        let merged = try Fixture.report("new.allocinfo").merged()
        XCTAssertEqual(merged.entries.count, 7)
        XCTAssertEqual(merged.entries[5], AllocinfoEntry(site: AllocSiteKey(file: "include/list.h", line: 33, function: "list_new"), bytes: 300, calls: 3))
    }
}
