import ArgumentParser
import TaggerWorkspace

extension Tagger {
    /// `tagger annotate`: rewrite C and Swift sources so every allocation site is tagged.
    struct Annotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tag every allocation site of C and Swift sources (in place or into a folder).",
            discussion: """
            Wraps each site in alloc_hooks(), adds #include <alloc_tag/alloc_tag.h> once per file, and \
            applies the kernel's _noprof recipe to helpers that return allocator memory. Idempotent; all \
            files are written together, each atomically; nothing is written when any file (Swift or C) \
            fails to parse. Exit status: 0 done; 64 usage; 65 parse errors (nothing written).
            """)

        @OptionGroup var sources: SourceOptions

        @Option(name: .customLong("output"), help: ArgumentHelp("Write annotated copies under DIR (mirroring --root) instead of in place.", valueName: "DIR"))
        var outputDirectory: String?

        @Flag(help: "Print the findings that remain (untagged sites and why).")
        var verbose = false

        @Flag(help: ArgumentHelp("Also give each Swift body that can allocate a scope of its own (AllocTagScope), so its implicit allocations are charged to its declaration. Async bodies are left unscoped."))
        var scopes = false

        func run() throws {
            let options = AnnotateOptions(outputDirectory: outputDirectory, verbose: verbose, scopes: scopes)
            try runDriver { try sources.workspace.annotate(options) }
        }
    }
}
