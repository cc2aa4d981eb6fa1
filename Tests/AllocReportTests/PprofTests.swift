import AllocReport
import Foundation
import XCTest

final class PprofTests: XCTestCase {
    /// One decoded site: what `go tool pprof` would show for it.
    struct Site: Equatable {
        var function: String, systemName: String, file: String, startLine: Int64, line: Int64
        var objects: Int64, space: Int64
        var labels: [String: String]
    }

    /// Decodes a Profile with the generic wire reader, resolving ids and string indices by the
    /// published field numbers of profile.proto.
    func decode(_ profile: [UInt8]) throws -> (types: [String], defaultType: String, comments: [String], sites: [Site]) {
        let p = try WireMessage(profile)
        let strings = try p.strings(6)
        XCTAssertEqual(strings.first, "", "string_table[0] must be empty")
        func s(_ i: Int64) -> String { i >= 0 && i < strings.count ? strings[Int(i)] : "<bad index \(i)>" }
        let types = try p.messages(1).map { "\(s(try $0.int(1)))/\(s(try $0.int(2)))" }
        var functions: [Int64: WireMessage] = [:]
        for f in try p.messages(5) { functions[try f.int(1)] = f }
        var locations: [Int64: WireMessage] = [:]
        for l in try p.messages(4) { locations[try l.int(1)] = l }
        XCTAssertEqual(functions.count, try p.messages(5).count, "function ids are unique")
        XCTAssertEqual(locations.count, try p.messages(4).count, "location ids are unique")

        var sites: [Site] = []
        for sample in try p.messages(2) {
            let locationIDs = try sample.ints(1)
            XCTAssertEqual(locationIDs.count, 1, "one location per sample")
            let location = try XCTUnwrap(locations[locationIDs[0]])
            let lines = try location.messages(4)
            XCTAssertEqual(lines.count, 1, "one line per location")
            let function = try XCTUnwrap(functions[try lines[0].int(1)])
            let values = try sample.ints(2)
            XCTAssertEqual(values.count, 2)
            var labels: [String: String] = [:]
            for label in try sample.messages(3) { labels[s(try label.int(1))] = s(try label.int(2)) }
            sites.append(Site(function: s(try function.int(2)), systemName: s(try function.int(3)), file: s(try function.int(4)),
                              startLine: try function.int(5), line: try lines[0].int(2),
                              objects: values[0], space: values[1], labels: labels))
        }
        return (types, s(try p.int(14)), try p.ints(13).map(s), sites)
    }

    func gunzip(_ data: [UInt8]) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("allocreport-\(UUID().uuidString).pb.gz").path
        try Data(data).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, out, err) = try runProgram(try XCTUnwrap(findExecutable("gzip"), "gzip is in every Debian image"), ["-dc", path])
        XCTAssertEqual(status, 0, err)
        return Array(out)
    }

    func testProfileReadBackShowsExactSitesAndValues() throws {
        let gz = PprofFormat.render(try Fixture.report("new.allocinfo"))
        let decoded = try decode(try gunzip(gz))
        XCTAssertEqual(decoded.types, ["inuse_objects/count", "inuse_space/bytes"])
        XCTAssertEqual(decoded.defaultType, "inuse_space")
        XCTAssertEqual(decoded.comments, ["alloctag allocinfo: new.allocinfo"])
        XCTAssertEqual(decoded.sites, [
            Site(function: "(untagged)", systemName: "(untagged)", file: "<untagged>", startLine: 0, line: 0, objects: 5, space: 8192, labels: [:]),
            Site(function: "Cache.insert(_:)", systemName: "Cache.insert(_:)", file: "Sources/App/Cache.swift", startLine: 42, line: 42, objects: 48, space: 3_145_728, labels: [:]),
            Site(function: "parse_token", systemName: "parse_token", file: "src/parse.c", startLine: 120, line: 120, objects: 256, space: 32768, labels: [:]),
            Site(function: "png_malloc_base", systemName: "png_malloc_base", file: "src/png.c", startLine: 88, line: 88, objects: 2, space: 20480, labels: ["module": "libpng16"]),
            Site(function: "png_create_struct", systemName: "png_create_struct", file: "src/png.c", startLine: 95, line: 95, objects: 1, space: 1024, labels: ["module": "libpng16", "accurate": "no"]),
            Site(function: "list_new", systemName: "list_new", file: "include/list.h", startLine: 33, line: 33, objects: 3, space: 300, labels: [:]),
        ])
    }

    func testDiffProfileCarriesNegativeValues() throws {
        let diff = AllocinfoDiff(old: try Fixture.report("old.allocinfo"), new: try Fixture.report("new.allocinfo"))
        let decoded = try decode(PprofFormat.encode(diff.deltaReport))
        XCTAssertEqual(decoded.sites.map(\.space), [2_097_152, 4096, 1024, 200, -2048, -32768])
        XCTAssertEqual(decoded.sites.map(\.objects), [32, 2, 1, 2, -1, -256])
    }

    func testGzipFramingAndCRC() throws {
        XCTAssertEqual(Gzip.crc32(Array("123456789".utf8)), 0xCBF4_3926)  // the CRC-32 check value
        XCTAssertEqual(try gunzip(Gzip.wrap([])), [])
        // Several stored blocks: 65535 is the most one block holds.
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        XCTAssertEqual(try gunzip(Gzip.wrap(big)), big)
        XCTAssertEqual(Gzip.wrap(big), Gzip.wrap(big), "same input, same bytes")
    }

    /// `go tool pprof` (Debian's golang-go) reads the file; optional, as the issue allows.
    func testGoToolPprofTop() throws {
        guard let go = findExecutable("go") else {
            throw XCTSkip("go is not installed (apt-get install golang-go); the wire-format read-back above covers the format")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("allocreport-\(UUID().uuidString).pb.gz").path
        try Data(PprofFormat.render(try Fixture.report("new.allocinfo"))).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let home = FileManager.default.temporaryDirectory.path
        let (status, out, err) = try runProgram("/usr/bin/env", ["HOME=\(home)", "GOCACHE=\(home)/allocreport-gocache", go, "tool", "pprof", "-top", "-lines", "-nodefraction=0", "-unit=B", path])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(err, "", "no symbolization attempt, no warning")
        let text = String(decoding: out, as: UTF8.self)
        let rows = text.split(separator: "\n").filter { $0.contains("%") && !$0.contains("flat%") && !$0.contains("Showing") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).joined(separator: " ") + " " + $0.split(separator: " ")[0] }
        // The line-0 untagged site prints its file without a line.
        XCTAssertEqual(rows, [
            "Cache.insert(_:) Sources/App/Cache.swift:42 3145728B",
            "parse_token src/parse.c:120 32768B",
            "png_malloc_base src/png.c:88 20480B",
            "(untagged) <untagged> 8192B",
            "png_create_struct src/png.c:95 1024B",
            "list_new include/list.h:33 300B",
        ], text)
        XCTAssertTrue(text.contains("Type: inuse_space"), text)
        let (status2, out2, err2) = try runProgram("/usr/bin/env", ["HOME=\(home)", "GOCACHE=\(home)/allocreport-gocache", go, "tool", "pprof", "-top", "-nodefraction=0", "-sample_index=inuse_objects", path])
        XCTAssertEqual(status2, 0, err2)
        XCTAssertTrue(String(decoding: out2, as: UTF8.self).contains("Showing nodes accounting for 315, 100% of 315 total"), String(decoding: out2, as: UTF8.self))
    }
}
