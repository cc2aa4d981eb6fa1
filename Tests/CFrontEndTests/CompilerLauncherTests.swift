import Foundation
import TaggerC
import XCTest

/// `tagger cc` end to end: an unmodified program built through the launcher reports its
/// allocations at the helpers' callers, at the original file's line numbers.
final class CompilerLauncherTests: XCTestCase {
    func testHelperAllocationsAreChargedToCallersAtOriginalLines() throws {
        let dir = CHarness.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        static void *xmalloc(size_t n)
        {
        	void *p = malloc(n);
        	if (!p)
        		abort();
        	return p;
        }

        static char *xstrdup(const char *s)
        {
        	char *d = xmalloc(strlen(s) + 1);
        	return strcpy(d, s), d;
        }

        void *volatile sink[3];

        int main(void)
        {
        	sink[0] = xmalloc(100);
        	sink[1] = xstrdup("seven!");
        	sink[2] = realloc(malloc(10), 40);
        	printf("%s\\n", (char *)sink[1]);
        	return 0;
        }

        """
        try source.write(toFile: dir + "/prog.c", atomically: true, encoding: .utf8)
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        XCTAssertEqual(CompilerLauncher.run(["gcc", "-O2", "-Wall", "prog.c", "-o", "prog"]), 0)
        // The source file itself is untouched.
        XCTAssertEqual(try String(contentsOfFile: dir + "/prog.c", encoding: .utf8), source)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: dir + "/prog")
        p.environment = ["ALLOCTAG_REPORT": dir + "/report"]
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let report = try String(contentsOfFile: dir + "/report", encoding: .utf8)
        let lines = report.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "allocinfo - version: 2.0")
        // A line may hold two tags (realloc(malloc(10), 40): the inner malloc's is freed): summed.
        func entry(_ line: Int) -> (Int, Int)? {
            var sum: (Int, Int)?
            for l in lines where l.contains("prog.c:\(line) ") {
                let f = l.split(separator: " ", omittingEmptySubsequences: true)
                sum = ((sum?.0 ?? 0) + Int(f[0])!, (sum?.1 ?? 0) + Int(f[1])!)
            }
            return sum
        }
        // Callers' lines (23, 24, 25), at the original numbering; the helpers' lines carry nothing.
        XCTAssertEqual(entry(23).map { [$0.0, $0.1] }, [100, 1], report)
        XCTAssertEqual(entry(24).map { [$0.0, $0.1] }, [7, 1], report)
        XCTAssertEqual(entry(25).map { [$0.0, $0.1] }, [40, 1], report)
        XCTAssertNil(entry(7).flatMap { $0.0 > 0 ? $0 : nil }, report)
        XCTAssertNil(entry(15).flatMap { $0.0 > 0 ? $0 : nil }, report)
        XCTAssertTrue(report.contains("prog.c:23 func:main"), report)
    }

    func testNonCInputsAndPreprocessingPassThrough() throws {
        XCTAssertTrue(CompilerLauncher.scanArguments(["-E", "x.c"]).preprocessOnly)
        XCTAssertTrue(CompilerLauncher.scanArguments(["--version"]).preprocessOnly)
        let compile = CompilerLauncher.scanArguments(["-c", "-o", "a.o", "-I", "inc", "a.c", "b.s"])
        XCTAssertEqual(compile.sources, [5])
        XCTAssertFalse(compile.links)
        XCTAssertFalse(CompilerLauncher.scanArguments(["-x", "c++", "-c", "a.c"]).languageIsC)
        XCTAssertTrue(CompilerLauncher.scanArguments(["a.o", "b.o", "-o", "prog"]).links)
    }
}
