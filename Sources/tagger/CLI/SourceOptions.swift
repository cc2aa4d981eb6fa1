import ArgumentParser
import Foundation
import TaggerCore
import TaggerCProvider
import TaggerProviders
import TaggerWorkspace

/// The inputs and settings shared by `scan`, `annotate` and `check`, parsed into the
/// workspace driver's `WorkspaceSettings` (which owns everything after parsing).
struct SourceOptions: ParsableArguments {
    @Argument(help: "Source files or directories (.c and .swift files under directories; .h files may be named), then `-- cflags`.")
    var paths: [String] = []

    @Option(name: .customShort("p"), help: ArgumentHelp("Read each file's compile flags from BUILD_DIR/compile_commands.json; with no paths, use its files.", valueName: "BUILD_DIR"))
    var buildDirectory: String?

    @Option(name: .customLong("allocator"), help: ArgumentHelp("Also treat NAME as an allocator (repeatable).", valueName: "NAME"))
    var allocators: [String] = []

    @Option(name: .customLong("noprof"), help: ArgumentHelp("Function whose returned allocations belong to its callers (repeatable).", valueName: "NAME"))
    var noprof: [String] = []

    @Option(help: ArgumentHelp("Only files under DIR are analysed and edited (default: the current directory).", valueName: "DIR"))
    var root: String?

    @Option(help: ArgumentHelp("Settings file, read before the nearest \(AllocTagConfig.fileName) above each input.", valueName: "FILE"))
    var config: String?

    @Flag(name: .customLong("no-infer-helpers"), help: "Do not apply the _noprof recipe to inferred helpers.")
    var noInferHelpers = false

    /// Compile flags for every file: the words after `--` (argument-parser forbids a second
    /// positional array after `paths`, and appends those words to `paths`).
    var compilerFlags: [String] {
        guard let i = CommandLine.arguments.firstIndex(of: "--") else { return [] }
        return Array(CommandLine.arguments[(i + 1)...])
    }

    /// The named files and directories, without the compile flags.
    var inputPaths: [String] { Array(paths.dropLast(min(compilerFlags.count, paths.count))) }

    var workspace: Workspace {
        Workspace(settings: WorkspaceSettings(
            paths: inputPaths, buildDirectory: buildDirectory, compilerFlags: compilerFlags, allocators: allocators,
            noprof: noprof, root: root, configFile: config, inferHelpers: !noInferHelpers),
            frontEnds: [SwiftSyntaxFrontEnd(), LibclangFrontEnd()])
    }
}

/// Runs one driver operation and exits with its status (printing a `WorkspaceExit`'s message).
func runDriver(_ operation: () throws -> Int32) throws {
    let status: Int32
    do { status = try operation() } catch let exit as WorkspaceExit {
        if let message = exit.message { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        status = exit.status
    }
    if status != TaggerExit.clean { throw ExitCode(status) }
}
