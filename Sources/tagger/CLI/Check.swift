import ArgumentParser
import Foundation
import TaggerGate
import TaggerWorkspace

extension Reporter: ExpressibleByArgument {}

extension Tagger {
    /// `tagger check`: the coverage gate for CI. All decisions are `TaggerGate`'s, and files,
    /// front ends and the report are the workspace driver's; this file only parses arguments.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fail CI on untagged allocation sites; report coverage, with suppressions and baselines.",
            discussion: """
            Exit status: 0 nothing fails the run; 1 findings at error severity (warnings only with \
            --strict), coverage below --min-coverage, or a stale baseline entry with --strict-baseline; \
            64 usage; 65 unreadable input. See docs/coverage-gate.md.
            """)

        /// PATHS, -p, --allocator, --noprof, --root, --config, --no-infer-helpers and `-- cflags`,
        /// shared with `scan` and `annotate` so the same files are analysed the same way.
        @OptionGroup var sources: SourceOptions

        @Option(name: .customLong("target"), help: ArgumentHelp("Check a target of the package at --package-path (repeatable).", valueName: "name"))
        var targets: [String] = []

        @Option(name: .customLong("package-path"), help: "The package --target refers to.")
        var packagePath: String = "."

        @Flag(help: "Warnings fail the run (printed as errors); unused suppressions are reported.")
        var strict = false

        @Option(name: .customLong("min-coverage"), help: ArgumentHelp("Fail when less than P percent of the sites are tagged.", valueName: "P"))
        var minimumCoverage: Double?

        @Option(help: ArgumentHelp("Report only findings that are not in this baseline file.", valueName: "file"))
        var baseline: String?

        @Option(name: .customLong("write-baseline"), help: ArgumentHelp("Record the current findings in this baseline file.", valueName: "file"))
        var writeBaseline: String?

        @Flag(name: .customLong("strict-baseline"), help: "Also fail when a baselined finding no longer occurs.")
        var strictBaseline = false

        @Option(help: ArgumentHelp("Output format: \(Reporter.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
        var reporter: Reporter = .text

        @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
        var output: String?

        func validate() throws {
            if let p = minimumCoverage, !(0...100).contains(p) {
                throw ValidationError("--min-coverage must be between 0 and 100, got \(Gate.formatPercent(p))")
            }
            if strictBaseline, baseline == nil, writeBaseline == nil {
                throw ValidationError("--strict-baseline needs --baseline FILE (or --write-baseline FILE)")
            }
            if sources.inputPaths.isEmpty, targets.isEmpty, sources.buildDirectory == nil {
                throw ValidationError("nothing to check: give PATHS, --target NAME or -p BUILD_DIR")
            }
        }

        func run() throws {
            var options = CheckOptions()
            options.targets = targets
            options.packagePath = packagePath
            options.strict = strict
            options.strictBaseline = strictBaseline
            options.minimumCoverage = minimumCoverage
            options.baseline = baseline
            options.writeBaseline = writeBaseline
            options.reporter = reporter
            options.output = output
            options.tool = .init(name: "tagger", version: Tagger.configuration.version)
            try runDriver { try sources.workspace.check(options) }
        }
    }
}
