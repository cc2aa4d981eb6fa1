import ArgumentParser

extension Tagger {
    /// `tagger scan`: every allocation site with its function, whether it is tagged and why not.
    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List allocation call sites in C and Swift sources: function, tagged or not, and why.",
            discussion: "Exit status: 0 listed; 64 usage; 65 a file could not be parsed (its errors are listed).")

        @OptionGroup var sources: SourceOptions

        @Flag(help: "Print one JSON document ({sites, findings, helpers, indirectCalls, files}, Swift and C together) instead of text.")
        var json = false

        func run() throws {
            try runDriver { try sources.workspace.scan(json: json) }
        }
    }
}
