import ArgumentParser
import TaggerC

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
            let status = CompilerLauncher.run(command)
            if status != 0 { throw ExitCode(status) }
        }
    }

    /// `CMAKE_C_COMPILER_LAUNCHER=tagger` runs `tagger /usr/bin/cc ARGS...`: a first argument that
    /// names a compiler means `tagger cc`.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, Self.namesCompiler(first) { arguments.insert("cc", at: 0) }
        Self.main(arguments)
    }

    static func namesCompiler(_ word: String) -> Bool {
        guard !word.hasPrefix("-") else { return false }
        let subcommands = Set(configuration.subcommands.map { $0._commandName })
        if subcommands.contains(word) || word == "help" { return false }
        let base = word.split(separator: "/").last.map(String.init) ?? word
        let compilers = ["cc", "gcc", "clang", "c99", "c11", "ccache", "tcc"]
        return compilers.contains(base) || base.hasSuffix("-gcc") || base.hasPrefix("gcc-") || base.hasPrefix("clang-")
            || base.hasSuffix("-clang") || word.contains("/")
    }
}
