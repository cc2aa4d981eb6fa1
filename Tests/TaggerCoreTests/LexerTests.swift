import TaggerCore
import XCTest

/// Marked text for the source layer: `input` carries markers (1️⃣, 2️⃣, …); `strip` removes them
/// and returns each marker's byte offset in the text without markers.
enum Marked {
    static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    static func strip(_ input: String) -> (SourceFile, [String: Int]) {
        var bytes: [UInt8] = []
        var found: [String: Int] = [:]
        var rest = Substring(input)
        while !rest.isEmpty {
            if let m = markers.first(where: { rest.hasPrefix($0) }) {
                found[m] = bytes.count
                rest = rest.dropFirst(m.count)
            } else {
                bytes += Array(String(rest.removeFirst()).utf8)
            }
        }
        return (SourceFile(bytes: bytes), found)
    }
}

final class LexerTests: XCTestCase {
    private func texts(_ source: String, _ dialect: Lexer.Dialect) -> [String] {
        Lexer.tokenize(source, dialect: dialect).map(\.text)
    }

    // MARK: C

    func testASplicedLineCommentContinuesInCOnlyAndCRLFSplicesCount() {
        XCTAssertEqual(texts("// a \\\nmalloc(1);\nx", .c), ["x"])
        XCTAssertEqual(texts("// a \\\r\nmalloc(1);\r\nx", .c), ["x"])
        XCTAssertEqual(texts("// a \\\nmalloc(1);\nx", .swift), ["malloc", "(", "1", ")", ";", "x"])
        XCTAssertEqual(Lexer.comments(in: "// a \\\r\nb\r\nc", dialect: .c).map(\.endLine), [2])
    }

    func testASpliceInCodeIsNoTokenAndDoesNotStartALine() {
        let tokens = Lexer.tokenize("mal\\\nloc \\\n# x", dialect: .c)
        XCTAssertEqual(tokens.map(\.text), ["mal", "loc", "#", "x"])
        XCTAssertEqual(tokens.map(\.kind), [.identifier, .identifier, .punct, .identifier])
        XCTAssertEqual(tokens.map(\.line), [1, 2, 3, 3])
        XCTAssertEqual(Lexer.directives(in: SourceFile(text: "y = 1; \\\n#define X\n")), [])
    }

    func testDirectivesWithContinuationLinesAndCommentsAreOneLogicalLine() {
        let (file, at) = Marked.strip("""
        int a;
        1️⃣  2️⃣# define 3️⃣NEW(n) \\
            /* a block
               comment */ malloc(n) // line \\
            still the comment
        4️⃣int b;
        5️⃣#endif
        """)
        let directives = Lexer.directives(in: file)
        XCTAssertEqual(directives, [
            LexDirective(keyword: "define", start: at["1️⃣"]!, hash: at["2️⃣"]!, end: at["4️⃣"]!, nameStart: at["3️⃣"]!),
            LexDirective(keyword: "endif", start: at["5️⃣"]!, hash: at["5️⃣"]!, end: file.count, nameStart: nil),
        ])
        // The token scan: one directive token, from `#` to its last line's end.
        let whole = Lexer.tokenize(file, dialect: .c)
        XCTAssertEqual(whole.map(\.kind), [.identifier, .identifier, .punct, .directive, .identifier, .identifier, .punct, .directive])
        XCTAssertEqual(whole[3].start, at["2️⃣"]!)
        XCTAssertEqual(whole[3].end, at["4️⃣"]! - 1)
        XCTAssertEqual([whole[3].line, whole[3].column], [2, 3])
        // The C front end: the directive's own tokens, and a macro read from its name.
        let split = Lexer.tokenize(file, dialect: .c, in: at["1️⃣"]!..<at["4️⃣"]!, directives: .split)
        XCTAssertEqual(split.map(\.text), ["#", "define", "NEW", "(", "n", ")", "malloc", "(", "n", ")"])
        XCTAssertEqual(split.map(\.line), [2, 2, 2, 2, 2, 2, 4, 4, 4, 4])
        XCTAssertEqual(Lexer.lineTokens(in: file, from: at["3️⃣"]!).map(\.text), ["NEW", "(", "n", ")", "malloc", "(", "n", ")"])
    }

    /// The C front end's own lexer found a directive's end by splices and block comments alone;
    /// the one lexer reads the directive as code, so a literal holding `/*` ends nothing.
    func testALiteralInADirectiveDoesNotOpenAComment() {
        let (file, at) = Marked.strip("#define GLOB \"/*\"\n1️⃣char *p = malloc(4); /* */\n")
        XCTAssertEqual(Lexer.directives(in: file).map(\.end), [at["1️⃣"]!])
        XCTAssertEqual(Lexer.lineTokens(in: file, from: 8).map(\.text), ["GLOB", "\"/*\""])
        XCTAssertEqual(Lexer.tokenize(file, dialect: .c).filter { $0.text == "malloc" }.map(\.line), [2])
    }

    /// An unterminated character literal (an apostrophe in an `#if 0` block) ends at its line's
    /// end; the C front end's directive finder swallowed the newline and missed the `#endif`.
    func testAnApostropheInAnInactiveBlockDoesNotHideTheNextDirective() {
        let file = SourceFile(text: "#if 0\nIt's not code\n#endif\n#include <stdlib.h>\n")
        XCTAssertEqual(Lexer.directives(in: file).map(\.keyword), ["if", "endif", "include"])
    }

    func testASplicedLineCommentHidesADirective() {
        XCTAssertEqual(Lexer.directives(in: SourceFile(text: "// note \\\n#define X 1\n#define Y 2\n")).map(\.keyword), ["define"])
        XCTAssertEqual(Lexer.directives(in: SourceFile(text: "int x; /* a\n */ #define X\n")), [])
        let (file, at) = Marked.strip("/* a\n */ # /* b */ include 1️⃣\"x.h\"\n#\n# 1 2️⃣\"f.c\"\n")
        XCTAssertEqual(Lexer.directives(in: file).map { "\($0.keyword) \($0.nameStart.map(String.init) ?? "-")" },
                       ["include \(at["1️⃣"]!)", " -", "1 \(at["2️⃣"]!)"])
    }

    func testTokensOfARangeStopAtItsEnd() {
        let (file, at) = Marked.strip("int 1️⃣f(voi2️⃣d) { return 0; }")
        XCTAssertEqual(Lexer.tokenize(file, dialect: .c, in: at["1️⃣"]!..<at["2️⃣"]!, directives: .split).map(\.text), ["f", "(", "voi"])
    }

    func testTriviaSkipsBlanksCommentsAndSplicesOnly() {
        let (file, at) = Marked.strip(" \t\u{0B}\u{0C}\\\n/* a */ // b \\\n c\n\\\r\n1️⃣x")
        XCTAssertEqual(Lexer.skipTrivia(in: file, from: 0), at["1️⃣"]!)
        XCTAssertEqual(Lexer.skipTrivia(in: file, from: 0, limit: 3), 3)
        XCTAssertEqual(Lexer.skipTrivia(in: SourceFile(text: "  \\\nx"), from: 0, dialect: .swift), 2)
    }

    func testCBlockCommentsDoNotNest() {
        XCTAssertEqual(texts("/* a /* b */ c */ x", .c), ["c", "*", "/", "x"])
    }

    // MARK: Swift

    func testSwiftBlockCommentsNest() {
        XCTAssertEqual(texts("/* a /* b */ c */ x", .swift), ["x"])
    }

    func testSwiftDollarIdentifiers() {
        XCTAssertEqual(texts("xs.map { $0 + $1 }", .swift), ["xs", ".", "map", "{", "$0", "+", "$1", "}"])
        XCTAssertEqual(texts("$0", .c), ["$", "0"])
    }

    func testSwiftRawStringsAreOneTokenAndTheirInterpolationsAreCode() {
        let tokens = Lexer.tokenize(###"let s = #"a "q" \(no) // no"# + ##"b "# \##(f(1))"## ; x"###, dialect: .swift)
        XCTAssertEqual(tokens.map(\.text), ["let", "s", "=", ##"#"a "q" \(no) // no"#"##, "+", ###"##"b "# \##(f(1))"##"###,
                                            "(", "f", "(", "1", ")", ")", ";", "x"])
        XCTAssertEqual(tokens[3].kind, .string)
        XCTAssertEqual(tokens[7].column, 45)
    }

    func testSwiftMultiLineStringsAreOneToken() {
        let tokens = Lexer.tokenize("let s = \"\"\"\n  a \"quoted\" // no\n  /* no\n  \"\"\"\nx", dialect: .swift)
        XCTAssertEqual(tokens.map(\.text), ["let", "s", "=", "\"\"\"\n  a \"quoted\" // no\n  /* no\n  \"\"\"", "x"])
        XCTAssertEqual(tokens.last?.line, 5)
        XCTAssertEqual(Lexer.comments(in: "let s = \"\"\"\n// no\n\"\"\" // yes", dialect: .swift).map(\.body), [" yes"])
    }

    func testSwiftHashIsNeverADirective() {
        XCTAssertEqual(Lexer.tokenize("#if DEBUG\nf()\n#endif", dialect: .swift).map(\.text), ["#if", "DEBUG", "f", "(", ")", "#endif"])
    }
}
