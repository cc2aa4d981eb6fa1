import XCTest

/// What annotating a library amalgamated into one file needs (SQLite's, as vapor/sqlite-nio
/// vendors it): the file opens with its own conditionals and feature-test macros, and declares
/// its API before defining it. The harness compiles each output with gcc and clang
/// (`-std=gnu11 -Wall -Werror`, no `_GNU_SOURCE` of their own).
final class AmalgamationTests: XCTestCase {
    /// The include reads system headers, so it must follow the file's own `_GNU_SOURCE` (else
    /// `mremap` and `MREMAP_MAYMOVE` are undeclared), even when an earlier #include (a compiler
    /// header, which reads no feature macro) would take it: after the conditional holding the
    /// definition, inside the one that holds every use.
    func testTheIncludeFollowsTheFilesFeatureTestMacros() throws {
        try assertAnnotation("""
        #include <stddef.h>
        #ifndef LIB_OMIT_MMAP
        #if defined(__GNUC__) && !defined(_GNU_SOURCE)
        # define _GNU_SOURCE
        #endif
        #include <stdlib.h>
        #include <sys/mman.h>

        void *grow(void *p, size_t old, size_t n)
        {
        	return mremap(p, old, n, MREMAP_MAYMOVE);
        }

        void keep(void **slot, size_t n)
        {
        	*slot = malloc(n);
        }
        #endif

        """, expected: """
        #include <stddef.h>
        #ifndef LIB_OMIT_MMAP
        #if defined(__GNUC__) && !defined(_GNU_SOURCE)
        # define _GNU_SOURCE
        #endif
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif
        #include <stdlib.h>
        #include <sys/mman.h>

        void *grow(void *p, size_t old, size_t n)
        {
        	return mremap(p, old, n, MREMAP_MAYMOVE);
        }

        void keep(void **slot, size_t n)
        {
        	*slot = malloc_noprof(n);
        }
        #endif

        """)
    }

    /// SQLite's own layering: a pragma first (so the opening conditional is no include guard),
    /// the embedded sqliteInt.h's header guard holding `_GNU_SOURCE` and the first declaration,
    /// the definitions after that guard's `#endif`. The header guard is compiled whenever its
    /// code is, so the include stays inside it, after the feature-test macro's conditional.
    func testTheIncludeStaysInTheHeaderGuardHoldingTheFeatureTestMacro() throws {
        try assertAnnotation("""
        #pragma GCC diagnostic ignored "-Wunused-macros"
        #ifndef LIB_AMALGAMATION
        #define LIB_CORE 1
        /* Begin libInt.h */
        #ifndef LIBINT_H
        #define LIBINT_H
        #if defined(__GNUC__) && !defined(_GNU_SOURCE)
        # define _GNU_SOURCE
        #endif
        #include <stddef.h>
        void *lib_alloc(size_t n);
        #endif
        /* Begin lib.c */
        #include <stdlib.h>
        #include <sys/mman.h>

        void *grow(void *p, size_t old, size_t n)
        {
        	return mremap(p, old, n, MREMAP_MAYMOVE);
        }

        void *lib_alloc(size_t n)
        {
        	return malloc(n);
        }
        #endif

        """, expected: """
        #pragma GCC diagnostic ignored "-Wunused-macros"
        #ifndef LIB_AMALGAMATION
        #define LIB_CORE 1
        /* Begin libInt.h */
        #ifndef LIBINT_H
        #define LIBINT_H
        #if defined(__GNUC__) && !defined(_GNU_SOURCE)
        # define _GNU_SOURCE
        #endif
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif
        #include <stddef.h>
        void *lib_alloc_noprof(size_t n);
        #define lib_alloc(...) alloc_hooks(lib_alloc_noprof(__VA_ARGS__))
        #endif
        /* Begin lib.c */
        #include <stdlib.h>
        #include <sys/mman.h>

        void *grow(void *p, size_t old, size_t n)
        {
        	return mremap(p, old, n, MREMAP_MAYMOVE);
        }

        void *lib_alloc_noprof(size_t n)
        {
        	return malloc_noprof(n);
        }
        void *(lib_alloc)(size_t n)
        {
        	return alloc_hooks(lib_alloc_noprof(n));
        }
        #endif

        """)
    }

    /// A helper defined last in the opening conditional: its recipe is inserted at the offset of
    /// the closing `#endif`, i.e. still inside; the conditional stays the include guard (not a
    /// header guard: another macro is defined first, as in SQLite's `#ifndef SQLITE_AMALGAMATION`
    /// `#define SQLITE_CORE 1`), so the include goes after the last #include in it, not above
    /// the conditional (where it came before `_GNU_SOURCE`).
    func testARecipeBeforeTheClosingEndifKeepsTheIncludeGuard() throws {
        try assertAnnotation("""
        #ifndef LIB_AMALGAMATION
        #define LIB_CORE 1
        #define LIB_AMALGAMATION 1
        #if defined(__GNUC__) && !defined(_GNU_SOURCE)
        # define _GNU_SOURCE
        #endif
        #include <stdlib.h>
        #include <sys/mman.h>

        void *grow(void *p, size_t old, size_t n)
        {
        	return mremap(p, old, n, MREMAP_MAYMOVE);
        }

        char *copy(size_t n)
        {
        	return malloc(n);
        }
        #endif

        """, expected: """
        #ifndef LIB_AMALGAMATION
        #define LIB_CORE 1
        #define LIB_AMALGAMATION 1
        #if defined(__GNUC__) && !defined(_GNU_SOURCE)
        # define _GNU_SOURCE
        #endif
        #include <stdlib.h>
        #include <sys/mman.h>
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif

        void *grow(void *p, size_t old, size_t n)
        {
        	return mremap(p, old, n, MREMAP_MAYMOVE);
        }

        char *copy_noprof(size_t n)
        {
        	return malloc_noprof(n);
        }
        char *(copy)(size_t n)
        {
        	return alloc_hooks(copy_noprof(n));
        }
        #define copy(...) alloc_hooks(copy_noprof(__VA_ARGS__))
        #endif

        """)
    }

    /// An external helper declared before its definition (SQLite's `SQLITE_API void
    /// *sqlite3_malloc(int);` in the embedded sqlite3.h, defined 30000 lines later): the macro
    /// follows the declaration, and the forwarding definition still follows the definition, so
    /// the library keeps the symbol its public header declares, with the export macro in front
    /// (`API` expands to nothing here, so libclang's extent starts after it).
    func testAnExternalHelperDeclaredFirstKeepsItsSymbol() throws {
        try assertAnnotation("""
        #include <stdlib.h>
        #define API
        API void *lib_alloc(size_t n);

        API void *lib_alloc(size_t n)
        {
        	return malloc(n);
        }

        int main(void)
        {
        	void *p = lib_alloc(8);
        	free(p);
        	return 0;
        }

        """, expected: """
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>
        #ifndef malloc_noprof
        #define malloc_noprof(...) (malloc)(__VA_ARGS__)
        #endif
        #define API
        API void *lib_alloc_noprof(size_t n);
        #define lib_alloc(...) alloc_hooks(lib_alloc_noprof(__VA_ARGS__))

        API void *lib_alloc_noprof(size_t n)
        {
        	return malloc_noprof(n);
        }
        API void *(lib_alloc)(size_t n)
        {
        	return alloc_hooks(lib_alloc_noprof(n));
        }

        int main(void)
        {
        	void *p = lib_alloc(8);
        	free(p);
        	return 0;
        }

        """)
    }
}
