import Foundation
import TaggerC
import TaggerCore
import TaggerTestSupport
import XCTest

/// The C rewriter's test harness: `input` carries markers (see `MarkedText`) where findings
/// are expected; the markers are removed, the file is annotated in a scratch directory, and the
/// output, the findings at each marker, idempotence and compilation with gcc and clang are checked.
enum CHarness {
    static var runtimeInclude: String {
        URL(fileURLWithPath: SourceCacheTestAccess.canonical(#filePath)).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/TagRuntime/Core/include").path
    }

    static func scratchDirectory() -> String {
        let dir = NSTemporaryDirectory() + "cfront-test-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return SourceCacheTestAccess.canonical(dir)
    }

    static func compiles(_ path: String, with compiler: String) -> (Bool, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [compiler, "-std=gnu11", "-Wall", "-Werror", "-c", "-I", runtimeInclude, path, "-o", path + ".\(compiler).o"]
        let pipe = Pipe()
        p.standardError = pipe
        try! p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus == 0, String(decoding: data, as: UTF8.self))
    }
}

enum SourceCacheTestAccess {
    static func canonical(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }
}

/// Annotates `input` (file `main.c`, plus `headers`) and checks everything the harness checks.
/// `findings` maps a marker to the rule id expected at its position (line and column).
func assertAnnotation(
    _ input: String, expected: String, findings: [String: String] = [:], headers: [String: String] = [:],
    expectedHeaders: [String: String] = [:], config: CConfig = CConfig(), flags: [String] = [],
    compile: Bool = true, file: StaticString = #filePath, line: UInt = #line
) throws {
    let dir = CHarness.scratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let marked = MarkedText(input)
    let (text, marks) = (marked.text, marked.positions)
    let path = dir + "/main.c"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    for (name, body) in headers { try body.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    var config = config
    config.root = dir
    let result = try CFrontEnd.annotate(files: [path], flags: .fixed(flags), config: config)
    let output = try String(contentsOfFile: path, encoding: .utf8)
    XCTAssertEqual(output, expected, "annotated output", file: file, line: line)
    for (name, want) in expectedHeaders {
        XCTAssertEqual(try String(contentsOfFile: dir + "/" + name, encoding: .utf8), want, "header \(name)", file: file, line: line)
    }
    // Findings: exactly the expected rule at each marker, nothing else.
    let got = result.scan.findings.map { "\($0.ruleID)@\($0.location.line):\($0.location.column)" }.sorted()
    let want = findings.map { m, rule in "\(rule)@\(marks[m]!.line):\(marks[m]!.column)" }.sorted()
    XCTAssertEqual(got, want, "findings: \(result.scan.findings.map(\.compilerStyle))", file: file, line: line)
    // Idempotent: a second run changes nothing and finds every site tagged.
    let again = try CFrontEnd.annotate(files: [path], flags: .fixed(flags), config: config)
    XCTAssertFalse(again.scan.hasErrors, "second run: \(again.scan.findings.map(\.compilerStyle))", file: file, line: line)
    XCTAssertEqual(again.changed.count, 0, "second run changed \(again.changed.map(\.source))", file: file, line: line)
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), expected, "second run output", file: file, line: line)
    let rescan = try CFrontEnd.scan(files: [path], flags: .fixed(flags), config: config)
    XCTAssertEqual(rescan.sites.filter { !$0.tagged }.count, result.scan.sites.filter { !$0.tagged }.count,
                   "scan after annotate: \(rescan.sites.filter { !$0.tagged })", file: file, line: line)
    if compile {
        for compiler in ["gcc", "clang"] {
            let (ok, log) = CHarness.compiles(path, with: compiler)
            XCTAssertTrue(ok, "\(compiler) rejects the annotated file:\n\(log)", file: file, line: line)
        }
    }
}
