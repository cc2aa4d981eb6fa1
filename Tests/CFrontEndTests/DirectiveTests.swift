import Foundation
import TaggerC
import TaggerCore
import XCTest

/// Where the include goes depends on the file's directives, which the C front end now reads
/// with the one lexer (TaggerCore's `Lexer`).
final class DirectiveTests: XCTestCase {
    /// An apostrophe in an `#if 0` block is an unterminated character literal that ends with
    /// its line. The front end's former directive finder swallowed that line's newline, missed
    /// the `#endif`, took `<stdlib.h>` for a conditional include and put the hooks' include above
    /// `#if 0`. (Not compiled: gcc warns about the apostrophe, even in a skipped block.)
    func testAnApostropheInAnInactiveBlockDoesNotHideItsEndif() throws {
        try assertAnnotation("""
        #if 0
        It's not compiled
        #endif
        #include <stdlib.h>

        void f(void)
        {
        	char *p = malloc(4);
        	free(p);
        }

        """, expected: """
        #if 0
        It's not compiled
        #endif
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>

        void f(void)
        {
        	char *p = alloc_hooks(malloc(4));
        	free(p);
        }

        """, compile: false)
    }

    /// A directive's end is found by lexing it: the former finder followed splices and block
    /// comments but not literals, so the `/*` in `"/*"` ran this `#define` on to the comment's
    /// `*/` two lines down, swallowing `#include <stdlib.h>`; the include then went in front
    /// of `f` instead of after the last include.
    func testACommentOpenerInADirectivesLiteralDoesNotSwallowTheNextDirective() throws {
        try assertAnnotation("""
        #define PATTERN "/*"
        #include <stdlib.h>
        /* glob */

        void f(void)
        {
        	char *p = malloc(4);
        	free(p);
        }

        """, expected: """
        #define PATTERN "/*"
        #include <stdlib.h>
        #include <alloc_tag/alloc_tag.h>
        /* glob */

        void f(void)
        {
        	char *p = alloc_hooks(malloc(4));
        	free(p);
        }

        """)
    }
}
