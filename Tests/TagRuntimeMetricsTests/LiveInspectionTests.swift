import AllocReport
import Glibc
import TagRuntime
import XCTest

#if compiler(>=6.3)
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var liveTestTag: AllocTagRecord = (0x3147_4154, 1, 17, 0,
    { nil }, { StaticString("testReadsThisProcessThroughItsSocket()").utf8Start }, { StaticString("TagRuntimeMetricsTests/LiveInspectionTests.swift").utf8Start })
#endif

/// End to end: the runtime's inspection server in this (instrumented) test process, read by
/// the AllocReport client exactly as `tagger allocinfo --pid` reads another process.
final class LiveInspectionTests: XCTestCase {
    func testReadsThisProcessThroughItsSocket() throws {
        guard AllocProfiling.isEnabled else { throw XCTSkip("allocation profiling is off in this process (ALLOCTAG_PROFILING)") }
        let keep = withAllocTag(&liveTestTag) { [UInt8](repeating: 3, count: 3 << 20) }
        let report = try LiveReport.fetch(pid: getpid())
        XCTAssertEqual(report.source, "pid \(getpid())")
        XCTAssertTrue(report.entries.first?.site.isUntagged == true, "the untagged line comes first")
        let site = AllocSiteKey(file: "TagRuntimeMetricsTests/LiveInspectionTests.swift", line: 17, function: "testReadsThisProcessThroughItsSocket()")
        let entry = try XCTUnwrap(report.entries.first { $0.site == site }, report.text)
        XCTAssertEqual(entry.calls, 1)
        XCTAssertGreaterThanOrEqual(entry.bytes, 3 << 20)
        XCTAssertLessThan(entry.bytes, (3 << 20) + 4096)
        XCTAssertEqual(keep.count, 3 << 20)
        // The same site, filtered and converted, as the CLI does.
        XCTAssertEqual(report.merged().filtered(ReportFilter(function: "testReadsThis*")).entries.map(\.site), [site])
    }
}
