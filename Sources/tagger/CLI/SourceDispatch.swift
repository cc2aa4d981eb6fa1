import ArgumentParser
import Foundation
import TaggerC
import TaggerCore

/// Options shared by `scan` and `annotate` for C sources.
struct CSourceOptions: ParsableArguments {
    @Argument(help: "Source files or directories (.c files under directories; .h files may be named), then `-- cflags`.")
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

    func cConfig() throws -> CConfig {
        var c = CConfig(allocators: allocators, noprof: noprof, root: root, inferHelpers: !noInferHelpers)
        if let config { c = c.merged(with: try AllocTagConfig.load(path: config).c) }
        return c
    }

    var flagSource: FlagSource { buildDirectory.map { .compilationDatabase($0) } ?? .fixed(compilerFlags) }
}

/// The seam between the file-based commands and the front ends: files are routed by extension.
/// `.swift` files go to the Swift front end (`SwiftSources`).
enum SourceDispatch {
    struct Routed {
        var c: [String] = []
        var swift: [String] = []
        var unsupported: [(path: String, reason: String)] = []
    }

    static func route(_ options: CSourceOptions) throws -> Routed {
        var paths = options.inputPaths
        if paths.isEmpty, let dir = options.buildDirectory {
            let data = FileManager.default.contents(atPath: dir + "/compile_commands.json") ?? Data()
            let list = (try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
            paths = list.compactMap { e in
                guard let f = e["file"] as? String, let d = e["directory"] as? String else { return nil }
                return f.hasPrefix("/") ? f : d + "/" + f
            }.filter { $0.hasSuffix(".c") }
        }
        guard !paths.isEmpty else { throw ValidationError("no input files (name files or directories, or -p BUILD_DIR)") }
        var routed = Routed()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("\(path): no such file or directory")
            }
            let files = isDirectory.boolValue ? SourceWalk.sources(under: path) : [path]
            for file in files {
                let ext = URL(fileURLWithPath: file).pathExtension
                if CFrontEnd.extensions.contains(ext) {
                    routed.c.append(file)
                } else if ext == "swift" {
                    routed.swift.append(file)
                } else if !isDirectory.boolValue {
                    routed.unsupported.append((file, "not a C source (.c or .h)"))
                }
            }
        }
        return routed
    }

    /// Reports unsupported inputs; true when there were any.
    static func reportUnsupported(_ routed: Routed, command: String) -> Bool {
        for u in routed.unsupported {
            FileHandle.standardError.write(Data("\(u.path):1:1: error: \(command): \(u.reason)\n".utf8))
        }
        return !routed.unsupported.isEmpty
    }

    static func fail(_ error: Error, command: String) -> ExitCode {
        FileHandle.standardError.write(Data("tagger \(command): error: \(error)\n".utf8))
        if let e = error as? CFrontEndError, case .usage = e { return ExitCode(TaggerExit.usage) }
        return ExitCode(TaggerExit.dataError)
    }
}
