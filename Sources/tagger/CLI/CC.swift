import ArgumentParser
import TaggerProviders
import TaggerWorkspace

extension Tagger {
    /// `tagger cc COMPILER ARGS...`: a compiler launcher that builds C code instrumented.
    struct CC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cc",
            abstract: "Compile C instrumented: CC=\"tagger cc gcc\" make, or CMAKE_C_COMPILER_LAUNCHER=tagger.",
            discussion: """
            Each C translation unit is annotated on the fly into a temporary copy (with #line markers, so \
            reports name the original file and line) and the runtime is linked. Other inputs, \
            preprocessing and failures to annotate pass through (with a warning). Settings: the nearest \
            .alloctag.json, ALLOCTAG_ALLOCATORS / ALLOCTAG_NOPROF (comma-separated), ALLOCTAG_RUNTIME \
            (libTagRuntimePreload.so or its directory), ALLOCTAG_INCLUDE, ALLOCTAG_CC_DISABLE=1.
            """)

        @Argument(parsing: .captureForPassthrough, help: "The compiler and its arguments.")
        var command: [String] = []

        func run() throws {
            let status = Workspace.compile(command)
            if status != 0 { throw ExitCode(status) }
        }
    }
}
