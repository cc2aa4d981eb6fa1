import Foundation
import TaggerCore
import XCTest

final class TaggerCoreTests: XCTestCase {
    func testCompilerStyleFinding() {
        let finding = Finding(ruleID: "untagged-site", severity: .warning, message: "malloc is not tagged",
                              location: SourceLocation(file: "src/a.c", line: 3, column: 15))
        XCTAssertEqual(finding.compilerStyle, "src/a.c:3:15: warning: malloc is not tagged [untagged-site]")
    }

    func testAtomicWriteReplacesAndKeepsMode() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tc-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f.c").path
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o600)
        try AtomicFile.write("new contents\n", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new contents\n")
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["f.c"])
    }

    func testAtomicWriteToMissingDirectoryFailsWithPath() {
        XCTAssertThrowsError(try AtomicFile.write("x", to: "/nonexistent-dir/f.c")) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent-dir/f.c: cannot write:"), "\(error)")
        }
    }
}
