import Foundation
import XCTest

/// The build plugin's C warnings (`alloctag-gen --c`) against `tagger check`'s findings on real C
/// libraries: the PyPI source distributions that `Tests/lib/sdists.sh` caches in
/// `${XDG_CACHE_HOME:-~/.cache}/alloctag/sdists` (pinned versions) (`Tests/setup` fetches them; a
/// library not cached there is skipped, or fails under `Tests/run-all`, which sets
/// ALLOCTAG_REQUIRE_SDISTS=1).
///
/// With libclang, gen runs check's own provider, so its diagnostics are check's, exactly: the
/// same `path:line:col [rule]` list (untagged sites, helper calls, `noprof-helper`,
/// `indirect-allocator`, and the `inactive-region` notes), counted exactly below.
///
/// Without libclang (TAGGER_LIBCLANG=/nonexistent), gen says so in one warning line and falls
/// back to the token scan, which agrees with check on every malloc-family call and nothing
/// else: each fallback warning is a check finding at the same line and column, except a call in
/// a preprocessor branch the compile flags leave inactive (the token scan has no flags), which
/// check names in an `inactive-region` note; what only the whole-program helper inference sees
/// (the helper calls, `noprof-helper`, `indirect-allocator`) is what the fallback loses.
final class PluginCWarningTests: XCTestCase {
    static let mallocFamily: Set<String> = [
        "malloc", "calloc", "realloc", "reallocarray", "strdup", "strndup", "aligned_alloc",
        "posix_memalign", "memalign", "valloc", "pvalloc",
    ]

    /// What check (and so the plugin) must find in one library.
    struct Expected {
        /// malloc-family calls (check's `untagged-site`; the token-scan fallback warns at them too).
        var agreed: Int
        /// Calls in branches check did not analyse (`inactive-region` notes; the fallback warns at them).
        var inactive: Int
        /// check's `untagged-site` findings at calls of inferred helpers (the fallback loses them).
        var helperCalls: Int
        var noprofHelpers: Int
        var indirectAllocators: Int
    }

    struct Library {
        var sdist: String
        /// Source directory inside the unpacked sdist, and the files of it compiled.
        var directory: String
        var files: (URL) -> [String]
        var flags: (URL) -> [String]
    }

    func testHiredis() throws {
        try compare(Library(sdist: "hiredis", directory: "vendor/hiredis",
                            files: { dir in ["sds", "read", "hiredis", "alloc", "net", "sockcompat", "async"].map { dir.path + "/\($0).c" } },
                            flags: { _ in [] }),
                    // No direct malloc-family call: everything goes through hi_malloc & co.
                    Expected(agreed: 0, inactive: 0, helperCalls: 148, noprofHelpers: 55, indirectAllocators: 0))
    }

    func testLMDB() throws {
        try compare(Library(sdist: "lmdb", directory: "lib", files: { dir in [dir.path + "/mdb.c", dir.path + "/midl.c"] },
                            flags: { _ in ["-pthread"] }),
                    // mdb.c:9552 memalign under HAVE_MEMALIGN, mdb.c:10501 malloc under _WIN32.
                    Expected(agreed: 23, inactive: 2, helperCalls: 30, noprofHelpers: 2, indirectAllocators: 0))
    }

    func testCmarkGFM() throws {
        try compare(Library(sdist: "cmarkgfm", directory: "third_party/cmark/src",
                            files: { dir in
                                ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
                                    .filter { $0.hasSuffix(".c") && $0 != "main.c" }.sorted().map { dir.path + "/" + $0 }
                            },
                            flags: { dir in ["-I", dir.path, "-I", dir.appendingPathComponent("../../../generated/unix").standardized.path] }),
                    Expected(agreed: 5, inactive: 0, helperCalls: 155, noprofHelpers: 59, indirectAllocators: 1))
    }

    func testBrotli() throws {
        try compare(Library(sdist: "brotli", directory: "c",
                            files: { dir in
                                ["common", "dec", "enc"].flatMap { sub in
                                    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/" + sub)) ?? [])
                                        .filter { $0.hasSuffix(".c") }.sorted().map { dir.path + "/\(sub)/" + $0 }
                                }
                            },
                            flags: { dir in ["-I", dir.path + "/include"] }),
                    // enc/static_dict_lut.c:200 malloc under BROTLI_STATIC_INIT (off by default).
                    Expected(agreed: 4, inactive: 1, helperCalls: 98, noprofHelpers: 10, indirectAllocators: 0))
    }

    func testZstd() throws {
        try compare(Library(sdist: "zstandard", directory: "zstd", files: { dir in [dir.path + "/zstd.c"] },
                            flags: { _ in ["-pthread"] }),
                    // Two of the 35 calls are in #define bodies (ZSTD_malloc, ZSTD_calloc).
                    Expected(agreed: 35, inactive: 0, helperCalls: 66, noprofHelpers: 33, indirectAllocators: 0))
    }

    private func compare(_ library: Library, _ expected: Expected, file: StaticString = #filePath, line: UInt = #line) throws {
        let scratch = try Scratch()
        let root = try unpack(library.sdist, into: scratch.url)
        let directory = root.appendingPathComponent(library.directory)
        let files = library.files(directory)
        XCTAssertFalse(files.isEmpty, "no sources under \(directory.path)", file: file, line: line)

        let check = try Tagger.run(["check"] + files + ["--"] + library.flags(directory), in: scratch.url)
        XCTAssertEqual(check.status, 0, check.stderr, file: file, line: line)
        let fromCheck = Diagnostic.parse(check.stdout, in: scratch.url.path)
        let genArguments = ["--c", "--module", "Real", "--output", scratch.url.appendingPathComponent("sites.txt").path]
            + files + ["--"] + library.flags(directory)

        // With libclang: check's findings, place for place and rule for rule.
        let gen = try Gen.run(genArguments, in: scratch.url)
        XCTAssertEqual(gen.status, 0, gen.stderr, file: file, line: line)
        XCTAssertFalse(gen.stderr.contains("[libclang-unavailable]"), gen.stderr, file: file, line: line)
        let fromPlugin = Diagnostic.parse(gen.stderr, in: "/")
        XCTAssertEqual(fromPlugin.map(\.key).sorted(), fromCheck.map(\.key).sorted(), file: file, line: line)
        XCTAssertEqual(fromPlugin.count, expected.agreed + expected.inactive + expected.helperCalls + expected.noprofHelpers
                       + expected.indirectAllocators, file: file, line: line)

        // The inactive-region notes name the lines: "the malloc() call on line N".
        let inactiveLines = Set(fromCheck.filter { $0.rule == "inactive-region" }.compactMap { note -> String? in
            guard let n = note.message.firstMatch(of: /call on line (\d+)/) else { return nil }
            return "\(note.file):\(n.1)"
        })
        let untagged = fromCheck.filter { $0.rule == "untagged-site" }
        let (familyCalls, helperCalls) = (untagged.filter { Self.mallocFamily.contains(Self.callee($0)) },
                                          untagged.filter { !Self.mallocFamily.contains(Self.callee($0)) })
        XCTAssertEqual(familyCalls.count, expected.agreed, file: file, line: line)
        XCTAssertEqual(inactiveLines.count, expected.inactive, file: file, line: line)
        XCTAssertEqual(helperCalls.count, expected.helperCalls, file: file, line: line)
        XCTAssertEqual(fromCheck.filter { $0.rule == "noprof-helper" }.count, expected.noprofHelpers, file: file, line: line)
        XCTAssertEqual(fromCheck.filter { $0.rule == "indirect-allocator" }.count, expected.indirectAllocators, file: file, line: line)
        XCTAssertEqual(fromCheck.count, expected.agreed + expected.inactive + expected.helperCalls + expected.noprofHelpers
                       + expected.indirectAllocators, "check reported a finding of another kind:\n\(check.stdout)", file: file, line: line)

        // Without libclang: one warning saying so, then the token scan's malloc-family calls.
        let fallback = try Gen.run(genArguments, in: scratch.url, environment: ["TAGGER_LIBCLANG": "/nonexistent/libclang.so"])
        XCTAssertEqual(fallback.status, 0, fallback.stderr, file: file, line: line)
        let notices = fallback.stderr.split(separator: "\n").filter { $0.contains("[libclang-unavailable]") }
        XCTAssertEqual(notices.count, 1, fallback.stderr, file: file, line: line)
        XCTAssertTrue(notices.first?.contains("warning: Real: the C warnings come from the token scan") ?? false,
                      fallback.stderr, file: file, line: line)
        XCTAssertTrue(notices.first?.contains("TAGGER_LIBCLANG=/nonexistent/libclang.so") ?? false, fallback.stderr, file: file, line: line)
        let fromTokenScan = Diagnostic.parse(fallback.stderr, in: "/")
        XCTAssertEqual(Set(fromTokenScan.map(\.rule)).subtracting(["untagged-site"]), [], file: file, line: line)
        let (inactive, active) = (fromTokenScan.filter { inactiveLines.contains("\($0.file):\($0.line)") },
                                  fromTokenScan.filter { !inactiveLines.contains("\($0.file):\($0.line)") })
        XCTAssertEqual(active.map(\.key).sorted(), familyCalls.map(\.key).sorted(), file: file, line: line)
        XCTAssertEqual(inactive.count, expected.inactive, inactive.map(\.key).joined(separator: "\n"), file: file, line: line)
    }

    /// `malloc` of "malloc() is not tagged: ...".
    static func callee(_ finding: Diagnostic) -> String {
        finding.message.prefixMatch(of: /([A-Za-z_][A-Za-z0-9_]*)\(\)/).map { String($0.1) } ?? ""
    }

    /// The cached sdist `NAME-*.tar.gz` unpacked under `directory`; its top folder.
    private func unpack(_ name: String, into directory: URL) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        let cache = (environment["XDG_CACHE_HOME"] ?? (environment["HOME"] ?? "") + "/.cache") + "/alloctag/sdists"
        // The version Tests/lib/sdists.sh pins (the counts below were measured on it), not
        // whichever release an older cache holds.
        let list = try String(contentsOf: Tagger.repository.appendingPathComponent("Tests/lib/sdists.sh"), encoding: .utf8)
        let pinned = try XCTUnwrap(list.firstMatch(of: Regex("\\[\(name)\\]=([^\\s)]+)"))?.output[1].substring,
                                   "\(name) has no pinned version in Tests/lib/sdists.sh")
        let tarball = "\(name)-\(pinned).tar.gz"
        guard FileManager.default.fileExists(atPath: cache + "/" + tarball) else {
            // Tests/run-all sets ALLOCTAG_REQUIRE_SDISTS after Tests/setup fetched them: a
            // missing sdist there is a failure, never a quiet skip.
            let message = "\(name): no sdist in \(cache); Tests/setup downloads it"
            if environment["ALLOCTAG_REQUIRE_SDISTS"] == "1" { XCTFail(message); throw CocoaError(.fileNoSuchFile) }
            throw XCTSkip(message)
        }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "xzf", cache + "/" + tarball, "-C", directory.path]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0, "tar xzf \(tarball)")
        return directory.appendingPathComponent(String(tarball.dropLast(".tar.gz".count)))
    }
}
