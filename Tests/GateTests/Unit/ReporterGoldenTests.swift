import Foundation
import TaggerCore
import XCTest
@testable import TaggerGate

/// Every reporter's exact output for `ReporterScenario`, compared byte for byte with the files in
/// `Golden/`. After an intended format change, regenerate with `GATE_UPDATE_GOLDEN=1 swift test
/// --filter GateTests` and review the diff.
final class ReporterGoldenTests: XCTestCase {
    private static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    private func check(_ reporter: Reporter, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let actual = reporter.render(ReporterScenario.report(), tool: ReporterScenario.tool)
        let url = Self.goldenDirectory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["GATE_UPDATE_GOLDEN"] == "1" {
            // Recording mode never passes (so CI with the variable set goes red): the run that
            // rewrote the file proves nothing; review the diff and run again without it.
            let previous = try? String(contentsOf: url, encoding: .utf8)
            try AtomicFile.write(actual, to: url.path)
            XCTFail("GATE_UPDATE_GOLDEN=1: Golden/\(name) \(previous == actual ? "unchanged" : "rewritten"); review it and run again without the variable", file: file, line: line)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(actual, expected, "\(reporter.rawValue) output differs from Golden/\(name)", file: file, line: line)
    }

    func testText() throws { try check(.text, "scenario.txt") }
    func testGitHub() throws { try check(.github, "scenario.txt.github") }
    func testJUnit() throws { try check(.junit, "scenario.xml") }
    func testJSON() throws { try check(.json, "scenario.json") }
    func testSARIF() throws { try check(.sarif, "scenario.sarif.json") }

    /// Independent of the golden file: the SARIF parses and carries what consumers require.
    func testSARIFParsesAndCarriesTheRequiredFields() throws {
        let text = Reporter.sarif.render(ReporterScenario.report(), tool: ReporterScenario.tool)
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(log["version"] as? String, "2.1.0")
        XCTAssertEqual(log["$schema"] as? String, "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json")
        let runs = try XCTUnwrap(log["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 1)
        let driver = try XCTUnwrap((runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver["name"] as? String, "tagger")
        XCTAssertEqual(driver["version"] as? String, "0.1.0")
        let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.compactMap { $0["id"] as? String }, Rules.all.map(\.id))
        for rule in rules {
            XCTAssertNotNil((rule["shortDescription"] as? [String: Any])?["text"] as? String)
        }
        let results = try XCTUnwrap(runs[0]["results"] as? [[String: Any]])
        XCTAssertEqual(results.compactMap { $0["ruleId"] as? String },
                       ["untagged-site", "untagged-site", "inactive-region", "stale-baseline-entry"])
        XCTAssertEqual(results.compactMap { $0["level"] as? String }, ["error", "error", "note", "error"])
        for result in results {
            let ruleID = try XCTUnwrap(result["ruleId"] as? String)
            XCTAssertEqual(result["ruleIndex"] as? Int, Rules.all.firstIndex { $0.id == ruleID })
            XCTAssertNotNil((result["message"] as? [String: Any])?["text"] as? String)
            let fingerprints = try XCTUnwrap(result["partialFingerprints"] as? [String: String])
            XCTAssertEqual(fingerprints.count, 1)
            let location = try XCTUnwrap((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
            let uri = try XCTUnwrap((location["artifactLocation"] as? [String: Any])?["uri"] as? String)
            XCTAssertFalse(uri.hasPrefix("/"), "repo-relative uri expected, got \(uri)")
        }
        let first = try XCTUnwrap((results[0]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        XCTAssertEqual((first["artifactLocation"] as? [String: Any])?["uri"] as? String, "src/My%20Lib/Make.swift")
        let region = try XCTUnwrap(first["region"] as? [String: Any])
        XCTAssertEqual(region["startLine"] as? Int, 2)
        XCTAssertEqual(region["startColumn"] as? Int, 22, "UTF-16 column: the 2-byte 'é' before it counts once")
    }

    func testFingerprintsSurviveInsertingLinesAbove() {
        let before = ReporterScenario.report().items.first { $0.file == "src/main.c" }
        let text = "// two new\n// lines\n" + ReporterScenario.cFile
        let after = Fixture.run(files: ["src/main.c": text], findings: [Fixture.untagged("src/main.c", 5, 15)]).items.first
        XCTAssertEqual(before?.line, 3)
        XCTAssertEqual(after?.line, 5)
        XCTAssertEqual(after?.fingerprint, before?.fingerprint)
    }

    func testGitHubEscaping() {
        XCTAssertEqual(GitHubReporter.escapeData("50% a\r\nb"), "50%25 a%0D%0Ab")
        XCTAssertEqual(GitHubReporter.escapeProperty("a:b,c%"), "a%3Ab%2Cc%25")
    }
}
