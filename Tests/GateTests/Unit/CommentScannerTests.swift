import XCTest
@testable import TaggerGate

final class CommentScannerTests: XCTestCase {
    private func bodies(_ text: String, _ language: SourceLanguage) -> [String] {
        CommentScanner.comments(in: text, language: language).map(\.body)
    }

    func testCSkipsStringAndCharacterLiterals() {
        let text = #"""
        char *s = "// not a comment /* nor this */"; char c = '"'; // real
        char d = '\''; /* block
        two */ int x; char *e = "esc \" // still string";
        """#
        let comments = CommentScanner.comments(in: text, language: .c)
        XCTAssertEqual(comments.map(\.body), [" real", " block\ntwo "])
        XCTAssertEqual(comments.map(\.bodyLine), [1, 2])
        XCTAssertEqual(comments.map(\.bodyColumn), [62, 18])
        XCTAssertEqual(comments.map(\.endLine), [1, 3])
    }

    func testCBlockCommentsDoNotNestAndLineCommentsContinue() {
        XCTAssertEqual(bodies("/* a /* b */ c */", .c), [" a /* b "])
        XCTAssertEqual(bodies("// one \\\ntwo\nint x;", .c), [" one \\\ntwo"])
    }

    func testSwiftNestedBlockCommentsAndApostrophes() {
        XCTAssertEqual(bodies("let it's = 1 /* a /* b */ c */ // d", .swift), [" a /* b */ c ", " d"])
    }

    func testSwiftStringsRawStringsAndInterpolation() {
        let text = #####"""
        let a = "x // no \("y // no" + f(/* yes */ 1)) // no"
        let b = #"raw \" // no"# // one
        let c = """
            // no
            """
        let d = ##"a "# // no"## /* two */
        """#####
        XCTAssertEqual(bodies(text, .swift), [" yes ", " one", " two "])
    }

    func testUnterminatedInputEndsCleanly() {
        XCTAssertEqual(bodies("/* open", .c), [" open"])
        XCTAssertEqual(bodies("\"open\n// after", .c), [" after"])
        XCTAssertEqual(bodies("let s = \"\\(f(", .swift), [])
    }
}
