import TaggerCore
import XCTest

final class EditTests: XCTestCase {
    private func apply(_ edits: [Edit], to text: String) throws -> String {
        String(decoding: try Edit.apply(edits, to: Array(text.utf8)), as: UTF8.self)
    }

    /// The Swift front end's wrapping of `f(g(x))`: at one position a closing suffix (order 0)
    /// comes before an opening prefix (1); prefixes go outer first (depth), suffixes inner
    /// first (-depth); a replacement (2) comes after the insertions at its start.
    func testOrderThenDepthAtOnePositionWhateverTheInputOrder() throws {
        let text = "a = f(g(x)); b"
        let edits = [
            Edit.insert("W1 { ", at: 4, order: 1, depth: 0),
            Edit.insert(" }", at: 11, order: 0, depth: 0),
            Edit.insert("W2 { ", at: 6, order: 1, depth: 1),
            Edit.insert(" }", at: 10, order: 0, depth: -1),
            Edit.insert("[", at: 8, order: 1),
            Edit(start: 8, end: 9, text: "y", order: 2),
            Edit.insert("]", at: 9, order: 0),
            Edit.insert("<end>", at: 11, order: 3),
            Edit.insert("<start>", at: 0, order: -1),
        ]
        let want = "<start>a = W1 { f(W2 { g([y]) }) }<end>; b"
        XCTAssertEqual(try apply(edits, to: text), want)
        for _ in 0..<20 { XCTAssertEqual(try apply(edits.shuffled(), to: text), want) }
        // `f(x)` then `g(y)`, both wrapped: the first suffix (0) before the second prefix (1), whatever the texts.
        XCTAssertEqual(try apply([.insert("(", at: 1, order: 1), .insert(")", at: 1, order: 0)], to: "ab"), "a)(b")
        // `x.b().c()` holds `x.b()`: both start at 0, the outer prefix first; the inner suffix first.
        let chained = [Edit.insert("I{", at: 0, order: 1, depth: 1), .insert("O{", at: 0, order: 1, depth: 0),
                       .insert("}", at: 5, order: 0, depth: -1), .insert("}", at: 9, order: 0, depth: 0)]
        XCTAssertEqual(try apply(chained, to: "x.b().c()"), "O{I{x.b()}.c()}")
    }

    /// Equal keys (a Set's iteration order decided this in the C rewriter): the text breaks the tie.
    func testTiesAreBrokenByTheText() throws {
        XCTAssertEqual(try apply([.insert("b", at: 1, order: 2), .insert("a", at: 1, order: 2)], to: "xy"), "xaby")
        XCTAssertEqual(try apply([.insert("a", at: 1, order: 2), .insert("b", at: 1, order: 2)], to: "xy"), "xaby")
    }

    func testIdenticalEditsApplyOnce() throws {
        let e = Edit(start: 0, end: 1, text: "X", order: 0)
        XCTAssertEqual(try apply([e, e, .insert(")", at: 2, order: 0), .insert(")", at: 2, order: 0)], to: "abc"), "Xb)c")
        // The same replacement reached with another order is the same change.
        XCTAssertEqual(try apply([e, Edit(start: 0, end: 1, text: "X", order: 2)], to: "abc"), "Xbc")
    }

    func testInsertionsAtAReplacementsEndsAreNoConflict() throws {
        XCTAssertEqual(try apply([Edit(start: 1, end: 3, text: "BC", order: 2), .insert("(", at: 1, order: 1), .insert(")", at: 3, order: 0)],
                                 to: "abcd"), "a(BC)d")
    }

    func testOverlapsThrowAtTheLaterEdit() {
        XCTAssertThrowsError(try apply([Edit(start: 0, end: 3, text: "A", order: 0), Edit(start: 2, end: 4, text: "B", order: 0)], to: "abcd")) {
            XCTAssertEqual($0 as? Edit.Conflict, Edit.Conflict(offset: 2))
        }
        XCTAssertThrowsError(try apply([Edit(start: 1, end: 3, text: "A", order: 0), Edit(start: 1, end: 2, text: "B", order: 0)], to: "abcd")) {
            XCTAssertEqual($0 as? Edit.Conflict, Edit.Conflict(offset: 1))
        }
        XCTAssertThrowsError(try apply([Edit(start: 0, end: 3, text: "A", order: 0), .insert("(", at: 1, order: 0)], to: "abcd")) {
            XCTAssertEqual($0 as? Edit.Conflict, Edit.Conflict(offset: 1))
        }
        // An insertion at a replacement's start ordered after it would land inside what it replaced.
        XCTAssertThrowsError(try apply([Edit(start: 1, end: 3, text: "A", order: 0), .insert("(", at: 1, order: 1)], to: "abcd")) {
            XCTAssertEqual($0 as? Edit.Conflict, Edit.Conflict(offset: 1))
        }
    }
}

final class SourceFileTests: XCTestCase {
    func testLineIndexBothWays() {
        let file = SourceFile(text: "ab\r\n\nčd\n")
        XCTAssertEqual(file.lineCount, 4)
        XCTAssertEqual(file.lineStarts, [0, 4, 5, 9])
        XCTAssertEqual((0..<file.count).map { "\(file.line(of: $0)):\(file.column(of: $0))" },
                       ["1:1", "1:2", "1:3", "1:4", "2:1", "3:1", "3:2", "3:3", "3:4"])
        XCTAssertEqual(file.offset(line: 3, column: 3), 7)
        XCTAssertNil(file.offset(line: 3, column: 5))
        XCTAssertEqual(file.offset(line: 3, column: 4), 8)
        XCTAssertEqual(file.offset(line: 4, column: 1), 9)
        XCTAssertNil(file.offset(line: 5, column: 1))
        XCTAssertEqual(file.lineText(1), "ab\r")
        XCTAssertEqual(file.lineText(3), "čd")
        XCTAssertEqual(file.lineText(4), "")
        XCTAssertEqual(file.lineText(9), "")
        XCTAssertEqual(file.lineStart(of: 7), 5)
        XCTAssertEqual(file.lineEnd(of: 5), 9)
        XCTAssertEqual(file.utf16Column(line: 3, byteColumn: 3), 2)
        XCTAssertEqual(file.utf16Column(line: 3, byteColumn: 9), 9)
    }
}
