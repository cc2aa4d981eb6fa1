import AllocReport
import TagRuntime
#if canImport(Testing)
import Testing
#endif
#if canImport(XCTest)
import XCTest
#endif

/// Per-test allocation budgets: what a block of code allocated, per site, checked against a
/// budget (the format of `tagger allocinfo --budget`, docs/budgets.md).
///
///     let budget = try Budget.parse(Array(#"{"sites": [{"function": "Cache.insert*", "max_total_calls": 3}]}"#.utf8), path: "inline")
///     AllocationBudget.expect(within: budget) { cache.insert(item) }      // XCTest or Swift Testing
///
/// The block's report is the difference of two snapshots taken around it: live bytes and
/// allocations (what it kept), cumulative bytes and allocations (everything it allocated,
/// freed or not), and the peak: the site's peak above its live bytes at the start when the
/// site's lifetime peak rose inside the block (sampled every ALLOCTAG_PEAK_INTERVAL bytes per
/// thread; 1 is exact), else the block's live growth (a lower bound, wrong when an earlier
/// peak was higher: `expect` and `violations` therefore refuse `max_peak_bytes`). Other threads
/// allocating meanwhile are counted too: measure on a quiet process.
public enum AllocationBudget {
    /// Runs `body` and returns its result with the report of what it allocated.
    public static func measure<R>(_ body: () throws -> R) rethrows -> (result: R, report: AllocinfoReport) {
        let before = AllocationReport.current()
        let result = try body()
        let after = AllocationReport.current()
        return (result, difference(from: before, to: after))
    }

    /// Per site, `after` minus `before` (sites absent from `before` count from zero).
    public static func difference(from before: AllocationReport, to after: AllocationReport) -> AllocinfoReport {
        var start: [AllocSiteKey: AllocationEntry] = [:]
        for e in before.entries { start[key(e)] = e }
        let entries = after.entries.map { e -> AllocinfoEntry in
            let b = start[key(e)]
            let liveBefore = b?.bytes ?? 0
            let peak = e.peakBytes > (b?.peakBytes ?? 0) ? e.peakBytes - liveBefore : max(0, e.bytes - liveBefore)
            return AllocinfoEntry(site: key(e), bytes: e.bytes - liveBefore, calls: e.calls - (b?.calls ?? 0), accurate: e.accurate,
                                  history: AllocinfoHistory(peakBytes: peak, totalBytes: e.totalBytes - (b?.totalBytes ?? 0),
                                                            totalCalls: e.totalCalls - (b?.totalCalls ?? 0), bytesAtPeak: 0))
        }
        return AllocinfoReport(entries: entries, source: "block")
    }

    /// The violations of `budget` by `report`, each as `file:line: error: message [alloc-budget]`.
    /// Entries that match no site are left out: a block need not reach every budgeted site.
    /// `max_peak_bytes` is refused (one error per entry that sets it, and not checked): the
    /// runtime keeps a site's lifetime peak only, so a block that stays under a peak reached
    /// before it (8 MiB after an earlier 10 MiB) has no peak of its own to check.
    public static func violations(of budget: Budget, in report: AllocinfoReport) -> [String] {
        let refused = budget.entries.filter { $0.limits[.peakBytes] != nil }.map {
            "budget line \($0.sourceLine): error: max_peak_bytes cannot be checked for a block (the runtime keeps only a "
                + "site's lifetime peak); use max_bytes or max_total_bytes, or check peaks with tagger allocinfo --budget [alloc-budget]"
        }
        return refused + budget.check([report], source: { _ in nil }).violations.filter { $0.metric != .peakBytes }.map {
            "\($0.site.file):\($0.site.line): error: \($0.message) [alloc-budget]"
        }
    }

    /// Runs `body`, then records one test failure per violation in the running test (Swift
    /// Testing's `Issue.record`, else `XCTFail`). Returns the body's result.
    @discardableResult
    public static func expect<R>(within budget: Budget, file: StaticString = #filePath, line: UInt = #line,
                                 _ body: () throws -> R) rethrows -> R {
        let (result, report) = try measure(body)
        for violation in violations(of: budget, in: report) { fail(violation, file: file, line: line) }
        return result
    }

    private static func key(_ e: AllocationEntry) -> AllocSiteKey {
        AllocSiteKey(module: e.module, file: e.file, line: e.line, function: e.function)
    }

    private static func fail(_ message: String, file: StaticString, line: UInt) {
        #if canImport(Testing)
        if Test.current != nil {
            Issue.record(Comment(rawValue: message))
            return
        }
        #endif
        #if canImport(XCTest)
        XCTFail(message, file: file, line: line)
        #else
        fatalError(message)
        #endif
    }
}
