import AllocReport
import Foundation
import XCTest

final class FoldedJSONTests: XCTestCase {
    func testFoldedGolden() throws {
        XCTAssertEqual(FoldedFormat.render(try Fixture.report("new.allocinfo")), """
            <main>;<untagged>;<untagged>:0 8192
            <main>;Sources/App/Cache.swift;Cache.insert(_:):42 3145728
            <main>;src/parse.c;parse_token:120 32768
            libpng16;src/png.c;png_malloc_base:88 20480
            libpng16;src/png.c;png_create_struct:95 1024
            <main>;include/list.h;list_new:33 300

            """)
    }

    func testFoldedCallsAndSeparatorsInNames() {
        let report = AllocinfoReport(entries: [
            AllocinfoEntry(site: AllocSiteKey(file: "a;b.c", line: 3, function: "f;g"), bytes: 10, calls: 2),
            AllocinfoEntry(site: AllocSiteKey(file: "c.c", line: 4, function: "h"), bytes: -5, calls: 1),
        ])
        XCTAssertEqual(FoldedFormat.render(report, value: .calls), "<main>;a,b.c;f,g:3 2\n<main>;c.c;h:4 1\n")
        XCTAssertEqual(FoldedFormat.render(report), "<main>;a,b.c;f,g:3 10\n")
    }

    func testJSONReportGolden() throws {
        let report = try Fixture.report("new.allocinfo").filtered(ReportFilter(module: "libpng16"))
        XCTAssertEqual(JSONFormat.render(report), """
            {
              "schema": "alloctag-allocinfo",
              "version": 2,
              "kind": "report",
              "source": "new.allocinfo",
              "totals": {"bytes": 21504, "calls": 3},
              "peak": null,
              "types_not_recorded": null,
              "sites": [
                {"module": "libpng16", "file": "src/png.c", "line": 88, "function": "png_malloc_base", "bytes": 20480, "calls": 2, "peak_bytes": null, "total_bytes": null, "total_calls": null, "types": null, "accurate": true},
                {"module": "libpng16", "file": "src/png.c", "line": 95, "function": "png_create_struct", "bytes": 1024, "calls": 1, "peak_bytes": null, "total_bytes": null, "total_calls": null, "types": null, "accurate": false}
              ]
            }

            """)
    }

    func testJSONEmptyReportAndEscapes() {
        XCTAssertEqual(JSONFormat.render(AllocinfoReport(entries: [], source: "x")), """
            {
              "schema": "alloctag-allocinfo",
              "version": 2,
              "kind": "report",
              "source": "x",
              "totals": {"bytes": 0, "calls": 0},
              "peak": null,
              "types_not_recorded": null,
              "sites": []
            }

            """)
        XCTAssertEqual(JSONFormat.string("a\"b\\c\n\u{1}é<"), #""a\"b\\c\n\u0001é<""#)
    }

    func testJSONDiffGolden() throws {
        let diff = AllocinfoDiff(old: try Fixture.report("old.allocinfo"), new: try Fixture.report("new.allocinfo"))
            .filtered(ReportFilter(file: "src/*"))
        XCTAssertEqual(JSONFormat.render(diff), """
            {
              "schema": "alloctag-allocinfo",
              "version": 2,
              "kind": "diff",
              "old": "old.allocinfo",
              "new": "new.allocinfo",
              "totals": {"growth": {"bytes": -33792, "calls": -256}},
              "sites": [
                {"module": "libpng16", "file": "src/png.c", "line": 95, "function": "png_create_struct", "old": {"bytes": 0, "calls": 0}, "new": {"bytes": 1024, "calls": 1}, "growth": {"bytes": 1024, "calls": 1}, "status": "new", "accurate": false},
                {"module": null, "file": "src/old.c", "line": 7, "function": "legacy_init", "old": {"bytes": 2048, "calls": 1}, "new": {"bytes": 0, "calls": 0}, "growth": {"bytes": -2048, "calls": -1}, "status": "gone", "accurate": true},
                {"module": null, "file": "src/parse.c", "line": 120, "function": "parse_token", "old": {"bytes": 65536, "calls": 512}, "new": {"bytes": 32768, "calls": 256}, "growth": {"bytes": -32768, "calls": -256}, "status": "changed", "accurate": true}
              ]
            }

            """)
    }

    func testJSONSeriesGolden() throws {
        let series = AllocinfoSeries([try Fixture.report("old.allocinfo"), try Fixture.report("new.allocinfo")]).prefix(2)
        XCTAssertEqual(JSONFormat.render(series), """
            {
              "schema": "alloctag-allocinfo",
              "version": 2,
              "kind": "series",
              "snapshots": ["old.allocinfo", "new.allocinfo"],
              "totals": {"bytes": [1114112, 3178496], "calls": [528, 304]},
              "sites": [
                {"module": null, "file": "Sources/App/Cache.swift", "line": 42, "function": "Cache.insert(_:)", "bytes": [1048576, 3145728], "calls": [16, 48], "peak_bytes": [null, null], "total_bytes": [null, null], "total_calls": [null, null], "types": null, "accurate": true},
                {"module": null, "file": "src/parse.c", "line": 120, "function": "parse_token", "bytes": [65536, 32768], "calls": [512, 256], "peak_bytes": [null, null], "total_bytes": [null, null], "total_calls": [null, null], "types": null, "accurate": true}
              ]
            }

            """)
    }

    /// Every kind parses with Foundation's (independent) JSON reader, and the values survive.
    func testJSONIsValidForFoundation() throws {
        let old = try Fixture.report("old.allocinfo"), new = try Fixture.report("new.allocinfo")
        let outputs = [
            JSONFormat.render(new), JSONFormat.render(AllocinfoDiff(old: old, new: new)), JSONFormat.render(AllocinfoSeries([old, new])),
        ]
        for output in outputs {
            let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            XCTAssertEqual(object?["schema"] as? String, "alloctag-allocinfo")
            XCTAssertEqual(object?["version"] as? Int, 2)
        }
        let sites = (try JSONSerialization.jsonObject(with: Data(outputs[0].utf8)) as! [String: Any])["sites"] as! [[String: Any]]
        XCTAssertEqual(sites.count, 7)
        XCTAssertEqual(sites[6]["file"] as? String, "My Project/src/a:b.c")
        XCTAssertEqual(sites[6]["function"] as? String, "weird func:name")
        XCTAssertTrue(sites[0]["module"] is NSNull)
    }
}
