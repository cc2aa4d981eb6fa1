import AllocReport
import XCTest

final class DiffTests: XCTestCase {
    func testDiffTextIsExact() throws {
        let diff = AllocinfoDiff(old: try Fixture.report("old.allocinfo"), new: try Fixture.report("new.allocinfo"))
        XCTAssertEqual(diff.text, """
            alloctag diff - version: 1.0
            # old: old.allocinfo
            # new: new.allocinfo
            #     <growth>   <calls>   <old size>   <new size> <tag info>
                  +2097152       +32      1048576      3145728 Sources/App/Cache.swift:42 func:Cache.insert(_:)
                     +4096        +2         4096         8192 <untagged>:0 func:<untagged>
                     +1024        +1            0         1024 src/png.c:95 [libpng16] func:png_create_struct accurate:no (new)
                      +200        +2          100          300 include/list.h:33 func:list_new
                     -2048        -1         2048            0 src/old.c:7 func:legacy_init (gone)
                    -32768      -256        65536        32768 src/parse.c:120 func:parse_token
            #     +2067656      -220 total of 6 changed sites

            """)
    }

    func testDiffSortByCallsFilterAndTop() throws {
        var diff = AllocinfoDiff(old: try Fixture.report("old.allocinfo"), new: try Fixture.report("new.allocinfo"))
        diff.sort(by: .calls)
        XCTAssertEqual(diff.rows.map(\.site.function), ["Cache.insert(_:)", "<untagged>", "list_new", "png_create_struct", "legacy_init", "parse_token"])
        XCTAssertEqual(diff.filtered(ReportFilter(file: "src/*")).prefix(2).rows.map(\.deltaBytes), [1024, -2048])
        XCTAssertEqual(diff.filtered(ReportFilter(minBytes: 0)).rows.map(\.deltaBytes), [2_097_152, 4096, 200, 1024])
    }

    func testDiffOfIdenticalReportsIsEmpty() throws {
        let r = try Fixture.report("new.allocinfo")
        let diff = AllocinfoDiff(old: r, new: r)
        XCTAssertEqual(diff.rows, [])
        XCTAssertTrue(diff.text.hasSuffix("#           +0        +0 total of 0 changed sites\n"))
    }

    func testDeltaReportCarriesGrowth() throws {
        let delta = AllocinfoDiff(old: try Fixture.report("old.allocinfo"), new: try Fixture.report("new.allocinfo")).deltaReport
        XCTAssertEqual(delta.entries.map(\.bytes), [2_097_152, 4096, 1024, 200, -2048, -32768])
        XCTAssertEqual(delta.entries.map(\.calls), [32, 2, 1, 2, -1, -256])
        XCTAssertEqual(delta.source, "old.allocinfo -> new.allocinfo")
    }
}
