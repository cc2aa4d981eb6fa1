import ArgumentParser

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
}
