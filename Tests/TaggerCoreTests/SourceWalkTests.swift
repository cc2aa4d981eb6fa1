import Foundation
import TaggerCore
import XCTest

final class SourceWalkTests: XCTestCase {
    func testSourcesSkipHiddenFoldersBuildFoldersAndManifests() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("walk-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for file in ["a.c", "b.swift", "d.h", "notes.txt", "Package.swift", "Package@swift-5.9.swift",
                     "sub/c.c", "sub/Package.swift", ".build/checkouts/x.c", ".build-release/y.swift",
                     ".hidden/z.swift", "sub/.cache/w.c", ".dot.c"] {
            let path = dir + "/" + file
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        }
        XCTAssertEqual(SourceWalk.sources(under: dir), [dir + "/a.c", dir + "/b.swift", dir + "/sub/c.c"])
        XCTAssertEqual(SourceWalk.sources(under: dir + "/"), [dir + "/a.c", dir + "/b.swift", dir + "/sub/c.c"])
    }
}
