import TaggerCore
import XCTest
@testable import TaggerGate

final class SuppressionTests: XCTestCase {
    private let cFile = """
    #include <stdlib.h>
    void f(void) {
        char *a = malloc(1); // alloc-tag: ignore
        // alloc-tag: ignore-next-line(untagged-site)
        char *b = malloc(2);
        char *c = malloc(3); /* alloc-tag: ignore(noprof-helper) wrong rule */
        char *d = malloc(4); // NOLINT(untagged-site)
        // NOLINTNEXTLINE(alloc-tag-*)
        char *e = malloc(5);
        char *f = malloc(6); // NOLINT(bugprone-unused)
        char *g = malloc(7); // NOLINT
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc, untagged-site) */
        char *h = malloc(8);
        char *i = "// alloc-tag: ignore"; char *j = malloc(9);
    }
    """

    private var cFindings: [Finding] {
        (3...14).filter { ![4, 8, 12].contains($0) }.map { Fixture.untagged("a.c", $0, 15) }
    }

    func testEveryFormInC() {
        let report = Fixture.run(files: ["a.c": cFile], findings: cFindings)
        XCTAssertEqual(Fixture.lines(report), [
            "a.c:6:15: warning: call to 'malloc' is not tagged [untagged-site]",
            "a.c:10:15: warning: call to 'malloc' is not tagged [untagged-site]",
            "a.c:14:15: warning: call to 'malloc' is not tagged [untagged-site]",
        ])
        XCTAssertEqual(report.suppressed, 6)
        XCTAssertEqual(report.exitCode, TaggerExit.clean)
    }

    func testUnusedSuppressionsUnderStrict() {
        let report = Fixture.run(files: ["a.c": cFile], findings: cFindings) { $0.strict = true }
        XCTAssertEqual(Fixture.lines(report), [
            "a.c:6:15: error: call to 'malloc' is not tagged [untagged-site]",
            "a.c:6:29: error: 'alloc-tag: ignore(noprof-helper)' suppresses nothing on this line [unused-suppression]",
            "a.c:10:15: error: call to 'malloc' is not tagged [untagged-site]",
            "a.c:14:15: error: call to 'malloc' is not tagged [untagged-site]",
        ])
        XCTAssertEqual(report.exitCode, TaggerExit.findings)
    }

    func testUnusedIsNotReportedWithoutStrict() {
        let report = Fixture.run(files: ["a.c": "int x; // alloc-tag: ignore\n"], findings: [])
        XCTAssertEqual(report.items, [])
        XCTAssertEqual(report.exitCode, TaggerExit.clean)
    }

    func testUnusedRuleInAListIsReportedAlone() {
        let text = "p = malloc(1); // alloc-tag: ignore(untagged-site, noprof-helper)\n// NOLINTNEXTLINE(untagged-site)\nint y;\n"
        let report = Fixture.run(files: ["a.c": text], findings: [Fixture.untagged("a.c", 1, 5)]) { $0.strict = true }
        XCTAssertEqual(Fixture.lines(report), [
            "a.c:1:19: error: rule 'noprof-helper' in 'alloc-tag: ignore(untagged-site, noprof-helper)' suppresses nothing on this line [unused-suppression]",
            "a.c:2:4: error: 'NOLINTNEXTLINE(untagged-site)' suppresses nothing on line 3 [unused-suppression]",
        ])
    }

    func testUnusedSuppressionsInFilesWithoutFindingsNeedTheFileList() {
        let files = ["clean.c": "int x; // alloc-tag: ignore-file\n"]
        XCTAssertEqual(Fixture.run(files: files, findings: []) { $0.strict = true }.items, [])
        XCTAssertEqual(Fixture.lines(Fixture.run(files: files, findings: [], analysed: ["clean.c"]) { $0.strict = true }),
                       ["clean.c:1:11: error: 'alloc-tag: ignore-file' suppresses nothing in this file [unused-suppression]"])
    }

    func testIgnoreFileWithAndWithoutRules() {
        let findings = [Fixture.untagged("a.c", 3, 1),
                        Fixture.finding(Rules.noprofHelper, "a.c", 5, 1, "helper 'xmalloc' returns memory from 'malloc'")]
        let onlyUntagged = Fixture.run(files: ["a.c": "/* alloc-tag: ignore-file(untagged-site) */\n\n\n\n\n"], findings: findings)
        XCTAssertEqual(Fixture.lines(onlyUntagged), ["a.c:5:1: warning: helper 'xmalloc' returns memory from 'malloc' [noprof-helper]"])
        let all = Fixture.run(files: ["a.c": "\n\n\n\n\n// alloc-tag: ignore-file\n"], findings: findings)
        XCTAssertEqual(all.items, [])
        XCTAssertEqual(all.suppressed, 2)
    }

    func testSwiftFormsAndNoNolint() {
        let text = """
        let a = UnsafeMutablePointer<Int>.allocate(capacity: 1) // alloc-tag: ignore
        // alloc-tag: ignore-next-line
        let b = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        let c = UnsafeMutablePointer<Int>.allocate(capacity: 1) // NOLINT
        let d = "\\("// alloc-tag: ignore")"; let e = malloc(1)
        """
        let findings = [1, 3, 4, 5].map { Fixture.untagged("S.swift", $0, 9) }
        let report = Fixture.run(files: ["S.swift": text], findings: findings)
        XCTAssertEqual(Fixture.lines(report), [
            "S.swift:4:9: warning: call to 'malloc' is not tagged [untagged-site]",
            "S.swift:5:9: warning: call to 'malloc' is not tagged [untagged-site]",
        ])
    }

    func testInvalidDirectivesAreReportedAndSuppressNothing() {
        let text = """
        p = malloc(1); // alloc-tag: ignroe
        q = malloc(2); // alloc-tag: ignore(untaged-site)
        r = malloc(3); // alloc-tag: ignore(untagged-site
        s = malloc(4); // alloc-tag: ignore()
        """
        let report = Fixture.run(files: ["a.c": text], findings: (1...4).map { Fixture.untagged("a.c", $0, 5) })
        let known = Rules.all.map(\.id).joined(separator: ", ")
        XCTAssertEqual(Fixture.lines(report), [
            "a.c:1:5: warning: call to 'malloc' is not tagged [untagged-site]",
            "a.c:1:19: warning: expected 'ignore', 'ignore-next-line' or 'ignore-file' after 'alloc-tag:', found 'ignroe' [invalid-suppression]",
            "a.c:2:5: warning: call to 'malloc' is not tagged [untagged-site]",
            "a.c:2:19: warning: 'alloc-tag: ignore' has unknown rule 'untaged-site'; known rules: \(known) [invalid-suppression]",
            "a.c:3:5: warning: call to 'malloc' is not tagged [untagged-site]",
            "a.c:3:19: warning: rule list of 'alloc-tag: ignore' has no closing ')' [invalid-suppression]",
            "a.c:4:5: warning: call to 'malloc' is not tagged [untagged-site]",
            "a.c:4:19: warning: 'alloc-tag: ignore' has an empty rule list; known rules: \(known) [invalid-suppression]",
        ])
    }

    func testNextLineAfterAMultiLineBlockComment() {
        let text = "/* alloc-tag: ignore-next-line\n   because the caller frees it */\np = malloc(1);\n"
        let report = Fixture.run(files: ["a.c": text], findings: [Fixture.untagged("a.c", 3, 5)]) { $0.strict = true }
        XCTAssertEqual(report.items, [])
        XCTAssertEqual(report.suppressed, 1)
    }

    func testGlob() {
        XCTAssertTrue(Glob.matches("*", "untagged-site"))
        XCTAssertTrue(Glob.matches("alloc-tag-*", "alloc-tag-untagged-site"))
        XCTAssertTrue(Glob.matches("*-site", "untagged-site"))
        XCTAssertTrue(Glob.matches("un*ed*site", "untagged-site"))
        XCTAssertFalse(Glob.matches("alloc-tag-*", "untagged-site"))
        XCTAssertFalse(Glob.matches("untagged", "untagged-site"))
    }
}
