import Foundation
import PackagePlugin

/// Added to a target, declares the static tags of its annotated sites and warns at each site
/// that is not annotated. It runs `alloctag-gen`, which needs no swift-syntax, as a
/// `.buildCommand` whose inputs are the target's sources (and `.alloctag.json`), so it runs
/// again only when one of them changes.
///
/// A C target's warnings are `tagger check --target X`'s findings by construction: gen runs
/// check's libclang provider with check's root (the package) and the compile flags SwiftPM
/// uses (the command plugin's `cFlags`), loading the system's libclang or else the Swift
/// toolchain's (`--libclang`, next to the toolchain's clang).
///
/// A build plugin cannot edit the target's own sources; annotating them is the command
/// plugin's job: `swift package --allow-writing-to-package-directory alloc-tag annotate --target X`.
@main
struct AllocTagBuildPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let tool = try context.tool(named: "alloctag-gen")
        let config = context.package.directoryURL.appendingPathComponent(".alloctag.json")
        let hasConfig = FileManager.default.fileExists(atPath: config.path)
        var arguments = ["--module", target.name]
        if hasConfig { arguments += ["--config", config.path] }

        if target is SwiftSourceModuleTarget {
            let sources = target.sourceFiles(withSuffix: "swift").map(\.url)
            let output = context.pluginWorkDirectoryURL.appendingPathComponent("AllocTags+\(target.name).swift")
            return [.buildCommand(
                displayName: "Declaring allocation tags of \(target.name)",
                executable: tool.url,
                arguments: arguments + ["--output", output.path] + sources.map(\.path),
                inputFiles: sources + (hasConfig ? [config] : []),
                outputFiles: [output])]
        }
        // A C target: warnings only. The listing is not a source, so nothing else reads it;
        // declaring it as the output is what keeps the command incremental.
        let sources = target.sourceFiles.filter { ["c", "h"].contains($0.url.pathExtension) }.map(\.url)
        // The translation units, as `alloc-tag check` passes them: a header is analysed within
        // the units that include it (parsed alone it may not compile); every header stays an
        // input, so editing one reruns the command.
        let units = sources.filter { $0.pathExtension == "c" }
        guard !units.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("alloc-sites-\(target.name).txt")
        var c = ["--c"] + arguments + ["--root", context.package.directoryURL.path, "--output", output.path]
        if let libclang = toolchainLibclang(context) { c += ["--libclang", libclang.path] }
        return [.buildCommand(
            displayName: "Checking allocation sites of \(target.name)",
            executable: tool.url,
            arguments: c + units.map(\.path) + ["--"] + cFlags(target),
            inputFiles: sources + (hasConfig ? [config] : []),
            outputFiles: [output])]
    }

    /// The Swift toolchain's libclang (`usr/lib/libclang.so` beside `usr/bin/clang`), which
    /// every Swift user has: gen's fallback when the system has no libclang. Nil when the
    /// toolchain's clang cannot be found or has no libclang beside it.
    func toolchainLibclang(_ context: PluginContext) -> URL? {
        guard let clang = try? context.tool(named: "clang").url else { return nil }
        let library = clang.resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("../lib/libclang.so").standardized
        return FileManager.default.fileExists(atPath: library.path) ? library : nil
    }

    /// The include paths and defines SwiftPM compiles a C target with: its own and its
    /// dependencies' public headers, its own header search paths and defines. The same as
    /// AllocTagCommandPlugin's `cFlags` (what `alloc-tag check` passes tagger; a plugin cannot
    /// share code with another).
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
}
