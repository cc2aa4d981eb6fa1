import Foundation
import TaggerCore
import XCTest
@testable import TaggerGate

final class BaselineTests: XCTestCase {
    private let original = """
    #include <stdlib.h>
    char *a(void) { return malloc(1); }
    char *b(void) { return malloc(1); }
    char *c(void) { return strdup("x"); }
    """

    private func findings(_ lines: [Int]) -> [Finding] { lines.map { Fixture.untagged("src/a.c", $0, 24) } }

    func testWrittenFileIsSortedPrettyJSON() {
        let report = Fixture.run(files: ["src/a.c": original], findings: findings([4, 2, 3]) + [
            Fixture.finding(Rules.inactiveRegion, "src/a.c", 1, 1, "not analysed"),
        ])
        XCTAssertEqual(report.accepted.encoded(), """
        {
          "entries" : [
            {
              "file" : "src/a.c",
              "rule" : "untagged-site",
              "text" : "char *a(void) { return malloc(1); }"
            },
            {
              "file" : "src/a.c",
              "rule" : "untagged-site",
              "text" : "char *b(void) { return malloc(1); }"
            },
            {
              "file" : "src/a.c",
              "rule" : "untagged-site",
              "text" : "char *c(void) { return strdup(\\"x\\"); }"
            }
          ],
          "version" : 1
        }

        """)
    }

    func testBaselineSurvivesInsertingLinesAbove() throws {
        let baseline = Fixture.run(files: ["src/a.c": original], findings: findings([2, 3, 4])).accepted
        let path = NSTemporaryDirectory() + "gate-baseline-\(getpid()).json"
        defer { unlink(path) }
        try baseline.write(to: path)
        let loaded = try Baseline.load(from: path)
        XCTAssertEqual(loaded, baseline)

        // Three lines inserted above, one line re-indented, and one new untagged site.
        let edited = "// header\n#include <string.h>\n\n" + original.replacingOccurrences(of: "char *b", with: "    char *b")
            + "\nchar *d(void) { return malloc(2); }\n"
        let report = Fixture.run(files: ["src/a.c": edited], findings: findings([5, 6, 7, 8])) {
            $0.baseline = loaded
            $0.strict = true
        }
        XCTAssertEqual(Fixture.lines(report), ["src/a.c:8:24: error: call to 'malloc' is not tagged [untagged-site]"])
        XCTAssertEqual(report.baselined, 3)
        XCTAssertEqual(report.exitCode, TaggerExit.findings)
    }

    func testEqualLinesAreCounted() {
        let text = "p = malloc(1);\np = malloc(1);\n"
        let baseline = Fixture.run(files: ["a.c": text], findings: [Fixture.untagged("a.c", 1, 5)]).accepted
        let report = Fixture.run(files: ["a.c": text + "p = malloc(1);\n"],
                                 findings: (1...3).map { Fixture.untagged("a.c", $0, 5) }) { $0.baseline = baseline }
        XCTAssertEqual(Fixture.lines(report), [
            "a.c:2:5: warning: call to 'malloc' is not tagged [untagged-site]",
            "a.c:3:5: warning: call to 'malloc' is not tagged [untagged-site]",
        ])
        XCTAssertEqual(report.baselined, 1)
        // Equal keys get distinct, ordered fingerprints.
        XCTAssertEqual(report.items.map { $0.fingerprint.split(separator: ":").last! }, ["2", "3"])
        XCTAssertEqual(Set(report.items.map { $0.fingerprint.split(separator: ":").first! }).count, 1)
    }

    func testStrictBaselineReportsGoneEntriesOnlyWhereTheyCouldMatch() {
        let baseline = Baseline(entries: [
            .init(rule: "untagged-site", file: "src/a.c", text: "char *a(void) { return malloc(1); }"),
            .init(rule: "untagged-site", file: "src/gone.c", text: "p = malloc(1);"),
            .init(rule: "untagged-site", file: "src/other.c", text: "q = malloc(1);"),
        ])
        let files = ["src/a.c": original, "src/other.c": "q = malloc(1);\n"]
        let lenient = Fixture.run(files: files, findings: []) { $0.baseline = baseline }
        XCTAssertEqual(lenient.items, [])
        XCTAssertEqual(lenient.exitCode, TaggerExit.clean)

        let strict = Fixture.run(files: files, findings: [], analysed: ["src/a.c"]) {
            $0.baseline = baseline
            $0.strictBaseline = true
        }
        XCTAssertEqual(Fixture.lines(strict), [
            "src/a.c: error: baselined 'untagged-site' finding on 'char *a(void) { return malloc(1); }' no longer occurs; rewrite the baseline with --write-baseline [stale-baseline-entry]",
            "src/gone.c: error: baselined 'untagged-site' finding on 'p = malloc(1);' no longer occurs; rewrite the baseline with --write-baseline [stale-baseline-entry]",
        ])
        XCTAssertEqual(strict.exitCode, TaggerExit.findings)
    }

    func testSuppressedFindingsAreNeitherBaselinedNorCounted() {
        let text = "p = malloc(1); // alloc-tag: ignore\nq = malloc(1);\n"
        let report = Fixture.run(files: ["a.c": text], findings: [Fixture.untagged("a.c", 1, 5), Fixture.untagged("a.c", 2, 5)])
        XCTAssertEqual(report.accepted.entries, [.init(rule: "untagged-site", file: "a.c", text: "q = malloc(1);")])
    }

    func testLoadErrorsNameTheFileAndTheFix() throws {
        let path = NSTemporaryDirectory() + "gate-bad-baseline-\(getpid()).json"
        defer { unlink(path) }
        try AtomicFile.write("{\"entries\": 3, \"version\": 1}", to: path)
        XCTAssertThrowsError(try Baseline.load(from: path)) {
            XCTAssertEqual("\($0)", "\(path): not a tagger baseline (wrong type at 'entries'); rewrite it with --write-baseline \(path)")
        }
        try AtomicFile.write("{\"entries\": [], \"version\": 2}", to: path)
        XCTAssertThrowsError(try Baseline.load(from: path)) {
            XCTAssertEqual("\($0)", "\(path): baseline version 2 is not supported (expected 1); rewrite it with --write-baseline \(path)")
        }
        try AtomicFile.write("not json", to: path)
        XCTAssertThrowsError(try Baseline.load(from: path)) {
            XCTAssertEqual("\($0)", "\(path): not a tagger baseline (invalid JSON); rewrite it with --write-baseline \(path)")
        }
        XCTAssertThrowsError(try Baseline.load(from: path + ".missing")) {
            XCTAssertEqual("\($0)", "\(path).missing: cannot read the baseline file; write one with --write-baseline \(path).missing")
        }
    }
}
