import Foundation
import TaggerC
import TaggerCore
import XCTest

/// `tagger cc` parses a unit once: the facts gathering keeps each file's facts, and the unit's
/// own compile reuses them. A reuse must plan exactly what a fresh parse plans (a unit with
/// sites is never compiled as written), and a unit with nothing to tag takes the fast path.
final class UnitFactsReuseTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = CHarness.scratchDirectory()
        try "".write(toFile: dir + "/Makefile", atomically: true, encoding: .utf8)  // the project root
        try """
        #include <stdlib.h>
        void *xmalloc(size_t n) { void *p = malloc(n); if (!p) abort(); return p; }
        """.write(toFile: dir + "/util.c", atomically: true, encoding: .utf8)
        try """
        #include <stdlib.h>
        struct ring { char *data; };
        static inline void ring_init(struct ring *r, size_t n) { r->data = malloc(n); }
        """.write(toFile: dir + "/ring.h", atomically: true, encoding: .utf8)
        try """
        #include <stddef.h>
        #include "ring.h"
        void *xmalloc(size_t n);
        int main(void) { struct ring r; ring_init(&r, 8); char *p = xmalloc(16); return p == r.data; }
        """.write(toFile: dir + "/main.c", atomically: true, encoding: .utf8)
        try """
        int add(int a, int b) { return a + b; }
        """.write(toFile: dir + "/plain.c", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        unsetenv("ALLOCTAG_FACTS_DIR")
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func annotate(_ name: String, factsIn facts: String) throws -> CFrontEnd.CompileAnnotation {
        setenv("ALLOCTAG_FACTS_DIR", dir + "/" + facts, 1)
        return try CFrontEnd.annotateForCompile(file: dir + "/" + name, arguments: ["-O2", "-c", name], directory: dir, config: CConfig())
    }

    func testReusedFactsPlanWhatAFreshParsePlans() throws {
        _ = try annotate("plain.c", factsIn: "shared")  // gathers main.c's and util.c's facts
        let reused = try annotate("main.c", factsIn: "shared")
        let fresh = try annotate("main.c", factsIn: "fresh")  // nothing gathered before: parsed
        XCTAssertTrue(reused.reusedFacts)
        XCTAssertFalse(fresh.reusedFacts)
        XCTAssertEqual(reused.scan.sites.count, 2)
        XCTAssertEqual(reused.scan.sites.count, fresh.scan.sites.count)
        XCTAssertEqual(reused.text, fresh.text)
        XCTAssertEqual(reused.headers, fresh.headers)
        let text = String(decoding: try XCTUnwrap(reused.text), as: UTF8.self)
        XCTAssertTrue(text.contains("alloc_hooks(xmalloc(16))"), text)
        let ring = String(decoding: try XCTUnwrap(reused.headers.values.first), as: UTF8.self)
        XCTAssertTrue(ring.contains("alloc_hooks(malloc(n))"), ring)
    }

    func testAnEditedHeaderIsParsedAgain() throws {
        _ = try annotate("plain.c", factsIn: "shared")
        try """
        #include <stdlib.h>
        struct ring { char *data; };
        static inline void ring_init(struct ring *r, size_t n) { r->data = calloc(n, 1); }
        """.write(toFile: dir + "/ring.h", atomically: true, encoding: .utf8)
        let annotation = try annotate("main.c", factsIn: "shared")
        XCTAssertFalse(annotation.reusedFacts)
        let ring = String(decoding: try XCTUnwrap(annotation.headers.values.first), as: UTF8.self)
        XCTAssertTrue(ring.contains("alloc_hooks(calloc(n, 1))"), ring)
    }

    func testAUnitWithNothingToTagIsCompiledAsWrittenWithoutASecondParse() throws {
        _ = try annotate("main.c", factsIn: "shared")  // gathers plain.c's facts
        let annotation = try annotate("plain.c", factsIn: "shared")
        XCTAssertTrue(annotation.reusedFacts)
        XCTAssertTrue(annotation.scan.sites.isEmpty)
        XCTAssertNil(annotation.text)  // CompilerLauncher compiles it as written
        XCTAssertTrue(annotation.headers.isEmpty)
    }
}
