import TaggerCore
import TaggerTestSupport
@testable import TaggerLexScan
import XCTest
@testable import TaggerSwift

/// Annotates the marked input and checks: the exact output (tag names as `$Tn`), a finding at
/// each marker in `refused` and nowhere else, a second run that changes nothing, and that the
/// token scan every build runs agrees with swift-syntax on every site of the output. `unscoped`,
/// when given: the markers before the `{` of each body that can allocate and gets no scope
/// (an `unscoped-body` finding at each and nowhere else).
@discardableResult
func assertAnnotation(_ input: String, _ expected: String, refused: [String] = [], unscoped: [String]? = nil,
                      path: String = "Sources/Demo/Pool.swift", types: [String] = [], scopes: Bool = false,
                      file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
    let marked = MarkedText(input)
    let config = AllocTagConfig(swift: .init(types: types))
    let first = try SwiftFrontEnd.annotate(source: marked.text, path: path, config: config, scopes: scopes)
    let match = matchTags(expected: expected, actual: first.source)
    XCTAssertTrue(match.matched, "output mismatch: \(match.detail)\n--- actual:\n\(first.source)", file: file, line: line)
    let findingPositions = first.findings.map { "\($0.location.line):\($0.location.column)" }.sorted()
    let expectedPositions = refused.map { "\(marked.positions[$0]!.line):\(marked.positions[$0]!.column)" }.sorted()
    XCTAssertEqual(findingPositions, expectedPositions, "findings: \(first.findings.map(\.compilerStyle))", file: file, line: line)
    XCTAssertTrue(first.findings.allSatisfy { $0.ruleID == "untagged-site" && $0.location.file == path }, file: file, line: line)
    if let unscoped {
        XCTAssertEqual(first.unscoped.map { "\($0.location.line):\($0.location.column)" }.sorted(),
                       unscoped.map { "\(marked.positions[$0]!.line):\(marked.positions[$0]!.column)" }.sorted(),
                       "unscoped: \(first.unscoped.map(\.compilerStyle))", file: file, line: line)
        XCTAssertTrue(first.unscoped.allSatisfy { $0.ruleID == "unscoped-body" && $0.severity == .note }, file: file, line: line)
    }

    let second = try SwiftFrontEnd.annotate(source: first.source, path: path, config: config, scopes: scopes)
    XCTAssertEqual(second.source, first.source, "second run changed the file", file: file, line: line)
    XCTAssertEqual(second.wrapped, 0, file: file, line: line)
    XCTAssertEqual(second.renamed, 0, file: file, line: line)

    try assertScansAgree(first.source, path: path, types: types, file: file, line: line)
    let records = try SwiftFrontEnd.scopeRecords(source: first.source, path: path).map { "\($0.name) \($0.function) \($0.line)" }
    let lexRecords = SwiftLexScan.scan(source: first.source, isMainFile: path.hasSuffix("main.swift"), constructedTypes: Set(types))
        .references.filter(\.isScope).map { "\($0.name) \($0.function) \($0.line)" }
    XCTAssertEqual(lexRecords, records, "scope records: token scan and swift-syntax disagree", file: file, line: line)
    let (sites, _) = try SwiftFrontEnd.scan(source: first.source, path: path, config: config)
    XCTAssertEqual(sites.filter { !$0.tagged }.count, refused.count, "untagged after annotate", file: file, line: line)
    return match.names
}

/// swift-syntax and the token scan report the same sites (place, callee, function, tag).
func assertScansAgree(_ source: String, path: String, types: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    let config = AllocTagConfig(swift: .init(types: types))
    let (sites, _) = try SwiftFrontEnd.scan(source: source, path: path, config: config)
    let lex = SwiftLexScan.scan(source: source, isMainFile: path.hasSuffix("/main.swift") || path == "main.swift",
                                constructedTypes: Set(types))
    let syntaxView = sites.map { "\($0.location.line):\($0.location.column) \($0.callee) in \($0.function ?? "-") tagged:\($0.tagged)" }
    let lexView = lex.sites.map { "\($0.line):\($0.column) \($0.callee) in \($0.function) tagged:\($0.tagName != nil)" }
    XCTAssertEqual(lexView, syntaxView, "token scan and swift-syntax disagree", file: file, line: line)
}

/// The sites found in the marked input are exactly the marked ones, with these callees and functions.
func assertSites(_ input: String, _ expected: [String: (callee: String, function: String)], types: [String] = [],
                 path: String = "Sources/Demo/Pool.swift", file: StaticString = #filePath, line: UInt = #line) throws {
    let marked = MarkedText(input)
    let (sites, findings) = try SwiftFrontEnd.scan(source: marked.text, path: path, config: AllocTagConfig(swift: .init(types: types)))
    let actual = sites.map { "\($0.location.line):\($0.location.column) \($0.callee) in \($0.function ?? "-")" }
    let wanted = expected.sorted { $0.key < $1.key }.map { key, value in
        "\(marked.positions[key]!.line):\(marked.positions[key]!.column) \(value.callee) in \(value.function)"
    }
    XCTAssertEqual(actual.sorted(), wanted.sorted(), file: file, line: line)
    XCTAssertEqual(findings.count, sites.filter { !$0.tagged }.count, file: file, line: line)
    try assertScansAgree(marked.text, path: path, types: types, file: file, line: line)
}
