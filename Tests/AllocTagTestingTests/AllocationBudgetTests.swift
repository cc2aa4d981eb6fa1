import AllocReport
import AllocTagTesting
import TagRuntime
import Testing
import XCTest

#if compiler(>=6.3)
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var budgetTestTag: AllocTagRecord = (0x3147_4154, 1, 20, 0,
    { nil }, { StaticString("makeBuffers(_:keep:)").utf8Start }, { StaticString("AllocTagTestingTests/AllocationBudgetTests.swift").utf8Start })
#endif

/// Three 4 KiB buffers allocated at one tagged site, `keep` of them kept.
func makeBuffers(_ count: Int, keep: Int) -> [[UInt8]] {
    var kept: [[UInt8]] = []
    for i in 0..<count {
        let buffer = withAllocTag(&budgetTestTag) { [UInt8](repeating: UInt8(i), count: 4096) }
        if i < keep { kept.append(buffer) }
    }
    return kept
}

private func budget(_ json: String) throws -> Budget { try Budget.parse(Array(json.utf8), path: "inline") }

final class AllocationBudgetXCTests: XCTestCase {
    func testTheBlocksReportHasExactCountsAtItsSite() throws {
        guard AllocProfiling.isEnabled else { throw XCTSkip("allocation profiling is off in this process (ALLOCTAG_PROFILING)") }
        let (kept, report) = AllocationBudget.measure { makeBuffers(3, keep: 1) }
        XCTAssertEqual(kept.count, 1)
        let site = try XCTUnwrap(report.entries.first { $0.site.function == "makeBuffers(_:keep:)" }, report.text)
        XCTAssertEqual(site.calls, 1, "one buffer is still live")
        XCTAssertGreaterThanOrEqual(site.bytes, 4096)
        XCTAssertEqual(site.history?.totalCalls, 3)
        XCTAssertEqual(site.history?.totalBytes, 3 * site.bytes, "three allocations of the same size")

        let tight = try budget(#"{"sites": [{"function": "makeBuffers*", "max_total_calls": 2, "max_calls": 1}]}"#)
        XCTAssertEqual(AllocationBudget.violations(of: tight, in: report),
                       ["AllocTagTestingTests/AllocationBudgetTests.swift:20: error: 3 allocations in total over budget 2 [alloc-budget]"])
        let enough = try budget(#"{"sites": [{"function": "makeBuffers*", "max_total_calls": 3, "max_calls": 1}]}"#)
        XCTAssertEqual(AllocationBudget.violations(of: enough, in: report), [])
    }

    func testAPeakLimitIsRefusedForABlock() throws {
        // The runtime keeps lifetime peaks only: a block's own peak cannot be told apart.
        let report = AllocinfoReport(entries: [AllocinfoEntry(site: AllocSiteKey(module: nil, file: "a.swift", line: 3, function: "f"),
                                                              bytes: 0, calls: 0, history: AllocinfoHistory(peakBytes: 20, totalBytes: 20, totalCalls: 1, bytesAtPeak: 0))],
                                     source: "block")
        let peaks = try budget("{\"sites\": [\n  {\"file\": \"a.swift\", \"max_peak_bytes\": 10, \"max_total_calls\": 0}\n]}")
        XCTAssertEqual(AllocationBudget.violations(of: peaks, in: report), [
            "budget line 2: error: max_peak_bytes cannot be checked for a block (the runtime keeps only a site's lifetime peak); "
                + "use max_bytes or max_total_bytes, or check peaks with tagger allocinfo --budget [alloc-budget]",
            "a.swift:3: error: 1 allocation in total over budget 0 [alloc-budget]",
        ])
    }

    func testExpectPassesWithinItsBudget() throws {
        guard AllocProfiling.isEnabled else { throw XCTSkip("allocation profiling is off in this process (ALLOCTAG_PROFILING)") }
        let kept = try AllocationBudget.expect(within: budget(#"{"sites": [{"file": "AllocTagTestingTests/*", "max_total_calls": 2, "max_calls": 0}]}"#)) {
            makeBuffers(2, keep: 0)
        }
        XCTAssertEqual(kept.count, 0)
    }
    // (corelibs XCTest has no XCTExpectFailure: the failing path is tested with Swift Testing's withKnownIssue below.)
}

@Suite struct AllocationBudgetSwiftTests {
    @Test func perTestBudgetWithSwiftTesting() throws {
        guard AllocProfiling.isEnabled else { return }
        let (_, report) = AllocationBudget.measure { makeBuffers(4, keep: 0) }
        let site = try #require(report.entries.first { $0.site.function == "makeBuffers(_:keep:)" })
        #expect(site.calls == 0)
        #expect(site.history?.totalCalls == 4)
        let budget = try Budget.parse(Array(#"{"sites": [{"function": "makeBuffers*", "max_total_calls": 4, "max_bytes": 0}]}"#.utf8), path: "inline")
        #expect(AllocationBudget.violations(of: budget, in: report).isEmpty)
        withKnownIssue("five allocations against a budget of four") {
            _ = AllocationBudget.expect(within: try! Budget.parse(Array(#"{"sites": [{"function": "makeBuffers*", "max_total_calls": 4}]}"#.utf8), path: "inline")) {
                makeBuffers(5, keep: 0)
            }
        }
    }
}
