import MetricsTestKit
import TagRuntime
import TagRuntimeMetrics
import XCTest

#if compiler(>=6.3)
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var metricsTestTag: AllocTagRecord = (0x3147_4154, 1, 56, 0,
    { nil }, { StaticString("testPublishesThisProcess()").utf8Start }, { StaticString("TagRuntimeMetricsTests/AllocTagMetricsTests.swift").utf8Start })
#endif

final class AllocTagMetricsTests: XCTestCase {
    private func entry(_ file: String, _ line: Int, _ bytes: Int64, _ calls: Int64, module: String? = nil) -> AllocationEntry {
        AllocationEntry(module: module, function: "f", file: file, line: line, bytes: bytes, calls: calls, accurate: true)
    }

    private func dims(_ file: String, _ line: Int, module: String = "") -> [(String, String)] {
        [("module", module), ("file", file), ("line", String(line)), ("function", "f")]
    }

    func testTopSitesTotalsAndDroppedSites() throws {
        let metrics = TestMetrics()
        let published = AllocTagMetrics(top: 2, factory: metrics)
        published.update(entries: [
            entry("a.c", 1, 100, 1), entry("b.c", 2, 5000, 10, module: "libb"), entry("c.c", 3, 300, 3), entry("a.c", 1, 50, 2),
        ])
        XCTAssertEqual(try metrics.expectGauge("alloctag_live_bytes", dims("b.c", 2, module: "libb")).lastValue, 5000)
        XCTAssertEqual(try metrics.expectGauge("alloctag_live_allocations", dims("b.c", 2, module: "libb")).lastValue, 10)
        XCTAssertEqual(try metrics.expectGauge("alloctag_live_bytes", dims("c.c", 3)).lastValue, 300)
        XCTAssertThrowsError(try metrics.expectGauge("alloctag_live_bytes", dims("a.c", 1)), "a.c:1 (150 bytes) is third")
        XCTAssertEqual(try metrics.expectGauge("alloctag_total_live_bytes").lastValue, 5450)
        XCTAssertEqual(try metrics.expectGauge("alloctag_total_live_allocations").lastValue, 16)
        XCTAssertEqual(try metrics.expectGauge("alloctag_sites").lastValue, 3)
        XCTAssertEqual(metrics.recorders(label: "alloctag_live_bytes").count, 2)

        // a.c:1 grows into the top 2; c.c:3 leaves it and its gauges are destroyed, not left stale.
        published.update(entries: [entry("a.c", 1, 9000, 4), entry("b.c", 2, 5000, 10, module: "libb"), entry("c.c", 3, 300, 3)])
        XCTAssertEqual(try metrics.expectGauge("alloctag_live_bytes", dims("a.c", 1)).lastValue, 9000)
        XCTAssertThrowsError(try metrics.expectGauge("alloctag_live_bytes", dims("c.c", 3)))
        XCTAssertThrowsError(try metrics.expectGauge("alloctag_live_allocations", dims("c.c", 3)))
        XCTAssertEqual(metrics.recorders(label: "alloctag_live_bytes").count, 2)
        XCTAssertEqual(try metrics.expectGauge("alloctag_total_live_bytes").lastValue, 14300)
    }

    func testCumulativeCountsAndPeaks() throws {
        let metrics = TestMetrics()
        let a = AllocationEntry(module: nil, function: "f", file: "a.c", line: 1, bytes: 100, calls: 1, accurate: true,
                                totalBytes: 7000, totalCalls: 70, peakBytes: 4000, bytesAtPeak: 3000)
        let b = AllocationEntry(module: nil, function: "f", file: "b.c", line: 2, bytes: 50, calls: 1, accurate: true,
                                totalBytes: 500, totalCalls: 5, peakBytes: 400, bytesAtPeak: 200)
        AllocTagMetrics(top: 1, factory: metrics).update(entries: [a, b])
        XCTAssertEqual(try metrics.expectGauge("alloctag_allocated_bytes", dims("a.c", 1)).lastValue, 7000)
        XCTAssertEqual(try metrics.expectGauge("alloctag_allocations", dims("a.c", 1)).lastValue, 70)
        XCTAssertEqual(try metrics.expectGauge("alloctag_peak_bytes", dims("a.c", 1)).lastValue, 4000)
        XCTAssertThrowsError(try metrics.expectGauge("alloctag_allocations", dims("b.c", 2)), "b.c is not in the top 1")
        XCTAssertEqual(try metrics.expectGauge("alloctag_total_allocated_bytes").lastValue, 7500)
        XCTAssertEqual(try metrics.expectGauge("alloctag_total_allocations").lastValue, 75)
        XCTAssertEqual(try metrics.expectGauge("alloctag_total_peak_bytes").lastValue, 3200)
    }

    func testPrefixAndZeroTop() throws {
        let metrics = TestMetrics()
        AllocTagMetrics(top: 0, prefix: "app_heap", factory: metrics).update(entries: [entry("a.c", 1, 100, 1)])
        XCTAssertEqual(metrics.recorders(label: "app_heap_live_bytes").count, 0)
        XCTAssertEqual(try metrics.expectGauge("app_heap_total_live_bytes").lastValue, 100)
    }

    /// Through the real runtime: a tagged allocation of this process shows up as a gauge.
    func testPublishesThisProcess() throws {
        guard AllocProfiling.isEnabled else { throw XCTSkip("allocation profiling is off in this process (ALLOCTAG_PROFILING)") }
        let metrics = TestMetrics()
        let keep = withAllocTag(&metricsTestTag) { [UInt8](repeating: 7, count: 1 << 20) }
        AllocTagMetrics(top: 1000, factory: metrics).update()
        let gauge = try metrics.expectGauge("alloctag_live_bytes", [
            ("module", ""), ("file", "TagRuntimeMetricsTests/AllocTagMetricsTests.swift"), ("line", "56"), ("function", "testPublishesThisProcess()"),
        ])
        XCTAssertGreaterThanOrEqual(gauge.lastValue ?? 0, Double(1 << 20))
        let allocated = try metrics.expectGauge("alloctag_allocations", [
            ("module", ""), ("file", "TagRuntimeMetricsTests/AllocTagMetricsTests.swift"), ("line", "56"), ("function", "testPublishesThisProcess()"),
        ])
        XCTAssertGreaterThanOrEqual(allocated.lastValue ?? 0, 1, "the cumulative count includes the live allocation")
        XCTAssertGreaterThanOrEqual(try metrics.expectGauge("alloctag_total_peak_bytes").lastValue ?? 0, Double(1 << 20))
        XCTAssertEqual(keep.count, 1 << 20)
    }
}
