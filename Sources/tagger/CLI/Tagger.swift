import ArgumentParser
import TaggerC

/// `tagger`: find, annotate and check allocation call sites; build C instrumented; read reports.
/// Each subcommand lives in its own file as `extension Tagger { struct X }`.
@main
struct Tagger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tagger",
        abstract: "Allocation profiling by call site: annotate, check, build and report.",
        version: "0.1.0",
        subcommands: [
            // Registered by each subcommand's file; keep one per line, sorted.
            Allocinfo.self,
            Annotate.self,
            CC.self,
            Check.self,
            Scan.self,
        ]
    )

    /// `CMAKE_C_COMPILER_LAUNCHER=tagger` runs `tagger /usr/bin/cc ARGS...`: a first argument that
    /// names a compiler means `tagger cc`.
    static func main() {
        // After the system's libclang, the Swift toolchain's (the build plugin passes the same
        // one to alloctag-gen), so check and the plugin load the same library.
        if let toolchain = LibclangLibrary.toolchainLibrary() { LibclangLibrary.setFallback(toolchain) }
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
