import Foundation
import TaggerCore
import XCTest

/// `.alloctag.json`: both shapes decode to the same settings, every other key is refused with
/// the file, line, column and key, and the lookup merges the inputs' nearest files.
final class AllocTagConfigTests: XCTestCase {
    private let schema = #"; expected {"c": {"allocators": [names], "noprof": [names], "root": "dir", "inferHelpers": bool}, "swift": {"types": [type names]}}"#

    private func decode(_ json: String) throws -> AllocTagConfig {
        try AllocTagConfig.decode(Array(json.utf8), path: "p/.alloctag.json")
    }

    /// The error `json` gets, as printed.
    private func error(_ json: String) -> String {
        do {
            _ = try decode(json)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testSectionedShape() throws {
        let config = try decode(#"{"c": {"allocators": ["xmalloc", "pool_alloc"], "noprof": ["impl"], "root": "src", "inferHelpers": false}, "swift": {"types": ["Node", "Packet"]}}"#)
        XCTAssertEqual(config, AllocTagConfig(c: .init(allocators: ["xmalloc", "pool_alloc"], noprof: ["impl"], root: "src", inferHelpers: false),
                                              swift: .init(types: ["Node", "Packet"])))
        XCTAssertEqual(config.constructedTypes, ["Node", "Packet"])
    }

    /// The first format's keys, as existing files spell them, are the `c` section's.
    func testFlatKeysAreTheCSection() throws {
        let flat = try decode(#"{"allocators": ["xmalloc"], "noprof": ["impl"], "root": "src", "inferHelpers": false, "swift": {"types": ["Node"]}}"#)
        XCTAssertEqual(flat, try decode(#"{"c": {"allocators": ["xmalloc"], "noprof": ["impl"], "root": "src", "inferHelpers": false}, "swift": {"types": ["Node"]}}"#))
        XCTAssertEqual(flat.c.allocators, ["xmalloc"])
        XCTAssertEqual(try decode("{}"), AllocTagConfig())
        XCTAssertEqual(try decode("{}").c.inferHelpers, true)
        XCTAssertEqual(try decode(#"{"c": {}, "swift": {}}"#), AllocTagConfig())
        XCTAssertEqual(try decode(#"{"c": null, "swift": null, "allocators": null, "root": null}"#), AllocTagConfig())
    }

    func testUnknownKeysNameTheFileLineAndKey() {
        XCTAssertEqual(error("{\n  \"allocator\": [\"x\"]\n}"),
                       #"p/.alloctag.json:2:3: error: invalid .alloctag.json: unknown key "allocator" (known at the top level: c, swift, allocators, noprof, root, inferHelpers)"# + schema)
        XCTAssertEqual(error(#"{"c": {"alocators": []}}"#),
                       #"p/.alloctag.json:1:8: error: invalid .alloctag.json: unknown key "c.alocators" (known in "c": allocators, noprof, root, inferHelpers)"# + schema)
        XCTAssertEqual(error(#"{"swift": {"types": [], "type": []}}"#),
                       #"p/.alloctag.json:1:25: error: invalid .alloctag.json: unknown key "swift.type" (known in "swift": types)"# + schema)
    }

    func testMistakesNameTheKey() {
        func reason(_ json: String) -> String {
            let text = error(json)
            guard let start = text.range(of: "invalid .alloctag.json: "), let end = text.range(of: schema) else { return text }
            return String(text[start.upperBound ..< end.lowerBound])
        }
        XCTAssertEqual(reason(#"{"allocators": ["a"], "c": {"allocators": ["b"]}}"#), #""allocators" is given both at the top level and in "c"; keep the one in "c""#)
        XCTAssertEqual(reason(#"{"allocators": "xmalloc"}"#), #""allocators" is not an array of strings"#)
        XCTAssertEqual(reason(#"{"c": {"noprof": [1]}}"#), #""c.noprof" is not an array of strings"#)
        XCTAssertEqual(reason(#"{"c": {"inferHelpers": "no"}}"#), #""c.inferHelpers" is not true or false"#)
        XCTAssertEqual(reason(#"{"root": 3}"#), #""root" is not a string"#)
        XCTAssertEqual(reason(#"{"c": []}"#), #""c" is not a JSON object"#)
        XCTAssertEqual(reason(#"{"swift": {"types": "Node"}}"#), #""swift.types" is not an array of strings"#)
        XCTAssertEqual(reason(#"{"swift": {"types": ["not a type"]}}"#), #""not a type" is not a Swift type name"#)
        XCTAssertEqual(reason("[]"), "the top level is not a JSON object")
        XCTAssertTrue(reason("{").hasPrefix("not valid JSON"), reason("{"))
    }

    /// The nearest file above each input, each file once, merged in input order; `--config`
    /// first; a relative root is the file's directory's.
    func testLookupMergesTheInputsNearestFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("alloctag-config-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/sub/deeper", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/other", withIntermediateDirectories: true)
        try #"{"allocators": ["a"], "root": "."}"#.write(toFile: dir + "/.alloctag.json", atomically: true, encoding: .utf8)
        try #"{"c": {"allocators": ["b", "a"], "inferHelpers": false}, "swift": {"types": ["T"]}}"#
            .write(toFile: dir + "/sub/.alloctag.json", atomically: true, encoding: .utf8)
        try #"{"c": {"noprof": ["n"], "root": "src"}}"#.write(toFile: dir + "/other/explicit.json", atomically: true, encoding: .utf8)

        XCTAssertEqual(AllocTagConfig.nearest(from: dir + "/sub/deeper"), dir + "/sub/.alloctag.json")
        let files = [dir + "/x.c", dir + "/sub/deeper/y.c", dir + "/sub/z.swift", dir + "/other/w.c"]
        XCTAssertEqual(try AllocTagConfig.resolve(explicit: nil, files: files),
                       AllocTagConfig(c: .init(allocators: ["a", "b"], root: dir, inferHelpers: false), swift: .init(types: ["T"])))
        XCTAssertEqual(try AllocTagConfig.resolve(explicit: dir + "/other/explicit.json", files: [dir + "/sub/y.c"]),
                       AllocTagConfig(c: .init(allocators: ["b", "a"], noprof: ["n"], root: dir + "/other/src", inferHelpers: false),
                                      swift: .init(types: ["T"])))
    }
}
