import AllocReport
import XCTest

final class FilterSortTests: XCTestCase {
    private func functions(_ report: AllocinfoReport) -> [String] { report.entries.map(\.site.function) }

    func testSortByBytesTopThreeIsGoldenText() throws {
        let text = try Fixture.report("new.allocinfo").sorted(by: .bytes).prefix(3).text
        XCTAssertEqual(text, """
            allocinfo - version: 2.0
            #     <size>  <calls> <tag info>
                 3145728       48 Sources/App/Cache.swift:42 func:Cache.insert(_:) \n\
                   32768      256 src/parse.c:120 func:parse_token \n\
                   20480        2 src/png.c:88 [libpng16] func:png_malloc_base \n
            """)
    }

    func testSortByCalls() throws {
        let sorted = try Fixture.report("new.allocinfo").sorted(by: .calls)
        XCTAssertEqual(functions(sorted), ["parse_token", "Cache.insert(_:)", "<untagged>", "png_malloc_base", "list_new", "png_create_struct", "list_new", "weird func:name"])
    }

    func testSortTiesAreBrokenBySite() {
        let a = AllocinfoEntry(site: AllocSiteKey(file: "b.c", line: 1, function: "f"), bytes: 10, calls: 1)
        let b = AllocinfoEntry(site: AllocSiteKey(file: "a.c", line: 2, function: "f"), bytes: 10, calls: 1)
        let c = AllocinfoEntry(site: AllocSiteKey(file: "a.c", line: 1, function: "f"), bytes: 10, calls: 1)
        XCTAssertEqual(AllocinfoReport(entries: [a, b, c]).sorted(by: .bytes).entries, [c, b, a])
    }

    func testKernelFilters() throws {
        let report = try Fixture.report("new.allocinfo")
        func f(_ filter: ReportFilter) -> [String] { functions(report.filtered(filter)) }
        XCTAssertEqual(f(ReportFilter(module: "libpng16")), ["png_malloc_base", "png_create_struct"])
        XCTAssertEqual(f(ReportFilter(module: "libpng")), [])
        XCTAssertEqual(f(ReportFilter(module: "libpng*")), ["png_malloc_base", "png_create_struct"])
        XCTAssertEqual(f(ReportFilter(function: "parse_token")), ["parse_token"])
        XCTAssertEqual(f(ReportFilter(function: "png_*")), ["png_malloc_base", "png_create_struct"])
        XCTAssertEqual(f(ReportFilter(file: "src/png.c", line: 95)), ["png_create_struct"])
        XCTAssertEqual(f(ReportFilter(file: "*.swift")), ["Cache.insert(_:)"])
        XCTAssertEqual(f(ReportFilter(file: "src/?arse.c")), ["parse_token"])
        XCTAssertEqual(f(ReportFilter(line: 33)), ["list_new", "list_new"])
        XCTAssertEqual(f(ReportFilter(minBytes: 20480)), ["Cache.insert(_:)", "parse_token", "png_malloc_base"])
        XCTAssertEqual(f(ReportFilter(maxBytes: 200)), ["list_new", "list_new", "weird func:name"])
        XCTAssertEqual(f(ReportFilter(minBytes: 1024, maxBytes: 8192)), ["<untagged>", "png_create_struct"])
        XCTAssertEqual(f(ReportFilter(inaccurateOnly: true)), ["png_create_struct"])
        XCTAssertEqual(f(ReportFilter(module: "libpng16", inaccurateOnly: true)), ["png_create_struct"])
        XCTAssertEqual(f(ReportFilter()), functions(report))
    }

    func testParseSize() {
        XCTAssertEqual(parseSize("4096"), 4096)
        XCTAssertEqual(parseSize("4K"), 4096)
        XCTAssertEqual(parseSize("4k"), 4096)
        XCTAssertEqual(parseSize("1.5M"), 1_572_864)
        XCTAssertEqual(parseSize("2GiB"), 2_147_483_648)
        XCTAssertEqual(parseSize("3kb"), 3072)
        XCTAssertEqual(parseSize("10B"), 10)
        XCTAssertEqual(parseSize("-100"), -100)
        XCTAssertNil(parseSize(""))
        XCTAssertNil(parseSize("lots"))
        XCTAssertNil(parseSize("4X"))
        XCTAssertNil(parseSize("-1K"))
        XCTAssertNil(parseSize("1ß"))
    }
}
