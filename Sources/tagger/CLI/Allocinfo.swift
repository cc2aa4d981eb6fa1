import AllocReport
import ArgumentParser
import Foundation
import TaggerCore
import TaggerGate

extension ReportSort: ExpressibleByArgument {}

extension Tagger {
    /// `tagger allocinfo`: read allocinfo reports (files, standard input or a running process),
    /// filter and sort them as the kernel's allocinfo tools do, diff two snapshots, and convert
    /// to pprof, folded stacks, JSON or HTML. The logic lives in the AllocReport library.
    struct Allocinfo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "allocinfo",
            abstract: "Filter, sort, diff and convert allocinfo reports (files or a running process).",
            discussion: """
            Reads allocinfo v2.0 text (the kernel's /proc/allocinfo format, which the alloctag \
            runtime writes): FILE arguments, standard input ('-' or no FILE), or a running \
            instrumented process with --pid. Several FILEs are snapshots of one process, oldest \
            first, for --format html or json. --diff OLD NEW shows per site what grew and shrank, \
            largest growth first. Filters match whole names; '*' and '?' are wildcards.

            Examples:
              tagger allocinfo --pid 4242 --sort bytes --top 20
              tagger allocinfo report.txt --format pprof -o heap.pb.gz
              go tool pprof -top -lines heap.pb.gz
              tagger allocinfo report.txt --format folded | flamegraph.pl > flame.svg
              tagger allocinfo --diff before.txt after.txt --top 10
              tagger allocinfo snap1.txt snap2.txt snap3.txt --format html -o growth.html
              tagger allocinfo --budget budget.json extended.txt --reporter github
              tagger allocinfo --write-budget budget.json --tolerance 0.1 extended.txt

            With --budget FILE, checks the reports against per-site limits (docs/budgets.md) and \
            exits 1 when a site is over, printing findings like the coverage gate's \
            ('peak.c:7: error: 4194304 live bytes over budget 1048576 [alloc-budget]'); 65 when the \
            budget file is wrong. --write-budget FILE records the reports' counts as a budget.
            """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, pprof, folded, json, html
        }

        @Argument(help: "Report files; '-' (or none) reads standard input.")
        var files: [String] = []

        @Option(help: "Output format: text (allocinfo v2.0), pprof (gzipped profile.proto), folded, json, html.")
        var format: Format = .text

        @Option(help: "Order by live bytes or calls, largest first (with --diff: by growth).")
        var sort: ReportSort?

        @Option(help: "Keep only the first N sites (after sorting; sorts by bytes when --sort is not given).")
        var top: Int?

        @Option(help: "Only sites in this shared library ([module] in the report).")
        var module: String?

        @Option(help: "Only sites in this function.")
        var function: String?

        @Option(help: "Only sites in this file (as the report prints it).")
        var file: String?

        @Option(help: "Only sites at this line.")
        var line: Int?

        @Option(help: "Only sites with at least this many live bytes (4096, 4K, 1.5M; with --diff: growth).")
        var minSize: String?

        @Option(help: "Only sites with at most this many live bytes.")
        var maxSize: String?

        @Flag(help: "Only sites marked accurate:no.")
        var inaccurate = false

        @Option(parsing: .upToNextOption, help: ArgumentHelp("Compare two reports: what grew and shrank per site.", valueName: "OLD NEW"))
        var diff: [String] = []

        @Option(help: "Read the live report of this running instrumented process (its owner or root only).")
        var pid: Int32?

        @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
        var output: String?

        @Option(help: ArgumentHelp("Check the reports against this budget file; exit 1 when a site is over.", valueName: "file"))
        var budget: String?

        @Option(name: .customLong("write-budget"), help: ArgumentHelp("Record the reports' counts in this budget file.", valueName: "file"))
        var writeBudget: String?

        @Option(help: ArgumentHelp("With --write-budget: the fraction a count may grow by (0.1 = 10%).", valueName: "fraction"))
        var tolerance: Double = 0.1

        @Option(help: ArgumentHelp("With --budget: findings as \(Reporter.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
        var reporter: Reporter = .text

        @Option(name: .customLong("source-root"), help: ArgumentHelp("Where the reports' file paths are read from, to match budget entries by their line's text (default: the current directory).", valueName: "dir"))
        var sourceRoot: String?

        func validate() throws {
            if budget != nil || writeBudget != nil { return try validateBudget() }
            if !diff.isEmpty {
                guard diff.count == 2 else { throw ValidationError("--diff takes two reports, OLD and NEW; got \(diff.count)") }
                guard files.isEmpty, pid == nil else { throw ValidationError("--diff OLD NEW takes no other FILE and no --pid") }
            }
            if pid != nil, !files.isEmpty { throw ValidationError("--pid reads the process's report; give no FILE with it") }
            if files.count > 1, format != .html, format != .json {
                throw ValidationError("several FILEs are snapshots of a series, shown by --format html or json; to compare two, use --diff OLD NEW")
            }
            if let top, top < 0 { throw ValidationError("--top must be 0 or more") }
            if format == .pprof, output == nil, isatty(STDOUT_FILENO) == 1 {
                throw ValidationError("pprof output is binary; write it to a file with -o FILE (or pipe it)")
            }
            _ = try filter()
        }

        private func filter() throws -> ReportFilter {
            func size(_ text: String?, _ option: String) throws -> Int64? {
                guard let text else { return nil }
                guard let value = parseSize(text) else {
                    throw ValidationError("\(option) '\(text)' is not a size: use bytes or a number with K, M, G or T (powers of 1024)")
                }
                return value
            }
            return ReportFilter(module: module, function: function, file: file, line: line,
                                minBytes: try size(minSize, "--min-size"), maxBytes: try size(maxSize, "--max-size"),
                                inaccurateOnly: inaccurate)
        }

        func run() throws {
            if budget != nil || writeBudget != nil { return try runBudget() }
            let filter = try filter()
            let rendered: [UInt8]
            do {
                if diff.count == 2 {
                    rendered = render(diff: try AllocinfoReport.read(path: diff[0]), try AllocinfoReport.read(path: diff[1]), filter)
                } else if files.count > 1 {
                    rendered = render(series: AllocinfoSeries(try files.map { try AllocinfoReport.read(path: $0) }), filter)
                } else {
                    let report = try pid.map { try LiveReport.fetch(pid: $0) } ?? AllocinfoReport.read(path: files.first ?? "-")
                    rendered = render(report: report, filter)
                }
            } catch {
                // Parse errors already read `path:line:col: error: ...`.
                let message = "\(error)"
                FileHandle.standardError.write(Data(((message.contains(": error: ") ? "" : "tagger: error: ") + message + "\n").utf8))
                throw ExitCode(TaggerExit.dataError)
            }
            if let output {
                do { try AtomicFile.write(Data(rendered), to: output) } catch {
                    FileHandle.standardError.write(Data("tagger: error: \(error)\n".utf8))
                    throw ExitCode(TaggerExit.dataError)
                }
            } else {
                FileHandle.standardOutput.write(Data(rendered))
            }
        }

        private func render(report: AllocinfoReport, _ filter: ReportFilter) -> [UInt8] {
            // The example server runs the same query (ReportQuery: merge unless text, filter, sort, top).
            let report = ReportQuery(filter: filter, sort: sort, top: top, keepsLines: format == .text).apply(to: report)
            switch format {
            case .text: return Array(report.text.utf8)
            case .pprof: return PprofFormat.render(report)
            case .folded: return Array(FoldedFormat.render(report).utf8)
            case .json: return Array(JSONFormat.render(report).utf8)
            case .html: return Array(HTMLFormat.render(report).utf8)
            }
        }

        private func render(diff old: AllocinfoReport, _ new: AllocinfoReport, _ filter: ReportFilter) -> [UInt8] {
            var diff = AllocinfoDiff(old: old, new: new).filtered(filter)
            if let sort { diff.sort(by: sort) }
            if let top { diff = diff.prefix(top) }
            switch format {
            case .text: return Array(diff.text.utf8)
            case .json: return Array(JSONFormat.render(diff).utf8)
            case .pprof: return PprofFormat.render(diff.deltaReport)
            case .folded: return Array(FoldedFormat.render(diff.deltaReport).utf8)
            case .html: return render(series: AllocinfoSeries([old, new]), filter)
            }
        }

        private func render(series: AllocinfoSeries, _ filter: ReportFilter) -> [UInt8] {
            var series = series.filtered(filter)
            if let sort { series.sort(by: sort) }
            if let top { series = series.prefix(top) }
            return Array((format == .json ? JSONFormat.render(series) : HTMLFormat.render(series)).utf8)
        }
    }
}
