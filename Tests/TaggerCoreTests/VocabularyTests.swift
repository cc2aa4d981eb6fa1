import Foundation
import TaggerCore
import XCTest

/// The runtime's `override.h` and the tagger's vocabulary name the same allocators.
final class VocabularyTests: XCTestCase {
    func testOverrideHeaderDefinesEveryMallocFamilyNameAndNoOther() throws {
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/TagRuntime/Core/include/alloc_tag/override.h")
        let text = try String(contentsOf: header, encoding: .utf8)
        var hooked: [String] = [], noprof: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("#define ") {
            let name = String(line.dropFirst("#define ".count).prefix { $0 != "(" && $0 != " " })
            if line.contains("alloc_hooks(\(name)_noprof(") { hooked.append(name) }
            if name.hasSuffix("_noprof") { noprof.append(String(name.dropLast("_noprof".count))) }
        }
        XCTAssertEqual(hooked, Vocabulary.mallocFamily)
        XCTAssertEqual(noprof, Vocabulary.mallocFamily)
    }
}
