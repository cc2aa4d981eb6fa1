import TaggerCore
import TaggerLexScan
import XCTest

/// Comments as the one lexer yields them (the coverage gate reads suppressions from these).
final class LexCommentTests: XCTestCase {
    private func bodies(_ text: String, _ dialect: Lexer.Dialect) -> [String] {
        Lexer.comments(in: text, dialect: dialect).map(\.body)
    }

    func testCSkipsStringAndCharacterLiterals() {
        let text = #"""
        char *s = "// not a comment /* nor this */"; char c = '"'; // real
        char d = '\''; /* block
        two */ int x; char *e = "esc \" // still string";
        """#
        let comments = Lexer.comments(in: text, dialect: .c)
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

    /// The disagreement one lexer removes: the gate read a spliced C line comment as a comment,
    /// the token scan read its second line as code.
    func testASplicedCLineCommentHidesItsNextLineFromTheTokenScan() {
        let text = "// see below \\\nchar *p = malloc(4);\nchar *q = malloc(8);\n"
        XCTAssertEqual(bodies(text, .c), [" see below \\\nchar *p = malloc(4);"])
        XCTAssertEqual(Lexer.tokenize(text, dialect: .c).filter { $0.text == "malloc" }.map(\.line), [3])
        XCTAssertEqual(Lexer.tokenize(text, dialect: .swift).filter { $0.text == "malloc" }.map(\.line), [2, 3])
    }

    func testCommentsInsideDirectivesAreComments() {
        XCTAssertEqual(bodies("#define N 4 // alloc-tag: ignore\nint x;", .c), [" alloc-tag: ignore"])
    }
}
