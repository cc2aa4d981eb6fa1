import ArgumentParser
import Foundation
import TaggerCore
import TaggerGate
import TaggerLexScan

extension Reporter: ExpressibleByArgument {}

extension Tagger {
    /// `tagger check`: the coverage gate for CI. All decisions are `TaggerGate`'s; this file
    /// only gathers files, runs the front ends and writes the report.
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
        @OptionGroup var sources: CSourceOptions

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
            let cwd = FileManager.default.currentDirectoryPath
            let rootDirectory = absolute(sources.root ?? cwd, in: cwd)

            // Everything that can be wrong with the command line is found before any analysis.
            var loadedBaseline: Baseline?
            if let baseline {
                do { loadedBaseline = try Baseline.load(from: absolute(baseline, in: cwd)) } catch {
                    throw usage("\(error)")
                }
            }
            var routed = SourceDispatch.Routed()
            if !sources.inputPaths.isEmpty || sources.buildDirectory != nil {
                routed = try SourceDispatch.route(sources)
                if SourceDispatch.reportUnsupported(routed, command: "check") { throw ExitCode(TaggerExit.usage) }
            }
            // SwiftPM compiles a C target with -I for its `include/` folder; so does the check.
            var targetIncludes: [String] = []
            do {
                let directories = try CheckSources.targetDirectories(targets, packagePath: absolute(packagePath, in: cwd))
                targetIncludes = directories.map { $0 + "/include" }.filter { FileManager.default.fileExists(atPath: $0) }.map { "-I" + $0 }
                for file in try CheckSources.files(in: directories, workingDirectory: cwd) {
                    if file.hasSuffix(".swift") { routed.swift.append(file) } else { routed.c.append(file) }
                }
            } catch let failure as CheckSources.Failure {
                throw usage(failure.description)
            }

            var scan = CheckFrontEnds.Scan()
            if !routed.swift.isEmpty {
                scan.add(CheckFrontEnds.swift(routed.swift, config: try SwiftSources.config(sources, files: routed.swift)))
            }
            if !routed.c.isEmpty {
                scan.add(try CheckFrontEnds.c(routed.c, options: sources, extraFlags: targetIncludes))
            }

            var options = GateOptions(root: rootDirectory, workingDirectory: cwd)
            options.strict = strict
            options.strictBaseline = strictBaseline
            options.minimumCoverage = minimumCoverage
            options.baseline = loadedBaseline
            let input = GateInput(sites: scan.sites, findings: scan.findings, files: scan.files)
            let read: SourceReader = { path in
                FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            }
            var report = Gate.evaluate(input, options: options, read: read)
            if let writeBaseline {
                try report.accepted.write(to: absolute(writeBaseline, in: cwd))
                options.baseline = report.accepted
                report = Gate.evaluate(input, options: options, read: read)
            }

            let text = reporter.render(report, tool: .init(name: "tagger", version: Tagger.configuration.version))
            if let output {
                try AtomicFile.write(text, to: absolute(output, in: cwd))
                print("\(report.summaryLine) (\(reporter.rawValue) report written to \(output))")
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            if report.exitCode != TaggerExit.clean { throw ExitCode(report.exitCode) }
        }

        private func usage(_ message: String) -> ExitCode {
            FileHandle.standardError.write(Data("tagger check: error: \(message)\n".utf8))
            return ExitCode(TaggerExit.usage)
        }

        private func absolute(_ path: String, in directory: String) -> String {
            path.hasPrefix("/") ? path : directory + "/" + path
        }
    }
}
