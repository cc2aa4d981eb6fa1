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
        try AllocProfiling.startInspection()
        let keep = withAllocTag(&liveTestTag) { [UInt8](repeating: 3, count: 3 << 20) }
        let report = try LiveReport.fetch(pid: getpid())
        XCTAssertEqual(report.source, "pid \(getpid())")
        XCTAssertTrue(report.entries.first?.site.isUntagged == true, "the untagged line comes first")
        let site = AllocSiteKey(file: "TagRuntimeMetricsTests/LiveInspectionTests.swift", line: 17, function: "testReadsThisProcessThroughItsSocket()")
        let entry = try XCTUnwrap(report.entries.first { $0.site == site }, report.text)
        XCTAssertEqual(entry.calls, 1)
        XCTAssertGreaterThanOrEqual(entry.bytes, 3 << 20)
        XCTAssertLessThan(entry.bytes, (3 << 20) + 4096)
        // Read from the extended socket: the cumulative counts and the peak come along.
        let history = try XCTUnwrap(entry.history, "the live report is the extended one")
        XCTAssertEqual(history.totalCalls, 1)
        XCTAssertEqual(history.totalBytes, entry.bytes)
        XCTAssertEqual(history.peakBytes, entry.bytes, "one allocation, never freed: its peak is its live size")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(report.peak).bytes, 3 << 20)
        XCTAssertEqual(keep.count, 3 << 20)
        // The same site, filtered and converted, as the CLI does.
        XCTAssertEqual(report.merged().filtered(ReportFilter(function: "testReadsThis*")).entries.map(\.site), [site])
    }
}
