import TaggerCore
import XCTest
@testable import TaggerGate

final class CoverageAndExitTests: XCTestCase {
    private let sites = [
        Fixture.site("src/a.c", 1, 1, tagged: true), Fixture.site("src/a.c", 2, 1, tagged: true),
        Fixture.site("src/a.c", 3, 1, tagged: false), Fixture.site("/repo/src/B.swift", 1, 1, tagged: true),
    ]

    func testFiguresPerFileAndTotalWithRepoRelativePaths() {
        let report = Fixture.run(files: [:], sites: sites, findings: [])
        XCTAssertEqual(report.coverage?.files.map(\.file), ["src/B.swift", "src/a.c"])
        XCTAssertEqual(report.coverage?.files.map(\.figure), [.init(sites: 1, tagged: 1), .init(sites: 3, tagged: 2)])
        XCTAssertEqual(report.coverage?.total, .init(sites: 4, tagged: 3))
        XCTAssertEqual(report.coverageLines, [
            "coverage: 100.0% (1/1) src/B.swift",
            "coverage: 66.6% (2/3) src/a.c",
            "coverage: 75.0% (3/4) total",
        ])
    }

    func testPercentIsTruncatedNeverRoundedUp() {
        XCTAssertEqual(Coverage.Figure(sites: 1000, tagged: 999).percentText, "99.9")
        XCTAssertEqual(Coverage.Figure(sites: 10000, tagged: 9999).percentText, "99.9")
        XCTAssertEqual(Coverage.Figure(sites: 3, tagged: 1).percentText, "33.3")
        XCTAssertEqual(Coverage.Figure(sites: 0, tagged: 0).percentText, "100.0")
        XCTAssertTrue(Coverage.Figure(sites: 10000, tagged: 9999).isBelow(100))
        XCTAssertFalse(Coverage.Figure(sites: 8, tagged: 7).isBelow(87.5))
        XCTAssertTrue(Coverage.Figure(sites: 8, tagged: 7).isBelow(87.6))
        XCTAssertFalse(Coverage.Figure(sites: 0, tagged: 0).isBelow(100))
    }

    func testMinCoverage() {
        let passing = Fixture.run(files: [:], sites: sites, findings: []) { $0.minimumCoverage = 75 }
        XCTAssertEqual(passing.items, [])
        XCTAssertEqual(passing.exitCode, TaggerExit.clean)
        let failing = Fixture.run(files: [:], sites: sites, findings: []) { $0.minimumCoverage = 75.5 }
        XCTAssertEqual(Fixture.lines(failing),
                       ["error: 3 of 4 allocation sites are tagged (75.0%), below --min-coverage 75.5 [coverage-below-minimum]"])
        XCTAssertEqual(failing.exitCode, TaggerExit.findings)
    }

    func testExitCodesAndPrintedSeverityAgree() {
        let warning = [Fixture.untagged("a.c", 1, 1)]
        let note = [Fixture.finding(Rules.inactiveRegion, "a.c", 2, 2, "#if 0 region not analysed")]
        let error = [Fixture.finding(Rules.parseError, "a.c", 3, 3, "'missing.h' file not found")]

        let clean = Fixture.run(files: [:], findings: [])
        XCTAssertEqual(clean.exitCode, 0)
        XCTAssertEqual(clean.summaryLine, "check passed: 0 errors, 0 warnings, 0 notes; 0 suppressed, 0 baselined")

        let lenient = Fixture.run(files: [:], findings: warning + note)
        XCTAssertEqual(lenient.exitCode, 0)
        XCTAssertEqual(Fixture.lines(lenient), ["a.c:1:1: warning: call to 'malloc' is not tagged [untagged-site]",
                                                "a.c:2:2: note: #if 0 region not analysed [inactive-region]"])

        let strict = Fixture.run(files: [:], findings: warning + note) { $0.strict = true }
        XCTAssertEqual(strict.exitCode, 1)
        XCTAssertEqual(Fixture.lines(strict), ["a.c:1:1: error: call to 'malloc' is not tagged [untagged-site]",
                                               "a.c:2:2: note: #if 0 region not analysed [inactive-region]"])
        XCTAssertEqual(strict.summaryLine, "check failed: 1 error, 0 warnings, 1 note; 0 suppressed, 0 baselined")

        let notesOnly = Fixture.run(files: [:], findings: note) { $0.strict = true }
        XCTAssertEqual(notesOnly.exitCode, 0)

        let parseError = Fixture.run(files: [:], findings: error)
        XCTAssertEqual(parseError.exitCode, 1)
        XCTAssertEqual(Fixture.lines(parseError), ["a.c:3:3: error: 'missing.h' file not found [parse-error]"])
    }

    func testPathsOutsideTheRootStayAbsoluteAndRelativeOnesFollowTheWorkingDirectory() {
        let report = Fixture.run(files: [:], findings: [Fixture.untagged("/elsewhere/x.c", 1, 1), Fixture.untagged("sub/../y.c", 2, 1)]) {
            $0.workingDirectory = "/repo/lib/./"
        }
        XCTAssertEqual(report.items.map(\.file), ["/elsewhere/x.c", "lib/y.c"])
    }
}
