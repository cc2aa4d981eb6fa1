import Foundation
import TaggerC
import XCTest

/// `tagger check` and the build plugin find the Swift toolchain's libclang (`usr/lib/libclang.so`
/// beside the `swiftc` on PATH) when the system has none.
final class ToolchainLibclangTests: XCTestCase {
    func testTheLibraryBesideTheSwiftcOnPathIsFoundThroughASymlink() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("toolchain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("usr/bin"), lib = root.appendingPathComponent("usr/lib")
        let links = root.appendingPathComponent("links")
        for dir in [bin, lib, links] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        let swiftc = bin.appendingPathComponent("swiftc")
        FileManager.default.createFile(atPath: swiftc.path, contents: Data(), attributes: [.posixPermissions: 0o755])
        FileManager.default.createFile(atPath: lib.appendingPathComponent("libclang.so").path, contents: Data())
        // A PATH entry holding only a symlink to the toolchain's swiftc, as /usr/local/bin often does.
        try FileManager.default.createSymbolicLink(at: links.appendingPathComponent("swiftc"), withDestinationURL: swiftc)

        XCTAssertEqual(LibclangLibrary.toolchainLibrary(path: "/nonexistent:" + links.path),
                       lib.appendingPathComponent("libclang.so").standardized.path)
        XCTAssertNil(LibclangLibrary.toolchainLibrary(path: "/nonexistent:" + root.path))
        XCTAssertNil(LibclangLibrary.toolchainLibrary(path: ""))
    }

    func testThisMachinesToolchainHasOne() throws {
        // The toolchain that builds this package ships libclang (Swift 5.9 and later on Linux).
        let found = try XCTUnwrap(LibclangLibrary.toolchainLibrary(), "no libclang beside swiftc on PATH")
        XCTAssertTrue(found.hasSuffix("/usr/lib/libclang.so"), found)
    }
}
