import TaggerCore
@testable import TaggerLexScan
import XCTest
@testable import TaggerSwift

final class TagNameTests: XCTestCase {
    let source = """
        struct Pool {
            func a() { _ = malloc(4); _ = malloc(4) }
            func b() { _ = malloc(4) }
        }
        """

    func names(_ s: String, path: String = "Sources/M/Pool.swift") throws -> [String] {
        let out = try SwiftFrontEnd.annotate(source: s, path: path, config: .init(), scopes: false).source
        return SwiftLexScan.scan(source: out, isMainFile: false, constructedTypes: []).references.map(\.name)
    }

    func testNamesArePinned() throws {
        // Pinned: a change of the naming scheme renames every tag in every user's code.
        XCTAssertEqual(TagNaming.name(fileName: "Pool.swift", declaration: "Pool.a()", expressionText: "malloc ( 4 )", ordinal: 0),
                       "allocTag_Pool_a_" + String(FNV1a.hash("Pool.swift\u{0}Pool.a()\u{0}malloc ( 4 )\u{0}0") & 0xFFFF_FFFF_FFFF, radix: 16)
                           .leftPadded(to: 12))
        XCTAssertEqual(FNV1a.hash(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(FNV1a.hash("a"), 0xaf63_dc4c_8601_ec8c)  // FNV-1a 64 test vector
        XCTAssertEqual(TagNaming.name(fileName: "My File.swift", declaration: "T.==(_:_:)", expressionText: "x", ordinal: 0).prefix(19),
                       "allocTag_My_File_op")
    }

    func testIdenticalExpressionsInOneFunctionGetDistinctNames() throws {
        let n = try names(source)
        XCTAssertEqual(n.count, 3)
        XCTAssertEqual(Set(n).count, 3)
        XCTAssertTrue(n[0].hasPrefix("allocTag_Pool_a_") && n[1].hasPrefix("allocTag_Pool_a_") && n[2].hasPrefix("allocTag_Pool_b_"))
    }

    func testAddingLinesAndSitesAboveRenamesNothing() throws {
        let before = try names(source)
        let edited = """
            import Glibc
            // a new comment

            struct Pool {
                func z() { _ = calloc(1, 1) }
                func a() {
                    _ = malloc(4); _ = malloc(4)
                }
                func b() { _ = malloc(4) }
            }
            """
        let after = try names(edited)
        XCTAssertEqual(Array(after.dropFirst()), before)
    }

    func testANewIdenticalSiteAboveAnAnnotatedOneKeepsTheOldName() throws {
        let once = try SwiftFrontEnd.annotate(source: source, path: "Pool.swift", config: .init(), scopes: false).source
        let old = SwiftLexScan.scan(source: once, isMainFile: false, constructedTypes: []).references.map(\.name)
        let grown = once.replacingOccurrences(of: "func b() {", with: "func b() { _ = malloc(4);")
        let twice = try SwiftFrontEnd.annotate(source: grown, path: "Pool.swift", config: .init(), scopes: false).source
        let new = SwiftLexScan.scan(source: twice, isMainFile: false, constructedTypes: []).references.map(\.name)
        XCTAssertEqual(new.count, 4)
        XCTAssertEqual(Set(new).count, 4)
        XCTAssertEqual(new[0], old[0]); XCTAssertEqual(new[1], old[1]); XCTAssertEqual(new[3], old[2])
    }

    func testCopiedTagIsRenamedAndForeignTagToo() throws {
        let copied = """
            func f() {
                _ = withAllocTag(&allocTag_Pool_f_000000000001) { malloc(1) }
                _ = withAllocTag(&allocTag_Pool_f_000000000001) { malloc(1) }
                _ = withAllocTag(&allocTag_Other_g_000000000002) { malloc(2) }
                _ = withAllocTag(&myOwnTag) { malloc(3) }
            }
            """
        let result = try SwiftFrontEnd.annotate(source: copied, path: "Pool.swift", config: .init(), scopes: false)
        XCTAssertEqual(result.renamed, 2)
        XCTAssertEqual(result.wrapped, 0)
        let refs = SwiftLexScan.scan(source: result.source, isMainFile: false, constructedTypes: []).references.map(\.name)
        XCTAssertEqual(refs[0], "allocTag_Pool_f_000000000001")
        XCTAssertNotEqual(refs[1], refs[0])
        XCTAssertTrue(refs[1].hasPrefix("allocTag_Pool_f_") && refs[2].hasPrefix("allocTag_Pool_f_"))
        XCTAssertEqual(refs[3], "myOwnTag")
        XCTAssertEqual(Set(refs).count, 4)
    }

    func testAnnotateFileWritesAtomicallyAndOnlyWhenChanged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftfront-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("Pool.swift").path
        try source.write(toFile: path, atomically: false, encoding: .utf8)
        let first = try SwiftFrontEnd.annotate(file: path, config: .init(), scopes: false)
        XCTAssertEqual(first.wrapped, 3)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), first.source)
        let stamp = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let second = try SwiftFrontEnd.annotate(file: path, config: .init(), scopes: false)
        XCTAssertFalse(second.changed)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date, stamp)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["Pool.swift"])
    }
}

extension String {
    func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
