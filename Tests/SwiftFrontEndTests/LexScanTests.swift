import Foundation
import TaggerCore
@testable import TaggerLexScan
import XCTest

final class LexScanTests: XCTestCase {
    /// Tokenizes on a worker thread; a lexer that stops making progress grows its token array
    /// without end, so the process is stopped before memory runs out rather than left to hang.
    private func tokenizeOrDie(_ source: String, dialect: Lexer.Dialect) -> [LexToken] {
        nonisolated(unsafe) var tokens: [LexToken] = []
        let done = DispatchSemaphore(value: 0)
        Thread { tokens = Lexer.tokenize(source, dialect: dialect); done.signal() }.start()
        if done.wait(timeout: .now() + 10) == .timedOut { fatalError("the lexer made no progress on \(source.debugDescription)") }
        return tokens
    }

    func testDollarIdentifiersAreOneTokenAndTheLexerAlwaysProgresses() {
        let tokens = tokenizeOrDie("let o = $0", dialect: .swift)
        XCTAssertEqual(tokens.map(\.text), ["let", "o", "=", "$0"])
        XCTAssertEqual(tokens.last?.kind, .identifier)
        XCTAssertEqual(tokenizeOrDie("xs.map { $0 + $1 }; $wrapped; $", dialect: .swift).map(\.text),
                       ["xs", ".", "map", "{", "$0", "+", "$1", "}", ";", "$wrapped", ";", "$"])
        // Every byte that can start a token, alone and at the end of input, in both dialects:
        // each must be consumed (a branch that reads nothing would loop forever).
        for byte in UInt8(1)...UInt8(0x7F) {
            let s = String(decoding: [byte], as: UTF8.self)
            for dialect in [Lexer.Dialect.swift, .c] {
                _ = tokenizeOrDie(s, dialect: dialect)
                _ = tokenizeOrDie("a" + s, dialect: dialect)
                _ = tokenizeOrDie("\"\\(" + s, dialect: dialect)
            }
        }
        XCTAssertEqual(SwiftLexScan.scan(source: "let o = $0", isMainFile: true, constructedTypes: []), SwiftLexScan.Result())
    }

    func testReferencesCarryTheSitesLineAndFunction() {
        let source = """
            import TagRuntime
            /* a comment with withAllocTag(&allocTag_X_y_000000000000) { malloc(1) } */
            let s = \"\"\"
              withAllocTag(&allocTag_in_string_000000000000) { malloc(1) } \\(malloc(2))
              \"\"\"
            struct Box<T> {
                init(n: Int) {
                    _ = withAllocTag(&allocTag_Box_init_000000000001) { [n = self.n] in
                        malloc(n) }
                }
                func fill() throws {
                    let v = try withAllocTag(&allocTag_Box_fill_000000000002) { try Node(1) }
                }
            }
            """
        let result = SwiftLexScan.scan(source: source, isMainFile: false, constructedTypes: ["Node"])
        XCTAssertEqual(result.references, [
            LexTagReference(name: "allocTag_Box_init_000000000001", function: "Box.init(n:)", line: 9, column: 13),
            LexTagReference(name: "allocTag_Box_fill_000000000002", function: "Box.fill()", line: 12, column: 73),
        ])
        // The interpolation is code: its malloc is a site (untagged); the rest of the literal is not.
        XCTAssertEqual(result.sites.map(\.tagName), [nil, "allocTag_Box_init_000000000001", "allocTag_Box_fill_000000000002"])
        XCTAssertEqual(result.sites.first.map { "\($0.line):\($0.column) \($0.callee)" }, "4:66 malloc")
    }

    func testCScanSeesHooksOverrideAndNoprof() {
        let plain = """
            #include <stdlib.h>
            #define XMALLOC(n) malloc(n)
            void *malloc(size_t n);
            static char *dup(const char *s) {
                char *a = malloc(4);            /* untagged */
                char *b = alloc_hooks(strdup(s)); // tagged
                char *c = (char *)calloc(1, 2);
                void *d = malloc_noprof(3);
                return ops->realloc(a, 8) ? b : c;
            }
            """
        XCTAssertEqual(CLexScan.scan(source: plain), [
            LexCSite(callee: "malloc", line: 2, column: 20, tagged: false),
            LexCSite(callee: "malloc", line: 5, column: 15, tagged: false),
            LexCSite(callee: "strdup", line: 6, column: 27, tagged: true),
            LexCSite(callee: "calloc", line: 7, column: 23, tagged: false),
        ])
        let overridden = "#include <stdlib.h>\n#include <alloc_tag/override.h>\nvoid f(void) { free(malloc(1)); }\n"
        XCTAssertEqual(CLexScan.scan(source: overridden), [LexCSite(callee: "malloc", line: 3, column: 21, tagged: true)])
    }

    /// A call in a `#define` body is a site where it is spelled, used or not, as libclang's
    /// front end reports it; the macro's name and parameters are not calls, and a body inside
    /// `alloc_hooks(` is tagged. Continuation lines keep their own line numbers.
    func testCScanReadsMacroBodies() {
        let source = """
            #define malloc(n) my_malloc(n)
            #define NEW(T) ((T *)calloc(1, sizeof(T)))
            #define GROW(p, n) \\
                realloc((p), \\
                        (n))
            #define TAGGED(s) alloc_hooks(strdup(s))
            #define ALIAS strdup
            #include "calloc.h"
            """
        XCTAssertEqual(CLexScan.scan(source: source), [
            LexCSite(callee: "calloc", line: 2, column: 22, tagged: false),
            LexCSite(callee: "realloc", line: 4, column: 5, tagged: false),
            LexCSite(callee: "strdup", line: 6, column: 31, tagged: true),
        ])
    }

    func testGeneratedDeclarations() {
        XCTAssertEqual(SwiftTagFile.render(module: "Demo", tags: []),
                       "// Generated by alloctag-gen for module Demo. Do not edit: every build rewrites it.\n")
        let text = SwiftTagFile.render(module: "Demo", tags: [("allocTag_A_f_000000000001", "A.f(x:)", "/p/A \"q\".swift", 7)])
        XCTAssertEqual(text, """
            // Generated by alloctag-gen for module Demo. Do not edit: every build rewrites it.
            import TagRuntime

            private func _allocTagNoModule() -> UnsafePointer<UInt8>? { nil }

            @section("alloc_tags") @used @usableFromInline @exclusivity(unchecked) nonisolated(unsafe) var allocTag_A_f_000000000001: AllocTagRecord = \
            (0x31474154, 1, 7, 0, _allocTagNoModule, { StaticString("A.f(x:)").utf8Start }, { StaticString("/p/A \\"q\\".swift").utf8Start })

            """)
    }

    func testConfigErrorsNameTheFile() throws {
        let dir = NSTemporaryDirectory() + "swiftfront-config-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/.alloctag.json"
        try #"{"swift": {"types": ["Node", "Packet"]}, "c": {}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try AllocTagConfig.load(path: path).constructedTypes, ["Node", "Packet"])
        try #"{"swift": {"types": "Node"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AllocTagConfig.load(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix(path + #":1:12: error: invalid .alloctag.json: "swift.types" is not an array of strings"#), "\($0)")
        }
        try #"{"swift": {"types": ["not a type"]}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AllocTagConfig.load(path: path)) { XCTAssertTrue("\($0)".contains("\"not a type\" is not a Swift type name"), "\($0)") }
    }
}
