import AllocReport
import XCTest

/// The one query pipeline of `tagger allocinfo` and the example server: merge (except text),
/// filter, sort, top.
final class ReportQueryTests: XCTestCase {
    private func functions(_ report: AllocinfoReport) -> [String] { report.entries.map(\.site.function) }

    func testTextKeepsTheReportsLinesOtherViewsMergeThem() throws {
        let report = try Fixture.report("new.allocinfo")
        let lines = ReportQuery(filter: ReportFilter(line: 33), keepsLines: true).apply(to: report)
        XCTAssertEqual(lines.entries.map(\.bytes), [100, 200])
        let merged = ReportQuery(filter: ReportFilter(line: 33)).apply(to: report)
        XCTAssertEqual(merged.entries.map(\.bytes), [300])
        XCTAssertEqual(merged.entries.map(\.calls), [3])
        XCTAssertEqual(functions(ReportQuery().apply(to: report)),
                       ["<untagged>", "Cache.insert(_:)", "parse_token", "png_malloc_base", "png_create_struct", "list_new", "weird func:name"])
    }

    func testTopRanksByBytesUnlessASortIsGiven() throws {
        let report = try Fixture.report("new.allocinfo")
        XCTAssertEqual(functions(ReportQuery(top: 2).apply(to: report)), ["Cache.insert(_:)", "parse_token"])
        XCTAssertEqual(functions(ReportQuery(sort: .calls, top: 2).apply(to: report)), ["parse_token", "Cache.insert(_:)"])
        XCTAssertEqual(functions(ReportQuery(top: 0).apply(to: report)), [])
    }

    func testURLParametersAreTheCommandLinesOptions() throws {
        let query = ReportQuery(parameters: ["file": "src/*", "min_size": "1K", "sort": "calls", "top": "2", "inaccurate": "0", "line": "x"],
                                keepsLines: false)
        XCTAssertEqual(query, ReportQuery(filter: ReportFilter(file: "src/*", minBytes: 1024), sort: .calls, top: 2))
        XCTAssertEqual(functions(query.apply(to: try Fixture.report("new.allocinfo"))), ["parse_token", "png_malloc_base"])
        XCTAssertEqual(ReportQuery(parameters: ["module": "libpng*", "inaccurate": "1", "max_size": "2K", "function": "png_?reate_struct"], keepsLines: true),
                       ReportQuery(filter: ReportFilter(module: "libpng*", function: "png_?reate_struct", maxBytes: 2048, inaccurateOnly: true), keepsLines: true))
    }
}
