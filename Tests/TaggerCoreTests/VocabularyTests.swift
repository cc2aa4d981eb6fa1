import Foundation
import TaggerCore
import XCTest

/// The runtime and the tagger's vocabulary name the same allocators and hooks: the runtime is C
/// and a Swift library the tagger does not import, so these tests read its sources.
final class VocabularyTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func source(_ path: String) throws -> String {
        try String(contentsOf: Self.repository.appendingPathComponent(path), encoding: .utf8)
    }

    func testOverrideHeaderDefinesEveryMallocFamilyNameAndNoOther() throws {
        let text = try source("Sources/TagRuntime/Core/include/alloc_tag/override.h")
        var hooked: [String] = [], noprof: [String] = [], undefined: [String] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#undef ") { undefined.append(String(line.dropFirst("#undef ".count))) }
            guard line.hasPrefix("#define ") else { continue }
            let name = String(line.dropFirst("#define ".count).prefix { $0 != "(" && $0 != " " })
            if line.contains("alloc_hooks(\(name)_noprof(") { hooked.append(name) }
            if name.hasSuffix("_noprof") { noprof.append(String(name.dropLast("_noprof".count))) }
        }
        XCTAssertEqual(hooked, Vocabulary.mallocFamily)
        XCTAssertEqual(noprof, Vocabulary.mallocFamily)
        XCTAssertEqual(undefined, Vocabulary.mallocFamily)
        XCTAssertEqual(Vocabulary.mallocFamily.count, 11)
    }

    func testRuntimeDeclaresTheHooks() throws {
        let header = try source("Sources/TagRuntime/Core/include/alloc_tag/alloc_tag.h")
        for macro in Vocabulary.cHookMacros.sorted() {
            XCTAssertTrue(header.contains("#define \(macro)("), "alloc_tag.h defines no \(macro)(...)")
        }
        XCTAssertTrue(try source("Sources/TagRuntime/Swift/AllocTag.swift").contains("public func \(Vocabulary.swiftHook)<"))
        for type in Vocabulary.swiftScopeTypes.sorted() {
            XCTAssertTrue(try source("Sources/TagRuntime/Swift/\(type).swift").contains("public struct \(type) {"), type)
        }
    }
}
