import AllocReport
import MetricsTestKit
import TagRuntime
import TagRuntimeMetrics
import XCTest

/// The runtime's filter and ranking are the reports': the same patterns keep the same sites,
/// and the metrics' top N is `tagger allocinfo --sort bytes --top N`.
final class SiteRulesTests: XCTestCase {
    private let entries = [
        AllocationEntry(module: nil, function: "png_read", file: "src/png.c", line: 10, bytes: 4096, calls: 2, accurate: true),
        AllocationEntry(module: "libpng16", function: "png_malloc", file: "png/mem.c", line: 20, bytes: 4096, calls: 1, accurate: false),
        AllocationEntry(module: "libz", function: "zcalloc", file: "zutil.c", line: 30, bytes: 100, calls: 9, accurate: true),
        AllocationEntry(module: nil, function: "Cache.insert(_:)", file: "Sources/App/Cache.swift", line: 42, bytes: 4096, calls: 2, accurate: true),
        AllocationEntry(module: nil, function: "*(_:_:)", file: "Sources/App/Ops.swift", line: 7, bytes: 0, calls: 0, accurate: true),
    ]

    private var model: AllocinfoReport {
        AllocinfoReport(entries: entries.map {
            AllocinfoEntry(site: AllocSiteKey(module: $0.module, file: $0.file, line: $0.line, function: $0.function),
                           bytes: $0.bytes, calls: $0.calls, accurate: $0.accurate)
        })
    }

    func testAllocationFilterMatchesAsReportFilterDoes() {
        let runtime = AllocationReport(text: "", entries: entries)
        func kept(_ f: AllocationFilter) -> [String] { runtime.filtered(f).entries.map(\.function) }
        XCTAssertEqual(kept(AllocationFilter(function: "png_*")), ["png_read", "png_malloc"])
        XCTAssertEqual(kept(AllocationFilter(file: "src/?ng.c")), ["png_read"])
        XCTAssertEqual(kept(AllocationFilter(module: "lib*")), ["png_malloc", "zcalloc"])
        XCTAssertEqual(kept(AllocationFilter(module: "libpng")), [])
        XCTAssertEqual(kept(AllocationFilter(function: "*(_:_:)")), ["*(_:_:)"])  // a name always matches itself
        XCTAssertEqual(kept(AllocationFilter(file: "*.swift", minBytes: 1)), ["Cache.insert(_:)"])
        let filters = [
            AllocationFilter(function: "png_*"), AllocationFilter(file: "src/?ng.c"), AllocationFilter(module: "lib*"),
            AllocationFilter(module: "libpng"), AllocationFilter(module: "libpng16", inaccurateOnly: true), AllocationFilter(function: "*(_:_:)"),
            AllocationFilter(file: "*.swift", minBytes: 1), AllocationFilter(line: 30), AllocationFilter(minBytes: 100, maxBytes: 100), AllocationFilter(),
        ]
        for f in filters {  // one filter type (`SiteFilter`), two report models
            XCTAssertEqual(kept(f), model.filtered(f).entries.map(\.site.function), "\(f)")
        }
    }

    func testMetricsTopIsTheReportsTop() throws {
        for top in 0...entries.count {
            let metrics = TestMetrics()
            AllocTagMetrics(top: top, factory: metrics).update(entries: entries)
            let published = Set(metrics.recorders(label: "alloctag_live_bytes").map { recorder in
                recorder.dimensions.first { $0.0 == "file" }!.1 + ":" + recorder.dimensions.first { $0.0 == "line" }!.1
            })
            let ranked = model.sorted(by: .bytes).prefix(top).entries.map(\.site.location)
            XCTAssertEqual(published, Set(ranked), "top \(top)")
        }
        // Three sites tie at 4096 bytes: calls, then module ("" first), then file break the tie.
        XCTAssertEqual(model.sorted(by: .bytes).prefix(3).entries.map(\.site.location), ["Sources/App/Cache.swift:42", "src/png.c:10", "png/mem.c:20"])
    }
}
