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

    /// Version 2: each site's Swift class types (`+ type` lines), merged per site, into JSON.
    func testParsesSwiftTypesAndMergesThemPerSite() throws {
        let report = try Fixture.report("types.allocinfo")
        XCTAssertEqual(report.entries.map(\.types?.count), [0, 2, 2, 0])
        XCTAssertEqual(report.entries[1].types?[1], AllocinfoTypeCount(name: "App.Box<Swift.Int>", instances: 1, bytes: 32))
        XCTAssertEqual(report.typesNotRecorded, AllocinfoTypeCount(name: "<not recorded>", instances: 7, bytes: 168))
        let merged = report.merged()
        XCTAssertEqual(merged.entries[1].types, [
            AllocinfoTypeCount(name: "App.Node", instances: 5, bytes: 120),
            AllocinfoTypeCount(name: "App.Box<Swift.Int>", instances: 1, bytes: 32),
            AllocinfoTypeCount(name: "<other types>", instances: 4, bytes: 100),
        ], "most instances first, the other types last")
        // The live part is still the v2.0 text: no type line in it.
        XCTAssertFalse(report.text.contains("type"))
        XCTAssertEqual(JSONFormat.render(report.filtered(ReportFilter(file: "Sources/App/*"))), """
            {
              "schema": "alloctag-allocinfo",
              "version": 2,
              "kind": "report",
              "source": "types.allocinfo",
              "totals": {"bytes": 864, "calls": 17},
              "peak": {"bytes": 2000, "interval": 1, "sites": [
                  {"module": null, "file": "Sources/App/Tree.swift", "line": 12, "function": "Tree.insert(_:)", "bytes": 800},
                  {"module": null, "file": "Sources/App/Log.swift", "line": 9, "function": "log(_:)", "bytes": 64}
                ]},
              "types_not_recorded": {"instances": 7, "bytes": 168},
              "sites": [
                {"module": null, "file": "Sources/App/Tree.swift", "line": 12, "function": "Tree.insert(_:)", "bytes": 800, "calls": 16, "peak_bytes": 800, "total_bytes": 900, "total_calls": 18, "types": [{"name": "App.Node", "instances": 5, "bytes": 120}, {"name": "App.Box<Swift.Int>", "instances": 1, "bytes": 32}, {"name": "<other types>", "instances": 4, "bytes": 100}], "accurate": true},
                {"module": null, "file": "Sources/App/Log.swift", "line": 9, "function": "log(_:)", "bytes": 64, "calls": 1, "peak_bytes": 64, "total_bytes": 64, "total_calls": 1, "types": [], "accurate": true}
              ]
            }

            """)
        let series = AllocinfoSeries([try Fixture.report("new.allocinfo"), report])
        XCTAssertEqual(series.rows.first { $0.site.function == "log(_:)" }?.lastTypes, [])
        XCTAssertEqual(series.rows.first { $0.site.function == "Tree.insert(_:)" }?.lastTypes?.first?.instances, 5)
        let reversed = AllocinfoSeries([report, try Fixture.report("new.allocinfo")])
        XCTAssertTrue(reversed.rows.allSatisfy { $0.lastTypes == nil }, "the last snapshot is a v2.0 report: types unknown")
    }

    func testTypeLineErrors() {
        func error(_ text: String) -> String {
            do { _ = try AllocinfoReport(parsing: text, source: "x"); return "no error" } catch { return "\(error)" }
        }
        let columns = "#  <peak_size>   <total_size>  <total_calls> <size_at_peak>     <size>  <calls> <tag info>\n"
        let v1 = "alloctag extended allocinfo - version: 1\n# peak: 5 interval: 1\n" + columns
        let v2 = "alloctag extended allocinfo - version: 2\n# peak: 5 interval: 1\n" + columns
        let site = "  1 2 3 4 5 6 a.swift:1 func:f \n"
        XCTAssertEqual(error(v1 + site + "+ type 1 24 A\n"),
                       "x:5:1: error: Swift type lines need the extended report's version 2 header")
        XCTAssertEqual(error(v2 + "+ type 1 24 A\n"),
                       "x:4:1: error: a '+ type' line must follow the line of the site that allocated it")
        XCTAssertEqual(error(v2 + site + "+ type 1 x A\n"), "x:5:10: error: expected the size in bytes (a decimal integer)")
        XCTAssertEqual(error(v2 + site + "+ type 1 24\n"),
                       "x:5:12: error: expected a space and the type's name (UTF-8) after the size")
        XCTAssertEqual(error(v2 + site + "# types not recorded: 1 2\n" + site),
                       "x:6:1: error: expected nothing after the '# types not recorded:' line")
        XCTAssertEqual(error(v2 + site + "+ type 2 48 A B<C>\n"), "no error")
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
              "types_not_recorded": null,
              "sites": [
                {"module": null, "file": "peak.c", "line": 7, "function": "a", "bytes": 1048576, "calls": 1, "peak_bytes": 3145728, "total_bytes": 3145728, "total_calls": 3, "types": [], "accurate": true},
                {"module": null, "file": "peak.c", "line": 8, "function": "b", "bytes": 262144, "calls": 1, "peak_bytes": 524288, "total_bytes": 786432, "total_calls": 2, "types": [], "accurate": true},
                {"module": null, "file": "peak.c", "line": 9, "function": "c", "bytes": 2097152, "calls": 1, "peak_bytes": 2097152, "total_bytes": 2097152, "total_calls": 1, "types": [], "accurate": true}
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
