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

    func testWriteAllWritesNothingWhenOneFileCannotBeWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-all-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/in-the-way.c", withIntermediateDirectories: true)
        try "old a".write(toFile: dir + "/a.c", atomically: false, encoding: .utf8)
        let files: [(path: String, data: Data)] = [(dir + "/a.c", Data("new a".utf8)), (dir + "/b.c", Data("new b".utf8)),
                                                   (dir + "/in-the-way.c", Data("x".utf8))]
        XCTAssertThrowsError(try AtomicFile.writeAll(files)) { error in
            XCTAssertEqual("\(error)", dir + "/in-the-way.c: cannot write: is a directory")
        }
        // The files staged before the failure were not renamed into place, and no temporary is left.
        XCTAssertEqual(try String(contentsOfFile: dir + "/a.c", encoding: .utf8), "old a")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.c", "in-the-way.c"])

        try AtomicFile.writeAll(Array(files.prefix(2)))
        XCTAssertEqual(try String(contentsOfFile: dir + "/a.c", encoding: .utf8), "new a")
        XCTAssertEqual(try String(contentsOfFile: dir + "/b.c", encoding: .utf8), "new b")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.c", "b.c", "in-the-way.c"])
    }
}
