import Foundation
import XCTest

/// `tagger check` through the real front ends (libclang for C, swift-syntax for Swift).
final class CheckCommandTests: XCTestCase {
    private let cFile = """
    #include <stdlib.h>
    int main(void) {
        char *p = malloc(10);
        return p != 0;
    }

    """

    func testUntaggedMallocIsAWarningAndAnErrorUnderStrict() throws {
        let dir = try Scratch()
        try dir.write("file.c", cFile)

        let lenient = try Tagger.run(["check", "file.c"], in: dir.url)
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertEqual(lenient.lines.count, 4, lenient.stdout)
        XCTAssertTrue(lenient.line(0).hasPrefix("file.c:3:15: warning: malloc"), lenient.line(0))
        XCTAssertTrue(lenient.line(0).hasSuffix(" [untagged-site]"), lenient.line(0))
        XCTAssertEqual(Array(lenient.lines.dropFirst()), [
            "coverage: 0.0% (0/1) file.c",
            "coverage: 0.0% (0/1) total",
            "check passed: 0 errors, 1 warning, 0 notes; 0 suppressed, 0 baselined",
        ])

        let strict = try Tagger.run(["check", "file.c", "--strict"], in: dir.url)
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.line(0).hasPrefix("file.c:3:15: error: malloc"), strict.line(0))
        XCTAssertTrue(strict.line(0).hasSuffix(" [untagged-site]"))
        XCTAssertEqual(strict.lines.last, "check failed: 1 error, 0 warnings, 0 notes; 0 suppressed, 0 baselined")
    }

    func testTaggedAndSuppressedCodePasses() throws {
        let dir = try Scratch()
        try dir.write("ok.c", """
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>
        void *f(void) { return alloc_hooks(malloc(1)); }
        void g(void) {
            void *p = malloc(2); // alloc-tag: ignore(untagged-site)
            free(p);
        }

        """)
        try dir.write("Ok.swift", """
        func h() -> UnsafeMutablePointer<Int> {
            // alloc-tag: ignore-next-line
            UnsafeMutablePointer<Int>.allocate(capacity: 1)
        }

        """)
        let run = try Tagger.run(["check", ".", "--strict", "--", Tagger.runtimeInclude], in: dir.url)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(run.lines.last, "check passed: 0 errors, 0 warnings, 0 notes; 2 suppressed, 0 baselined")
        XCTAssertTrue(run.lines.contains("coverage: 33.3% (1/3) total"), run.stdout)
    }

    func testSwiftSiteAndUnusedSuppressionUnderStrict() throws {
        let dir = try Scratch()
        try dir.write("Sources/App/main.swift", """
        let p = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        let n = 1 // alloc-tag: ignore

        """)
        try dir.write("Package.swift", "// swift-tools-version: 6.0\nimport PackageDescription\nlet package = Package(name: \"P\", targets: [.executableTarget(name: \"App\")])\n")
        let run = try Tagger.run(["check", "--target", "App", "--strict", "--reporter", "github"], in: dir.url)
        XCTAssertEqual(run.status, 1)
        guard run.lines.count >= 2 else { return XCTFail(run.stdout + run.stderr) }
        XCTAssertTrue(run.line(0).hasPrefix("::error file=Sources/App/main.swift,line=1,col=9,title=untagged-site::"), run.line(0))
        XCTAssertEqual(run.line(1), "::error file=Sources/App/main.swift,line=2,col=14,title=unused-suppression::'alloc-tag: ignore' suppresses nothing on this line")
    }

    func testCompilationDatabaseFlagsDecideWhatIsAnalysed() throws {
        let dir = try Scratch()
        try dir.write("src/db.c", "#include <stdlib.h>\nvoid *f(int n)\n{\n#ifdef USE_HEAP\n\treturn malloc(n);\n#endif\n\treturn 0;\n}\n")
        try dir.write("build/compile_commands.json", """
        [{"directory": "\(dir.url.path)/src", "file": "db.c", "arguments": ["cc", "-DUSE_HEAP", "-c", "db.c"]}]
        """)
        let withFlags = try Tagger.run(["check", "-p", "build", "--strict"], in: dir.url)
        XCTAssertEqual(withFlags.status, 1, withFlags.stderr)
        XCTAssertTrue(withFlags.lines.contains { $0.hasPrefix("src/db.c:5:9: error: malloc") && $0.hasSuffix("[untagged-site]") }, withFlags.stdout)
        let without = try Tagger.run(["check", "src/db.c", "--strict"], in: dir.url)
        XCTAssertEqual(without.status, 0, without.stdout)
        XCTAssertTrue(without.line(0).hasPrefix("src/db.c:4:1: note: ") && without.line(0).hasSuffix("[inactive-region]"), without.stdout)
        XCTAssertEqual(without.lines.last, "check passed: 0 errors, 0 warnings, 1 note; 0 suppressed, 0 baselined")
    }

    func testMinCoverage() throws {
        let dir = try Scratch()
        try dir.write("a.c", "#include <stdlib.h>\n#include <alloc_tag/alloc_tag.h>\nvoid *f(void) { return alloc_hooks(malloc(1)); }\nvoid *g(void) { void *p = malloc(2); return p; }\n")
        let pass = try Tagger.run(["check", "a.c", "--min-coverage", "50", "--", Tagger.runtimeInclude], in: dir.url)
        XCTAssertEqual(pass.status, 0, pass.stdout)
        let fail = try Tagger.run(["check", "a.c", "--min-coverage", "50.1", "--", Tagger.runtimeInclude], in: dir.url)
        XCTAssertEqual(fail.status, 1)
        XCTAssertTrue(fail.lines.contains("error: 1 of 2 allocation sites are tagged (50.0%), below --min-coverage 50.1 [coverage-below-minimum]"), fail.stdout)
    }

    func testUsageErrorsExit64() throws {
        let dir = try Scratch()
        try dir.write("file.c", cFile)
        try dir.write("bad.json", "{\"entries\": 1}")
        try dir.write("pkg/Package.swift", "// swift-tools-version: 6.0\nimport PackageDescription\nlet package = Package(name: \"P\", targets: [.executableTarget(name: \"App\", path: \"src\")])\n")
        try dir.write("pkg/src/main.swift", "print(1)\n")
        let cases: [([String], String)] = [
            (["check"], "nothing to check"),
            (["check", "file.c", "--reporter", "xml"], "'xml' is invalid for '--reporter"),
            (["check", "file.c", "--min-coverage", "101"], "--min-coverage must be between 0 and 100, got 101"),
            (["check", "file.c", "--strict-baseline"], "--strict-baseline needs --baseline FILE"),
            (["check", "missing.c"], "missing.c: no such file or directory"),
            (["check", "file.c", "--baseline", "bad.json"], "bad.json: not a tagger baseline"),
            (["check", "file.c", "--baseline", "none.json"], "none.json: cannot read the baseline file"),
            (["check", "--target", "Nope"], "no Package.swift; --target names a target of the package at --package-path DIR"),
            (["check", "--target", "Nope", "--package-path", "pkg"], "pkg/Package.swift: no target named 'Nope'; targets: App"),
            (["check", "file.c", "--no-such-option"], "Unknown option '--no-such-option'"),
        ]
        for (arguments, message) in cases {
            let run = try Tagger.run(arguments, in: dir.url)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stdout)\(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): expected '\(message)' in: \(run.stderr)")
            XCTAssertEqual(run.stdout, "", "\(arguments)")
        }
    }

    func testBaselineSurvivesInsertingLinesAboveThroughTheCLI() throws {
        let dir = try Scratch()
        try dir.write("file.c", cFile)
        let write = try Tagger.run(["check", "file.c", "--strict", "--write-baseline", "baseline.json"], in: dir.url)
        XCTAssertEqual(write.status, 0, write.stdout)
        XCTAssertEqual(write.lines.last, "check passed: 0 errors, 0 warnings, 0 notes; 0 suppressed, 1 baselined")
        XCTAssertTrue(try dir.read("baseline.json").contains("\"text\" : \"char *p = malloc(10);\""))

        // Lines inserted above the finding: still accepted.
        try dir.write("file.c", "/* a new\n   header */\n#include <string.h>\n" + cFile)
        let moved = try Tagger.run(["check", "file.c", "--strict", "--baseline", "baseline.json", "--strict-baseline"], in: dir.url)
        XCTAssertEqual(moved.status, 0, moved.stdout)

        // A new finding fails; the accepted one stays quiet.
        try dir.write("file.c", "#include <string.h>\n" + cFile.replacingOccurrences(of: "    return", with: "    char *q = strdup(\"x\");\n    return"))
        let added = try Tagger.run(["check", "file.c", "--strict", "--baseline", "baseline.json"], in: dir.url)
        XCTAssertEqual(added.status, 1)
        XCTAssertEqual(added.lines.filter { $0.contains("[untagged-site]") }.count, 1, added.stdout)
        XCTAssertTrue(added.line(0).hasPrefix("file.c:5:15: error: strdup"), added.line(0))

        // The accepted finding fixed: --strict-baseline reports the stale entry.
        try dir.write("file.c", "int main(void) { return 0; }\n")
        let gone = try Tagger.run(["check", "file.c", "--baseline", "baseline.json", "--strict-baseline"], in: dir.url)
        XCTAssertEqual(gone.status, 1)
        XCTAssertEqual(gone.line(0), "file.c: error: baselined 'untagged-site' finding on 'char *p = malloc(10);' no longer occurs; rewrite the baseline with --write-baseline [stale-baseline-entry]")
    }

    func testSARIFFileFromTheCLI() throws {
        let dir = try Scratch()
        try dir.write("src/file.c", cFile)
        let run = try Tagger.run(["check", "src", "--reporter", "sarif", "--output", "out.sarif"], in: dir.url)
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "check passed: 0 errors, 1 warning, 0 notes; 0 suppressed, 0 baselined (sarif report written to out.sarif)\n")
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try dir.read("out.sarif").utf8)) as? [String: Any])
        let result = try XCTUnwrap(((log["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first)
        XCTAssertEqual(result["ruleId"] as? String, "untagged-site")
        XCTAssertEqual(result["level"] as? String, "warning")
        let location = try XCTUnwrap((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        XCTAssertEqual((location["artifactLocation"] as? [String: Any])?["uri"] as? String, "src/file.c")
        XCTAssertEqual((location["region"] as? [String: Any])?["startLine"] as? Int, 3)
        XCTAssertEqual((location["region"] as? [String: Any])?["startColumn"] as? Int, 15)
    }
}
