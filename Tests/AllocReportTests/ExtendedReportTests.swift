import AllocReport
import Foundation
import XCTest

/// The runtime's extended report: cumulative counts and peaks, parsed and carried to JSON and pprof.
final class ExtendedReportTests: XCTestCase {
    func testParsesHistoryAndPeak() throws {
        let report = try Fixture.report("extended.allocinfo")
        XCTAssertEqual(report.peak, AllocinfoPeak(bytes: 3670592, interval: 1))
        XCTAssertEqual(report.entries.count, 5)
        let a = report.entries[1]
        XCTAssertEqual(a.site, AllocSiteKey(file: "peak.c", line: 7, function: "a"))
        XCTAssertEqual(a.bytes, 1048576)
        XCTAssertEqual(a.calls, 1)
        XCTAssertEqual(a.history, AllocinfoHistory(peakBytes: 3145728, totalBytes: 3145728, totalCalls: 3, bytesAtPeak: 3145728))
        let png = report.entries[4]
        XCTAssertEqual(png.site.module, "libpng16")
        XCTAssertFalse(png.accurate)
        XCTAssertEqual(png.history?.totalCalls, 10)
        XCTAssertEqual(report.peakSites.map(\.site.line), [7, 8, 88, 0], "most bytes at the peak first")
        // The live part is still the v2.0 text, byte for byte.
        XCTAssertTrue(report.text.hasPrefix(AllocinfoReport.header + "        4960        4 <untagged>:0 func:<untagged> \n"))
    }

    func testErrorsNameTheExtendedColumns() {
        func error(_ text: String) -> String {
            do { _ = try AllocinfoReport(parsing: text, source: "x"); return "no error" } catch { return "\(error)" }
        }
        let head = "alloctag extended allocinfo - version: 1\n"
        XCTAssertEqual(error(head + "# peak: x\n"), "x:2:9: error: expected the peak in bytes, then ' interval: BYTES'")
        let columns = "#  <peak_size>   <total_size>  <total_calls> <size_at_peak>     <size>  <calls> <tag info>\n"
        XCTAssertEqual(error(head + "# peak: 5 interval: 1\n" + columns + "  1 2 -3 4 5 6 a.c:1 func:f \n"),
                       "x:4:7: error: expected the total allocation count (a decimal integer) and a space")
        XCTAssertEqual(error(head + "# peak: 5 interval: 1\n" + columns + "  1 2 3 4 5 6 a.c:1 fun:f \n"),
                       "x:4:15: error: expected the tag info 'file:line func:name' or 'file:line [module] func:name'")
    }

    func testJSONCarriesTotalsAndPeakSites() throws {
        let report = try Fixture.report("extended.allocinfo").filtered(ReportFilter(file: "peak.c"))
        XCTAssertEqual(JSONFormat.render(report), """
            {
              "schema": "alloctag-allocinfo",
              "version": 2,
              "kind": "report",
              "source": "extended.allocinfo",
              "totals": {"bytes": 3407872, "calls": 3},
              "peak": {"bytes": 3670592, "interval": 1, "sites": [
                  {"module": null, "file": "peak.c", "line": 7, "function": "a", "bytes": 3145728},
                  {"module": null, "file": "peak.c", "line": 8, "function": "b", "bytes": 524288}
                ]},
              "sites": [
                {"module": null, "file": "peak.c", "line": 7, "function": "a", "bytes": 1048576, "calls": 1, "peak_bytes": 3145728, "total_bytes": 3145728, "total_calls": 3, "accurate": true},
                {"module": null, "file": "peak.c", "line": 8, "function": "b", "bytes": 262144, "calls": 1, "peak_bytes": 524288, "total_bytes": 786432, "total_calls": 2, "accurate": true},
                {"module": null, "file": "peak.c", "line": 9, "function": "c", "bytes": 2097152, "calls": 1, "peak_bytes": 2097152, "total_bytes": 2097152, "total_calls": 1, "accurate": true}
              ]
            }

            """)
        let object = try JSONSerialization.jsonObject(with: Data(JSONFormat.render(report).utf8)) as! [String: Any]
        XCTAssertEqual((object["peak"] as! [String: Any])["bytes"] as? Int, 3670592)
    }

    func testPprofHasCumulativeAndPeakSampleTypes() throws {
        let profile = try WireMessage(PprofFormat.encode(try Fixture.report("extended.allocinfo")))
        let strings = try profile.strings(6)
        let types = try profile.messages(1).map { "\(strings[Int(try $0.int(1))])/\(strings[Int(try $0.int(2))])" }
        XCTAssertEqual(types, ["inuse_objects/count", "inuse_space/bytes", "alloc_objects/count", "alloc_space/bytes", "peak_space/bytes"])
        let values = try profile.messages(2).map { try $0.ints(2) }
        XCTAssertEqual(values.count, 5, "the png site has no live bytes but a history")
        XCTAssertEqual(values[1], [1, 1048576, 3, 3145728, 3145728])
        XCTAssertEqual(values[4], [0, 0, 10, 40960, 4096])
    }

    func testSeriesCarriesTotalsPerSnapshot() throws {
        let series = AllocinfoSeries([try Fixture.report("new.allocinfo"), try Fixture.report("extended.allocinfo")])
        let row = try XCTUnwrap(series.rows.first { $0.site.line == 7 && $0.site.file == "peak.c" })
        XCTAssertEqual(row.totalBytes, [nil, 3145728])
        XCTAssertEqual(row.totalCalls, [nil, 3])
        XCTAssertEqual(row.peakBytes, [nil, 3145728])
    }
}
