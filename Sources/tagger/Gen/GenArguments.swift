import Foundation
import TaggerCore

/// alloctag-gen's command line, as the build plugin writes it:
///
///   alloctag-gen --module M --output AllocTags.swift [--config alloctag.json] FILE.swift...
///   alloctag-gen --c --module M --output sites.txt [--config F] [--root DIR] [--libclang PATH] FILE... [-- CFLAGS]
///
/// The C form takes what `tagger check` takes: `--root` (the directory whose headers are the
/// project's) and the compile flags after `--`; `--libclang` names a library to try when the
/// system has none (the plugin passes the Swift toolchain's).
struct GenArguments {
    static let usage = """
        usage: alloctag-gen [--c] --module NAME --output PATH [--config alloctag.json] [--root DIR] [--libclang PATH] FILE... [-- CFLAGS...]
        """

    var module: String
    var output: String
    var configPath: String?
    var cMode = false
    var root: String?
    var libclang: String?
    var files: [String] = []
    var compilerFlags: [String] = []

    /// Parsed `arguments` (without the program's name); exits 64 on a usage error.
    static func parse(_ arguments: [String]) -> GenArguments {
        var module: String?, output: String?, configPath: String?, root: String?, libclang: String?
        var cMode = false
        var files: [String] = [], flags: [String] = []
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--module": module = rest.popFirst()
            case "--output": output = rest.popFirst()
            case "--config": configPath = rest.popFirst()
            case "--root": root = rest.popFirst()
            case "--libclang": libclang = rest.popFirst()
            case "--c": cMode = true
            case "--": flags = Array(rest); rest = []
            case "--help", "-h": print(usage); exit(0)
            default:
                if argument.hasPrefix("-") { fail("unknown option '\(argument)'\n\(usage)", TaggerExit.usage) }
                files.append(argument)
            }
        }
        guard let module, let output else { fail("--module and --output are required\n\(usage)", TaggerExit.usage) }
        return GenArguments(module: module, output: output, configPath: configPath, cMode: cMode, root: root,
                            libclang: libclang, files: files, compilerFlags: flags)
    }
}

func fail(_ message: String, _ status: Int32) -> Never {
    FileHandle.standardError.write(Data("alloctag-gen: error: \(message)\n".utf8))
    exit(status)
}
