import Foundation
@testable import TaggerC
import XCTest

/// The one walk over compiler arguments that libclang's arguments, the include directories and
/// the header mirror's rewrite share: joined and separate spellings alike, in every one of them.
final class CompileFlagsTests: XCTestCase {
    let arguments = ["-O2", "-Iinc", "-I", "sub", "-idirafterlate", "-isystem", "/sys", "-iquoteq", "-include", "cfg.h",
                     "-include-pch", "x.pch", "-DX=1", "-o", "out.o", "-c", "unit.c", "-MF", "dep.d"]

    func testWalkReadsEveryIncludeSpelling() {
        XCTAssertEqual(CompileFlags.walk(arguments), [
            .single("-O2"),
            .includeDirectory(option: "-I", path: "inc", joined: true),
            .includeDirectory(option: "-I", path: "sub", joined: false),
            .includeDirectory(option: "-idirafter", path: "late", joined: true),
            .includeDirectory(option: "-isystem", path: "/sys", joined: false),
            .includeDirectory(option: "-iquote", path: "q", joined: true),
            .forcedInclude(option: "-include", path: "cfg.h"),
            .single("-include-pch"), .single("x.pch"),
            .single("-DX=1"),
            .withValue(option: "-o", value: "out.o"),
            .single("-c"), .single("unit.c"),
            .withValue(option: "-MF", value: "dep.d"),
        ])
    }

    func testIncludeDirectoriesAndLibclangArgumentsAgree() {
        let dirs = CompileFlags.includeDirectories(arguments, cwd: "/p")
        XCTAssertEqual(dirs, ["/p/inc", "/p/sub", "/p/late", "/sys", "/p/q"])
        XCTAssertEqual(CompileFlags.libclangArguments(arguments, file: "unit.c", directory: "/p"), [
            "-O2", "-I/p/inc", "-I", "/p/sub", "-idirafter/p/late", "-isystem", "/sys", "-iquote/p/q",
            "-include", "/p/cfg.h", "-include-pch", "x.pch", "-DX=1",
        ])
    }

    func testIncludeNextIsADirectiveNotAMention() {
        func uses(_ text: String) -> Bool { HeaderMirror.usesIncludeNext(Array(text.utf8)) }
        XCTAssertTrue(uses("#pragma once\n#  include_next <stdio.h>\n"))
        XCTAssertTrue(uses("#if X\n# \\\n include_next <a.h>\n#endif\n"))
        XCTAssertFalse(uses("/* gnulib would #include_next here */\nint x;\n"))
        XCTAssertFalse(uses("// include_next\nconst char *s = \"#include_next\";\n"))
        XCTAssertFalse(uses("#include <stdio.h>\n"))
    }
}
