import Foundation
import XCTest

/// `alloctag-gen --c`'s provider: check's libclang front end when a libclang loads (its
/// diagnostics are check's, helpers included), else the token scan with one warning that says so.
final class GenCProviderTests: XCTestCase {
    /// A helper (`xmalloc`) and a helper of a helper (`twice`): only libclang's inference sees them.
    private let source = """
        #include <stdlib.h>
        void *xmalloc(size_t n) { void *p = malloc(n); if (!p) abort(); return p; }
        void *twice(void) { return xmalloc(4); }

        """

    private func run(_ environment: [String: String] = [:]) throws -> (check: [String], gen: TaggerRun, path: String) {
        let dir = try Scratch()
        try dir.write("helper.c", source)
        let path = dir.url.appendingPathComponent("helper.c").standardized.path
        let check = try Tagger.run(["check", "helper.c"], in: dir.url)
        XCTAssertEqual(check.status, 0, check.stderr)
        let gen = try Gen.run(["--c", "--module", "M", "--output", dir.url.appendingPathComponent("sites.txt").path, path],
                              in: dir.url, environment: environment)
        XCTAssertEqual(gen.status, 0, gen.stderr)
        return (Diagnostic.parse(check.stdout, in: dir.url.path).map(\.key).sorted(), gen, path)
    }

    func testWithLibclangTheWarningsAreChecksFindings() throws {
        let (check, gen, path) = try run()
        XCTAssertEqual(Diagnostic.parse(gen.stderr, in: "/").map(\.key).sorted(), check)
        XCTAssertEqual(check, ["\(path):2:1 [noprof-helper]", "\(path):2:37 [untagged-site]",
                               "\(path):3:1 [noprof-helper]", "\(path):3:28 [untagged-site]"])
        XCTAssertFalse(gen.stderr.contains("libclang-unavailable"), gen.stderr)
    }

    func testWithoutLibclangOneWarningSaysSoAndTheTokenScanWarns() throws {
        let (_, gen, path) = try run(["TAGGER_LIBCLANG": "/nonexistent/libclang.so"])
        let lines = gen.stderr.split(separator: "\n").map(String.init)
        let notice = lines.filter { $0.hasSuffix("[libclang-unavailable]") }
        XCTAssertEqual(notice.count, 1, gen.stderr)
        XCTAssertTrue(notice.first?.hasPrefix("alloctag-gen: warning: M: the C warnings come from the token scan") ?? false, gen.stderr)
        XCTAssertTrue(notice.first?.contains("cannot load TAGGER_LIBCLANG=/nonexistent/libclang.so") ?? false, gen.stderr)
        XCTAssertTrue(notice.first?.contains("install libclang") ?? false, gen.stderr)
        // The direct malloc call only: the helper and its call are what the fallback loses.
        XCTAssertEqual(Diagnostic.parse(gen.stderr, in: "/").map(\.key), ["\(path):2:37 [untagged-site]"])
        XCTAssertEqual(lines.count, 2, gen.stderr)
    }

    /// The Swift toolchain's libclang (what the build plugin passes with `--libclang`): beside
    /// `swiftc` on PATH, `usr/bin/../lib/libclang.so`.
    static var toolchainLibclang: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") {
            let swiftc = URL(fileURLWithPath: String(dir)).appendingPathComponent("swiftc")
            guard FileManager.default.fileExists(atPath: swiftc.path) else { continue }
            let library = swiftc.resolvingSymlinksInPath().deletingLastPathComponent()
                .appendingPathComponent("../lib/libclang.so").standardized.path
            return FileManager.default.fileExists(atPath: library) ? library : nil
        }
        return nil
    }

    func testTheToolchainsLibclangFindsWhatChecksDoes() throws {
        // The toolchain's libclang finds its builtin headers (stddef.h) only with -resource-dir,
        // which the front end derives from the library's own location.
        guard let library = Self.toolchainLibclang else { throw XCTSkip("no Swift toolchain libclang beside swiftc") }
        let (check, gen, _) = try run(["TAGGER_LIBCLANG": library])
        XCTAssertEqual(Diagnostic.parse(gen.stderr, in: "/").map(\.key).sorted(), check, gen.stderr)
        XCTAssertFalse(gen.stderr.contains("error"), gen.stderr)
    }

    func testAnUnusableFallbackDoesNotHideTheSystemLibclang() throws {
        // `--libclang` is tried after the system's libclang, so check and the plugin load the same one.
        let dir = try Scratch()
        try dir.write("helper.c", source)
        let gen = try Gen.run(["--c", "--module", "M", "--output", dir.url.appendingPathComponent("s.txt").path,
                               "--libclang", "/nonexistent/libclang.so", dir.url.appendingPathComponent("helper.c").path], in: dir.url)
        XCTAssertEqual(gen.status, 0, gen.stderr)
        XCTAssertFalse(gen.stderr.contains("libclang-unavailable"), gen.stderr)
        XCTAssertEqual(Diagnostic.parse(gen.stderr, in: "/").filter { $0.rule == "noprof-helper" }.count, 2, gen.stderr)
    }
}
