import Foundation
import PackagePlugin

/// Added to a target, declares the static tags of its annotated sites and warns at each site
/// that is not annotated. It runs `alloctag-gen`, which needs neither swift-syntax nor libclang,
/// as a `.buildCommand` whose inputs are the target's sources (and `.alloctag.json`), so it runs
/// again only when one of them changes.
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
        guard !sources.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("alloc-sites-\(target.name).txt")
        return [.buildCommand(
            displayName: "Checking allocation sites of \(target.name)",
            executable: tool.url,
            arguments: ["--c"] + arguments + ["--output", output.path] + sources.map(\.path),
            inputFiles: sources,
            outputFiles: [output])]
    }
}
