import AllocReport
import XCTest

/// Budget files, matching (globs, text that survives line moves), tolerance and recording.
final class BudgetTests: XCTestCase {
    private func parse(_ text: String) throws -> Budget { try Budget.parse(Array(text.utf8), path: "b.json") }

    private func error(_ text: String) -> String {
        do { _ = try parse(text); return "no error" } catch { return "\(error)" }
    }

    private let source: Budget.SourceReader = { file in
        file.hasSuffix("peak.c") ? "int x;\n\nvoid *p = malloc(n);  \n  q = malloc(m);\n" : nil
    }

    private func report(_ entries: [AllocinfoEntry], source: String = "r") -> AllocinfoReport {
        AllocinfoReport(entries: entries, source: source)
    }

    private func site(_ file: String, _ line: Int, _ function: String = "f", module: String? = nil) -> AllocSiteKey {
        AllocSiteKey(module: module, file: file, line: line, function: function)
    }

    func testTheIssuesExample() throws {
        let budget = try parse(#"{"sites": [{"file": "peak.c", "line": 7, "max_bytes": 1048576}]}"#)
        let result = budget.check([report([AllocinfoEntry(site: site("peak.c", 7), bytes: 4194304, calls: 1)])], source: { _ in nil })
        XCTAssertEqual(result.violations.map(\.message), ["4194304 live bytes over budget 1048576"])
        XCTAssertEqual(result.violations.first?.site, site("peak.c", 7))
        let within = budget.check([report([AllocinfoEntry(site: site("peak.c", 7), bytes: 1048576, calls: 1)])], source: { _ in nil })
        XCTAssertEqual(within.violations, [])
        XCTAssertEqual(within.checked, 1)
    }

    func testGlobsFunctionModuleAndPathSuffix() throws {
        let budget = try parse(#"{"sites": [{"file": "src/*.c", "function": "png_*", "module": "libpng*", "max_calls": 2}]}"#)
        let entries = [
            AllocinfoEntry(site: site("/build/src/a.c", 1, "png_read", module: "libpng16"), bytes: 1, calls: 3),
            AllocinfoEntry(site: site("/build/src/b.c", 2, "png_write", module: "libpng16"), bytes: 1, calls: 2),
            AllocinfoEntry(site: site("/build/src/c.c", 3, "zlib_inflate", module: "libpng16"), bytes: 1, calls: 9),
            AllocinfoEntry(site: site("/build/src/d.c", 4, "png_read"), bytes: 1, calls: 9),
        ]
        let result = budget.check([report(entries)], source: { _ in nil })
        XCTAssertEqual(result.violations.map(\.site.line), [1], "only a.c:1 is selected and over")
        XCTAssertEqual(result.violations.first?.message, "3 live allocations over budget 2")
    }

    func testTextMatchSurvivesALineMove() throws {
        // Recorded at line 3; the source now has the same call at line 3 and a different one at 4.
        let budget = try parse(#"{"sites": [{"file": "peak.c", "line": 9, "function": "f", "text": "void *p = malloc(n);", "max_bytes": 10}]}"#)
        let moved = [AllocinfoEntry(site: site("src/peak.c", 3), bytes: 50, calls: 1), AllocinfoEntry(site: site("src/peak.c", 4), bytes: 70, calls: 1)]
        XCTAssertEqual(budget.check([report(moved)], source: source).violations.map(\.site.line), [3],
                       "the entry follows its text to line 3 and leaves line 4 alone")
        // Without the source, the recorded line decides.
        XCTAssertEqual(budget.check([report(moved)], source: { _ in nil }).violations, [])
    }

    func testToleranceAndCumulativeLimits() throws {
        let budget = try parse(#"""
            {"tolerance": 0.5, "sites": [
              {"file": "a.c", "max_total_calls": 100, "max_peak_bytes": 1000, "max_total_bytes": 5000},
              {"file": "b.c", "max_bytes": 100, "tolerance": 0}
            ]}
            """#)
        let history = AllocinfoHistory(peakBytes: 1500, totalBytes: 7501, totalCalls: 150, bytesAtPeak: 0)
        let entries = [
            AllocinfoEntry(site: site("a.c", 1), bytes: 0, calls: 0, history: history),
            AllocinfoEntry(site: site("b.c", 2), bytes: 101, calls: 1, history: AllocinfoHistory(peakBytes: 101, totalBytes: 101, totalCalls: 1, bytesAtPeak: 0)),
        ]
        let result = budget.check([report(entries)], source: { _ in nil })
        XCTAssertEqual(result.violations.map(\.message), [
            "7501 bytes allocated in total over budget 5000 (7500 with its tolerance)",
            "101 live bytes over budget 100",
        ], "150 calls and 1500 peak bytes are within 1.5x; 7501 bytes is one over")
    }

    func testCumulativeLimitOnAV2ReportIsAProblem() throws {
        let budget = try parse(#"{"sites": [{"file": "a.c", "max_total_calls": 1}]}"#)
        let result = budget.check([report([AllocinfoEntry(site: site("a.c", 1), bytes: 1, calls: 1)], source: "old.txt")], source: { _ in nil })
        XCTAssertEqual(result.violations, [])
        XCTAssertEqual(result.problems.map(\.isError), [true])
        XCTAssertTrue(result.problems[0].message.hasPrefix("old.txt has no max_total_calls counts"), result.problems[0].message)
        XCTAssertEqual(result.problems[0].entryLine, 1)
    }

    func testUnmatchedEntryIsAnErrorAtItsLine() throws {
        let budget = try parse("{\"sites\": [\n  {\"file\": \"a.c\", \"max_bytes\": 1},\n  {\"file\": \"gone.c\", \"max_bytes\": 1}\n]}")
        let result = budget.check([report([AllocinfoEntry(site: site("a.c", 1), bytes: 1, calls: 1)])], source: { _ in nil })
        XCTAssertEqual(result.problems.map(\.entryLine), [3])
        XCTAssertEqual(result.problems.map(\.message), ["budget entry matches no site in r: its budget is no longer enforced"])
        XCTAssertEqual(result.problems.map(\.isError), [true], "an edited-away site must fail the run")
        XCTAssertEqual(result.problems.map(\.isUnmatched), [true])
    }

    func testBadFilesNameTheirLine() {
        XCTAssertEqual(error("{\"sites\": [\n  {\"file\": \"a.c\", \"max_bytes\": -1}\n]}"),
                       "b.json:2: error: \"max_bytes\" must be a whole number of 0 or more")
        XCTAssertEqual(error("{\"sites\": [\n  {\"file\": \"a.c\",\n   \"max_byte\": 1}\n]}"),
                       "b.json:3: error: unknown key \"max_byte\" (expected file, line, function, module, text, tolerance, max_bytes, max_calls, max_total_bytes, max_total_calls, max_peak_bytes)")
        XCTAssertEqual(error("{\"sites\": [\n  {\"file\": \"a.c\"}\n]}"),
                       "b.json:2: error: the entry sets no limit (max_bytes, max_calls, max_total_bytes, max_total_calls, max_peak_bytes)")
        XCTAssertEqual(error("{\"sites\": [{\"max_bytes\": 1}]}"), "b.json:1: error: the entry selects no site: give \"file\", \"function\" or \"module\"")
        XCTAssertEqual(error("{\"sites\": [\n  {\"file\": \"a.c\", \"max_bytes\": 1},\n]}"), "b.json:3: error: invalid JSON: expected a value (object, array, string, number, true, false or null)")
        XCTAssertEqual(error("{\"site\": []}"), "b.json:1: error: unknown key \"site\" (expected sites, tolerance, version)")
        XCTAssertEqual(error("{\"sites\": [], \"sites\": []}"), "b.json:1: error: invalid JSON: the key \"sites\" appears twice")
    }

    func testRecordingRoundTripsAndPassesItsOwnReport() throws {
        let entries = [
            AllocinfoEntry(site: site("peak.c", 3), bytes: 100, calls: 2, history: AllocinfoHistory(peakBytes: 300, totalBytes: 900, totalCalls: 9, bytesAtPeak: 0)),
            AllocinfoEntry(site: site("peak.c", 4, "g"), bytes: 0, calls: 0, history: AllocinfoHistory(peakBytes: 0, totalBytes: 0, totalCalls: 0, bytesAtPeak: 0)),
        ]
        let recorded = Budget.recording([report(entries)], tolerance: 0.1, source: source)
        XCTAssertEqual(recorded.encoded(), """
            {
              "version": 1,
              "tolerance": 0.1,
              "sites": [
                {"file": "peak.c", "line": 3, "function": "f", "text": "void *p = malloc(n);", "max_bytes": 100, "max_calls": 2, "max_total_bytes": 900, "max_total_calls": 9, "max_peak_bytes": 300}
              ]
            }

            """, "a site that never allocated is left out")
        let reparsed = try parse(recorded.encoded())
        XCTAssertEqual(reparsed.check([report(entries)], source: source).violations, [])
        var grown = entries
        grown[0].calls = 3
        XCTAssertEqual(reparsed.check([report(grown)], source: source).violations.map(\.message),
                       ["3 live allocations over budget 2"], "2 x 1.1 = 2.2, floored: the tolerance does not raise a limit of 2")
    }

    func testTwoSitesWithTheSameTextKeepTheirOwnBudgets() throws {
        // Two `buf = malloc(len);` lines in one function: each recorded entry checks only its own site.
        let twins: Budget.SourceReader = { _ in "void f(void) {\n    buf = malloc(len);\n    use(buf);\n    buf = malloc(len);\n}\n" }
        let entries = [AllocinfoEntry(site: site("t.c", 2), bytes: 100, calls: 1), AllocinfoEntry(site: site("t.c", 4), bytes: 5000, calls: 1)]
        let reparsed = try parse(Budget.recording([report(entries)], tolerance: 0, source: twins).encoded())
        XCTAssertEqual(reparsed.entries.map(\.text), ["buf = malloc(len);", "buf = malloc(len);"])
        XCTAssertEqual(reparsed.check([report(entries)], source: twins).violations, [], "a report passes the budget just recorded from it")
        XCTAssertEqual(reparsed.check([report(entries)], source: twins).checked, 4, "2 entries x (bytes, calls), one site each")
        var grown = entries
        grown[0].bytes = 101
        XCTAssertEqual(reparsed.check([report(grown)], source: twins).violations.map { "\($0.site.line): \($0.message)" },
                       ["2: 101 live bytes over budget 100"])
        // Both lines move down by 3 (closer to each other's old line than to their own): occurrence order decides.
        let moved: Budget.SourceReader = { _ in "\n\n\nvoid f(void) {\n    buf = malloc(len);\n    use(buf);\n    buf = malloc(len);\n}\n" }
        let movedEntries = [AllocinfoEntry(site: site("t.c", 5), bytes: 100, calls: 1), AllocinfoEntry(site: site("t.c", 7), bytes: 5000, calls: 1)]
        XCTAssertEqual(reparsed.check([report(movedEntries)], source: moved).violations, [])
        // Only the second line allocated: it goes to the entry recorded nearest (line 4), within 5000.
        XCTAssertEqual(reparsed.check([report([entries[1]])], source: twins).violations, [])
    }
}
