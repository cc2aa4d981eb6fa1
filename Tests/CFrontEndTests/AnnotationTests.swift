import Foundation
import TaggerC
import TaggerCore
import XCTest

final class AnnotationTests: XCTestCase {
    func testNestedCallsConditionsAndComments() throws {
        try assertAnnotation("""
        #include <stdlib.h>
        #include <string.h>

        int fill(char **out, size_t n)
        {
        	char *p;
        	if ((p = malloc(n)) == NULL) /* checked: malloc(n) */
        		return -1;
        	free(p);
        	p = realloc(malloc(n), n * 2);
        	*out = p ? p : calloc(1,
        	                      n);
        	return strdup("x") != NULL;
        }

        """, expected: """
        #include <stdlib.h>
        #include <string.h>
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif
        #ifndef calloc_noprof
        #define calloc_noprof(...) (calloc)(__VA_ARGS__)
        #endif
        #ifndef realloc_noprof
        #define realloc_noprof(...) (realloc)(__VA_ARGS__)
        #endif

        int fill(char **out, size_t n)
        {
        	char *p;
        	if ((p = malloc_noprof(n)) == NULL) /* checked: malloc(n) */
        		return -1;
        	free(p);
        	p = realloc_noprof(alloc_hooks(malloc(n)), n * 2);
        	*out = p ? p : calloc_noprof(1,
        	                      n);
        	return alloc_hooks(strdup("x")) != NULL;
        }

        """)
        // fill hands p out through *out, so what p holds is charged to fill's callers (the
        // names are followed, not the order: the first malloc(n) is spelled _noprof too).
    }

    func testMacroBodiesAreEditedOnceAndAliasesAtTheirUse() throws {
        try assertAnnotation("""
        #include <stdlib.h>

        #define NEW(T) ((T *)malloc(sizeof(T)))
        #define xalloc malloc

        struct s { int a; };

        int use(void)
        {
        	struct s *a = NEW(struct s);
        	struct s *b = NEW(struct s);
        	char *c = xalloc(4);
        	free(a); free(b); free(c);
        	return 0;
        }

        """, expected: """
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>

        #define NEW(T) ((T *)alloc_hooks(malloc(sizeof(T))))
        #define xalloc malloc

        struct s { int a; };

        int use(void)
        {
        	struct s *a = NEW(struct s);
        	struct s *b = NEW(struct s);
        	char *c = alloc_hooks(xalloc(4));
        	free(a); free(b); free(c);
        	return 0;
        }

        """)
    }

    func testFunctionPointersAndInactiveRegionsAreReported() throws {
        try assertAnnotation("""
        #include <stdlib.h>

        static void *(*alloc_fn)(size_t) = malloc;

        int run(void)
        {
        	void *p = alloc_fn(8);
        2️⃣#if 0
        	p = calloc(1, 2);
        #endif
        	free(p);
        	return 0;
        }

        """, expected: """
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>

        static void *(*alloc_fn)(size_t) = malloc;

        int run(void)
        {
        	void *p = alloc_hooks(alloc_fn(8));
        #if 0
        	p = calloc(1, 2);
        #endif
        	free(p);
        	return 0;
        }

        """, findings: ["2️⃣": "inactive-region"])
    }

    /// A file whose active part declares nothing itself (brotli's static_dict_lut.c: its code
    /// under `#if`, the `#else` only includes a table) still has its inactive branches reported.
    func testAnInactiveBranchIsReportedInAFileThatDeclaresNothingActive() throws {
        try assertAnnotation("""
        #include "table.h"
        1️⃣#if 0
        #include <stdlib.h>
        void *make(void) { return malloc(8); }
        #endif

        """, expected: """
        #include "table.h"
        #if 0
        #include <stdlib.h>
        void *make(void) { return malloc(8); }
        #endif

        """, findings: ["1️⃣": "inactive-region"],
                             headers: ["table.h": "extern const int table[2];\n"])
    }

    func testHelpersSeveralLayersDeepGetTheNoprofRecipe() throws {
        let header = """
        #ifndef UTIL_H
        #define UTIL_H
        #include <stddef.h>
        void *xmalloc(size_t n);
        char *xstrdup(const char *s);
        #endif

        """
        try assertAnnotation("""
        #include <stdlib.h>
        #include <string.h>
        #include "util.h"

        void *xmalloc(size_t n)
        {
        	void *p = malloc(n);
        	if (p == NULL)
        		abort();
        	return p;
        }

        char *xstrdup(const char *s)
        {
        	size_t n = strlen(s) + 1;
        	char *d = (char *)xmalloc(n);
        	memcpy(d, s, n);
        	return d;
        }

        static char *dup_twice(const char *s)
        {
        	char *a = xstrdup(s);
        	return a + 0;
        }

        int main(void)
        {
        	char *x = dup_twice("a");
        	char *y = xstrdup("b");
        	free(x);
        	free(y);
        	return 0;
        }

        """, expected: """
        #include <stdlib.h>
        #include <string.h>
        #include "util.h"
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif

        void *xmalloc_noprof(size_t n)
        {
        	void *p = malloc_noprof(n);
        	if (p == NULL)
        		abort();
        	return p;
        }
        void *(xmalloc)(size_t n)
        {
        	return alloc_hooks(xmalloc_noprof(n));
        }
        #define xmalloc(...) alloc_hooks(xmalloc_noprof(__VA_ARGS__))

        char *xstrdup_noprof(const char *s)
        {
        	size_t n = strlen(s) + 1;
        	char *d = (char *)xmalloc_noprof(n);
        	memcpy(d, s, n);
        	return d;
        }
        char *(xstrdup)(const char *s)
        {
        	return alloc_hooks(xstrdup_noprof(s));
        }
        #define xstrdup(...) alloc_hooks(xstrdup_noprof(__VA_ARGS__))

        static char *dup_twice_noprof(const char *s)
        {
        	char *a = xstrdup_noprof(s);
        	return a + 0;
        }
        #define dup_twice(...) alloc_hooks(dup_twice_noprof(__VA_ARGS__))

        int main(void)
        {
        	char *x = dup_twice("a");
        	char *y = xstrdup("b");
        	free(x);
        	free(y);
        	return 0;
        }

        """, headers: ["util.h": header], expectedHeaders: ["util.h": """
        #ifndef UTIL_H
        #define UTIL_H
        #include <stddef.h>
        #include <alloc_tag/alloc_tag.h>
        void *xmalloc_noprof(size_t n);
        #define xmalloc(...) alloc_hooks(xmalloc_noprof(__VA_ARGS__))
        char *xstrdup_noprof(const char *s);
        #define xstrdup(...) alloc_hooks(xstrdup_noprof(__VA_ARGS__))
        #endif

        """])
    }

    func testRecursiveHelperCallsItsNoprofBody() throws {
        try assertAnnotation("""
        #include <stdlib.h>

        struct list { struct list *next; };

        static struct list *chain(int n)
        {
        	struct list *l = calloc(1, sizeof *l);
        	if (n > 0)
        		l->next = chain(n - 1);
        	return l;
        }

        int main(void)
        {
        	struct list *l = chain(3);
        	return l->next == NULL;
        }

        """, expected: """
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>
        #ifndef calloc_noprof
        #define calloc_noprof(...) (calloc)(__VA_ARGS__)
        #endif

        struct list { struct list *next; };

        static struct list *chain_noprof(int n)
        {
        	struct list *l = calloc_noprof(1, sizeof *l);
        	if (n > 0)
        		l->next = chain_noprof(n - 1);
        	return l;
        }
        #define chain(...) alloc_hooks(chain_noprof(__VA_ARGS__))

        int main(void)
        {
        	struct list *l = chain(3);
        	return l->next == NULL;
        }

        """)
    }

    func testAllocatorBehindAPointerMakesItsCallerAHelper() throws {
        // No configuration: my_malloc reaches the field, so a->fn(n) allocates and grab is a
        // helper; my_malloc's address is taken, so its own allocation is made _noprof.
        try assertAnnotation("""
        #include <stdlib.h>

        static void *my_malloc(size_t n)
        {
        	return malloc(n);
        }

        struct allocator { void *(*fn)(size_t); };
        struct allocator *current(void);
        static struct allocator fallback = { my_malloc };

        void *grab(size_t n)
        {
        	struct allocator *a = current() ? current() : &fallback;
        	return a->fn(n);
        }

        """, expected: """
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif

        static void *my_malloc(size_t n)
        {
        	return malloc_noprof(n);
        }

        struct allocator { void *(*fn)(size_t); };
        struct allocator *current(void);
        static struct allocator fallback = { my_malloc };

        void *grab_noprof(size_t n)
        {
        	struct allocator *a = current() ? current() : &fallback;
        	return a->fn(n);
        }
        void *(grab)(size_t n)
        {
        	return alloc_hooks(grab_noprof(n));
        }
        #define grab(...) alloc_hooks(grab_noprof(__VA_ARGS__))

        """)
    }

    func testScanListsSitesWithFunctionsAndReasons() throws {
        let dir = CHarness.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.c"
        try """
        #include <stdlib.h>
        #define DUP(s) strdup(s)
        char *strdup(const char *);
        static void *xmalloc(size_t n) { return malloc(n); }
        int f(void) { void *p = xmalloc(3); char *q = DUP("a"); free(q); free(p); return alloc_hooks_missing(); }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CFrontEnd.scan(files: [path], flags: .fixed(["-Wno-implicit-function-declaration"]), config: CConfig(root: dir))
        let summary = r.sites.map { "\($0.location.line):\($0.location.column) \($0.callee) \($0.function ?? "-") \($0.macro ?? "-") \($0.tagged)" }
        XCTAssertEqual(summary, ["2:16 strdup - DUP false", "4:41 malloc xmalloc - false", "5:25 xmalloc f - false"])
        XCTAssertEqual(r.helpers.map(\.name), ["xmalloc"])
        XCTAssertTrue(r.sites[1].reason!.contains("malloc_noprof"), r.sites[1].reason!)
        XCTAssertEqual(r.findings.filter { $0.ruleID == "untagged-site" }.count, 3)
    }

    func testOverrideHeaderSitesAreTaggedAndParenthesisedCallsAreFound() throws {
        // Calls that alloc_tag/override.h turns into hooked macros are sites, tagged at their
        // own line; `(malloc)(n)` bypasses the macro and is an untagged site, not a silent skip;
        // a _noprof spelling inside a _noprof function is charged to its caller's hook.
        let dir = CHarness.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/o.c"
        try """
        #include <stdlib.h>
        #include <string.h>
        #include <alloc_tag/override.h>
        struct box { char *p; };
        static int fill_noprof(struct box *b) { b->p = malloc_noprof(8); return b->p != NULL; }
        #define fill(...) alloc_hooks(fill_noprof(__VA_ARGS__))
        char *f(struct box *b) { char *a = strdup("x"); void *c = (malloc)(64); free(c); fill(b); return a; }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CFrontEnd.scan(files: [path], flags: .fixed(["-I", CHarness.runtimeInclude]), config: CConfig(root: dir))
        let summary = r.sites.map { "\($0.location.line):\($0.location.column) \($0.callee) \($0.tagged)" }
        XCTAssertEqual(summary, ["5:48 malloc true", "7:36 strdup true", "7:59 malloc false", "7:82 fill_noprof true"])
        XCTAssertTrue(r.sites[2].reason!.contains("parenthesised"), r.sites[2].reason!)
    }

    func testParseErrorsNameFileAndLineAndNothingIsWritten() throws {
        let dir = CHarness.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/broken.c"
        let source = "#include <stdlib.h>\n#include \"missing.h\"\nvoid *f(void) { return malloc(1); }\n"
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CFrontEnd.annotate(files: [path], flags: .fixed([]), config: CConfig(root: dir))
        let errors = r.scan.findings.filter { $0.ruleID == "parse-error" }
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.location, SourceLocation(file: path, line: 2, column: 10))
        XCTAssertEqual(errors.first?.severity, .error)
        XCTAssertTrue(r.changed.isEmpty)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), source)
    }

    func testLineMarkersKeepOriginalNumbering() throws {
        let dir = CHarness.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/lm.c"
        try """
        #include <stdlib.h>
        static void *xmalloc(size_t n)
        {
        	return malloc(n);
        }
        int main(void)
        {
        	void *p = xmalloc(1);
        	free(p);
        	return __LINE__;
        }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let bytes = try CFrontEnd.annotateForCompile(file: path, arguments: [], directory: dir, config: CConfig()).text
        let text = String(decoding: bytes!, as: UTF8.self)
        // Every original line must keep its number: the line `return __LINE__;` must say 10.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var current = 0
        var numberOfReturn = -1
        for l in lines {
            if l.hasPrefix("#line ") { current = Int(l.split(separator: " ")[1])!; continue }
            if l.contains("return __LINE__") { numberOfReturn = current }
            current += 1
        }
        XCTAssertEqual(numberOfReturn, 10, text)
        XCTAssertTrue(text.hasPrefix("#line 1 \"\(path)\"\n"), text)
    }

    func testMacroInvokedInAnotherMacrosArgumentIsHookedItself() throws {
        // brotli's cluster_inc.h: `CODE({ ... BROTLI_ALLOC(m, T, n) ... })` around a whole body.
        // The hook goes around the inner invocation, never around the outer one.
        try assertAnnotation("""
        #include <stdlib.h>

        struct mm { void *(*alloc)(size_t); };
        #define ALLOC(M, N) ((M)->alloc(N))
        #define CODE(X) X

        static void *plain(size_t n) { return malloc(n); }
        struct mm manager = { plain };

        int use(struct mm *m) CODE({
        	char *p = ALLOC(m, 8);
        	free(p);
        	return 0;
        })

        """, expected: """
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif

        struct mm { void *(*alloc)(size_t); };
        #define ALLOC(M, N) ((M)->alloc(N))
        #define CODE(X) X

        static void *plain(size_t n) { return malloc_noprof(n); }
        struct mm manager = { plain };

        int use(struct mm *m) CODE({
        	char *p = alloc_hooks(ALLOC(m, 8));
        	free(p);
        	return 0;
        })

        """)
    }

    func testCallYieldingNoValueIsHookedInTheVoidForm() throws {
        // cmark's open_new_blocks(parser, &container, ...): the object comes back through an
        // out-parameter of a function returning void; its callers are charged all the same.
        try assertAnnotation("""
        #include <stdlib.h>

        void make(size_t n, void **out)
        {
        	*out = malloc(n);
        }

        int use(void)
        {
        	void *p;
        	make(8, &p);
        	free(p);
        	return 0;
        }

        """, expected: """
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif

        void make(size_t n, void **out)
        {
        	*out = malloc_noprof(n);
        }

        int use(void)
        {
        	void *p;
        	alloc_hooks_void(make(8, &p));
        	free(p);
        	return 0;
        }

        """)
    }

    func testStatementMacrosAreHookedInTheirBodiesAndMemcpyReturnsItsDestination() throws {
        // libuv: uv__strdup returns `memcpy(m, s, len)`, m from uv__malloc, so it is a helper;
        // fs.c's `PATH;` and `PATH2;` are object-like macros expanding to a do-while statement
        // around the allocation. Such an invocation cannot be wrapped (`alloc_hooks(PATH2);` did
        // not compile), and it is no alias of the callee: the allocation in its body is hooked
        // in the #define, for an allocator and for a helper whose callers are hooked (xmalloc's
        // address is taken) alike, and a recipe helper's own macro tags it at the invocation.
        try assertAnnotation("""
        #include <stdlib.h>
        #include <string.h>

        static void *xmalloc(size_t n)
        {
        	return malloc(n);
        }
        void *(*alloc_fn)(size_t) = xmalloc;

        char *xstrdup(const char *s)
        {
        	size_t n = strlen(s) + 1;
        	char *m = xmalloc(n);
        	return memcpy(m, s, n);
        }

        struct req { char *path, *buf, *name; };

        #define PATH do { req->path = xstrdup(path); if (req->path == NULL) return -1; } while (0)
        #define BUF(R) do { (R)->buf = xmalloc(64); } while (0)
        #define NAME do { req->name = malloc(8); } while (0)

        int start(struct req *req, const char *path)
        {
        	PATH;
        	BUF(req);
        	NAME;
        	return 0;
        }

        """, expected: """
        #include <stdlib.h>
        #include <string.h>
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif

        static void *xmalloc(size_t n)
        {
        	return malloc_noprof(n);
        }
        void *(*alloc_fn)(size_t) = xmalloc;

        char *xstrdup_noprof(const char *s)
        {
        	size_t n = strlen(s) + 1;
        	char *m = xmalloc(n);
        	return memcpy(m, s, n);
        }
        char *(xstrdup)(const char *s)
        {
        	return alloc_hooks(xstrdup_noprof(s));
        }
        #define xstrdup(...) alloc_hooks(xstrdup_noprof(__VA_ARGS__))

        struct req { char *path, *buf, *name; };

        #define PATH do { req->path = xstrdup(path); if (req->path == NULL) return -1; } while (0)
        #define BUF(R) do { (R)->buf = alloc_hooks(xmalloc(64)); } while (0)
        #define NAME do { req->name = alloc_hooks(malloc(8)); } while (0)

        int start(struct req *req, const char *path)
        {
        	PATH;
        	BUF(req);
        	NAME;
        	return 0;
        }

        """)
    }

    func testCompileAnnotationCoversTheProjectHeadersItIncludes() throws {
        // `tagger cc`: a static inline allocator's site in a project header is annotated in a
        // copy (the header itself is untouched), numbered as the original.
        let dir = CHarness.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "".write(toFile: dir + "/Makefile", atomically: true, encoding: .utf8)  // the project root
        try """
        #include <stdlib.h>
        struct ring { char *data; };
        static inline void ring_init(struct ring *r, size_t n)
        {
        	r->data = malloc(n);
        }
        """.write(toFile: dir + "/ring.h", atomically: true, encoding: .utf8)
        try "#include \"ring.h\"\n".write(toFile: dir + "/api.h", atomically: true, encoding: .utf8)
        try """
        #include "api.h"
        int main(void)
        {
        	struct ring r;
        	ring_init(&r, 8);
        	return r.data == 0;
        }
        """.write(toFile: dir + "/main.c", atomically: true, encoding: .utf8)
        let annotation = try CFrontEnd.annotateForCompile(file: dir + "/main.c", arguments: [], directory: dir, config: CConfig())
        let real = { (name: String) in URL(fileURLWithPath: dir + "/" + name).resolvingSymlinksInPath().path }
        let ring = real("ring.h")
        XCTAssertEqual(Array(annotation.headers.keys), [ring])
        XCTAssertEqual(annotation.included, [real("api.h"), ring])
        XCTAssertTrue(annotation.skipped.isEmpty)
        let text = String(decoding: annotation.headers[ring]!, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("#line 1 \"\(ring)\"\n"), text)
        XCTAssertTrue(text.contains("\tr->data = alloc_hooks(malloc(n));\n"), text)
        XCTAssertTrue(text.contains("#include <alloc_tag/alloc_tag.h>\n#line 2 \"\(ring)\"\n"), text)
        XCTAssertFalse(try String(contentsOfFile: dir + "/ring.h", encoding: .utf8).contains("alloc_hooks"))
    }
}
