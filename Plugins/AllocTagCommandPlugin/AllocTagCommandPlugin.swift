import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory alloc-tag annotate [--target X]...`
/// rewrites the Swift and C sources of the targets in place (`tagger annotate`);
/// `swift package alloc-tag check [--target X]... [tagger check options]` runs the coverage
/// gate (`tagger check`) on them. Without `--target`, every non-test source target is used.
@main
struct AllocTagCommandPlugin: CommandPlugin {
    static let usage = "usage: swift package [--allow-writing-to-package-directory] alloc-tag annotate|check [--target NAME]... [options]"

    func performCommand(context: PluginContext, arguments: [String]) throws {
        var extractor = ArgumentExtractor(arguments)
        let names = extractor.extractOption(named: "target")
        var rest = extractor.remainingArguments
        guard let verb = rest.first, ["annotate", "check"].contains(verb) else {
            Diagnostics.error(Self.usage)
            throw PluginError.usage
        }
        rest.removeFirst()
        let targets: [SourceModuleTarget]
        if names.isEmpty {
            targets = context.package.targets.compactMap { $0 as? SourceModuleTarget }.filter { $0.kind != .test }
        } else {
            targets = try context.package.targets(named: names).map { target in
                guard let source = target as? SourceModuleTarget else {
                    Diagnostics.error("target '\(target.name)' has no sources to \(verb)")
                    throw PluginError.usage
                }
                return source
            }
        }
        let tagger = try context.tool(named: "tagger").url
        let root = context.package.directoryURL.path
        // One tagger run for every target, so `annotate` is all-or-nothing across targets and
        // languages (nothing is written when any file fails) and `check` reports once. Each C
        // file keeps its own target's flags through a compilation database.
        let swift = targets.flatMap { $0.sourceFiles(withSuffix: "swift").map(\.url.path) }
        var commands: [[String: Any]] = []
        for target in targets {
            let flags = cFlags(target)
            for file in target.sourceFiles(withSuffix: "c").map(\.url.path) {
                commands.append(["directory": root, "file": file, "arguments": ["cc"] + flags + ["-c", file]])
            }
        }
        let c = commands.map { $0["file"] as! String }
        guard !swift.isEmpty || !c.isEmpty else { return }
        var args = [verb, "--root", root] + rest
        if !c.isEmpty {
            let database = context.pluginWorkDirectoryURL
            try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)
            let json = try JSONSerialization.data(withJSONObject: commands, options: [.prettyPrinted, .sortedKeys])
            try json.write(to: database.appendingPathComponent("compile_commands.json"))
            args += ["-p", database.path]
        }
        if try run(tagger, args + swift + c) { throw PluginError.toolFailed(verb) }
    }

    /// The include paths and defines SwiftPM compiles a C target with: its own and its
    /// dependencies' public headers (alloc_tag/*.h among them), its own header search paths and
    /// defines.
    func cFlags(_ target: SourceModuleTarget) -> [String] {
        var flags: [String] = []
        for t in [target as Target] + target.recursiveTargetDependencies {
            guard let clang = t as? ClangSourceModuleTarget else { continue }
            if let headers = clang.publicHeadersDirectoryURL { flags.append("-I" + headers.path) }
            // A target's header search paths and defines are its own: SwiftPM does not pass a
            // dependency's (CAllocTag's `_GNU_SOURCE` would hide a header placed before the
            // target's own feature-test macros: SQLite's amalgamation did not compile).
            guard t.id == target.id else { continue }
            flags += clang.headerSearchPaths.map { "-I" + clang.directoryURL.appendingPathComponent($0).path }
            flags += clang.preprocessorDefinitions.map { "-D" + $0 }
        }
        return flags
    }

    /// Runs the tool with its output passed through; true when it failed.
    func run(_ tool: URL, _ arguments: [String]) throws -> Bool {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationReason == .exit && process.terminationStatus == 0 { return false }
        Diagnostics.error("tagger \(arguments.first ?? "") exited with status \(process.terminationStatus)")
        return true
    }

    enum PluginError: Error, CustomStringConvertible {
        case usage
        case toolFailed(String)
        var description: String {
            switch self {
            case .usage: return AllocTagCommandPlugin.usage
            case .toolFailed(let verb): return "alloc-tag \(verb) failed (see the messages above)"
            }
        }
    }
}
