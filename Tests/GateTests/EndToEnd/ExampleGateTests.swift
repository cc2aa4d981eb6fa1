import Foundation
import XCTest

/// The gate on the project's own example package: annotated, it passes at 100% coverage;
/// broken on purpose, it fails naming the file and line that was broken.
final class ExampleGateTests: XCTestCase {
    func testBreakingTheAnnotatedExampleFailsAtTheRightPlace() throws {
        let example = Tagger.repository.appendingPathComponent("Examples/PluginDemo/Sources")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: example.path), "Examples/PluginDemo not present")
        let dir = try Scratch()
        try FileManager.default.copyItem(at: example, to: dir.url.appendingPathComponent("Sources"))
        let flags = ["--", "-ISources/DemoC/include", Tagger.runtimeInclude]

        // Annotating is idempotent: a no-op when the example is committed annotated.
        let annotate = try Tagger.run(["annotate", "Sources"] + flags, in: dir.url)
        XCTAssertEqual(annotate.status, 0, annotate.stdout + annotate.stderr)
        let clean = try Tagger.run(["check", "Sources", "--strict", "--min-coverage", "100"] + flags, in: dir.url)
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        XCTAssertEqual(clean.lines.last, "check passed: 0 errors, 0 warnings, 0 notes; 0 suppressed, 0 baselined")

        // One untagged C allocation and one untagged Swift allocation, at known lines.
        let cPath = "Sources/DemoC/demo_c.c"
        var cLines = try dir.read(cPath).components(separatedBy: "\n")
        let body = try XCTUnwrap(cLines.firstIndex(of: "void demo_c_allocate(void)")) + 2
        cLines.insert("\tvoid *volatile extra = malloc(5);", at: body)
        try dir.write(cPath, cLines.joined(separator: "\n"))
        let swiftPath = "Sources/PluginDemo/main.swift"
        let swiftText = try dir.read(swiftPath)
        let swiftLine = swiftText.components(separatedBy: "\n").count + (swiftText.hasSuffix("\n") ? 0 : 1)
        try dir.write(swiftPath, swiftText + (swiftText.hasSuffix("\n") ? "" : "\n") + "let broken = UnsafeMutablePointer<Int>.allocate(capacity: 1)\n")

        let broken = try Tagger.run(["check", "Sources", "--strict", "--min-coverage", "100"] + flags, in: dir.url)
        XCTAssertEqual(broken.status, 1)
        let errors = broken.lines.filter { $0.hasSuffix("[untagged-site]") }
        XCTAssertEqual(errors.count, 2, broken.stdout)
        XCTAssertTrue((errors.first ?? "").hasPrefix("\(cPath):\(body + 1):25: error: malloc"), (errors.first ?? ""))
        XCTAssertTrue((errors.dropFirst().first ?? "").hasPrefix("\(swiftPath):\(swiftLine):14: error: "), (errors.dropFirst().first ?? ""))
        XCTAssertTrue(broken.lines.contains { $0.hasSuffix("[coverage-below-minimum]") && $0.hasPrefix("error: ") }, broken.stdout)
    }
}
