import ArgumentParser
import Foundation
import TaggerC
import TaggerCore

extension Tagger {
    /// `tagger annotate`: rewrite C sources so every allocation site is tagged.
    struct Annotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tag every allocation site of C and Swift sources (in place or into a folder).",
            discussion: """
            Wraps each site in alloc_hooks(), adds #include <alloc_tag/alloc_tag.h> once per file, and \
            applies the kernel's _noprof recipe to helpers that return allocator memory. Idempotent; each \
            file is written atomically; nothing is written when a file fails to parse. \
            Exit status: 0 done; 64 usage; 65 parse errors (nothing written).
            """)

        @OptionGroup var sources: CSourceOptions

        @Option(name: .customLong("output"), help: ArgumentHelp("Write annotated copies under DIR (mirroring --root) instead of in place.", valueName: "DIR"))
        var outputDirectory: String?

        @Flag(help: "Print the findings that remain (untagged sites and why).")
        var verbose = false

        @Flag(help: ArgumentHelp("Also give each Swift body that can allocate a scope of its own (AllocTagScope), so its implicit allocations are charged to its declaration. Async bodies are left unscoped."))
        var scopes = false

        func run() throws {
            let routed = try SourceDispatch.route(sources)
            let unsupported = SourceDispatch.reportUnsupported(routed, command: "annotate")
            // All or nothing across the front ends: the Swift files are annotated in memory first,
            // the C front end writes only when every C file parsed, and the Swift files are
            // written only after that, so an error in either leaves every file as it was.
            let swiftPlan = routed.swift.isEmpty ? nil : try SwiftSources.planAnnotation(routed.swift, options: sources, scopes: scopes)
            guard !routed.c.isEmpty else {
                if let swiftPlan { try SwiftSources.write(swiftPlan, options: sources, outputDirectory: outputDirectory, verbose: verbose) }
                throw ExitCode(routed.swift.isEmpty || unsupported ? TaggerExit.usage : TaggerExit.clean)
            }
            let result: AnnotateResult
            do {
                result = try CFrontEnd.annotate(files: routed.c, flags: sources.flagSource, config: try sources.cConfig(),
                                                outputDirectory: outputDirectory)
            } catch {
                throw SourceDispatch.fail(error, command: "annotate")
            }
            for f in result.scan.findings where verbose || f.severity == .error { print(f.compilerStyle) }
            if result.scan.hasErrors {
                FileHandle.standardError.write(Data("tagger annotate: error: parse errors; no file was written\n".utf8))
                throw ExitCode(TaggerExit.dataError)
            }
            if let swiftPlan { try SwiftSources.write(swiftPlan, options: sources, outputDirectory: outputDirectory, verbose: verbose) }
            for c in result.changed { print("annotated \(c.written)") }
            let s = result.scan
            let recipes = s.helpers.filter { $0.recipe }.count
            print("\(result.changed.count) files changed; \(s.sites.filter(\.tagged).count) of \(s.sites.count) sites tagged; \(recipes) helpers with the _noprof recipe")
            if unsupported { throw ExitCode(TaggerExit.usage) }
        }
    }
}
