import Foundation
import TaggerC
import TaggerCore
import TaggerGate

/// `check`'s options beyond the inputs (see `tagger check --help`).
public struct CheckOptions: Sendable {
    public var targets: [String] = []
    public var packagePath = "."
    public var strict = false
    public var strictBaseline = false
    public var minimumCoverage: Double?
    public var baseline: String?
    public var writeBaseline: String?
    public var reporter: Reporter = .text
    /// The report's file; nil: standard output.
    public var output: String?
    public var tool = Reporter.Tool(name: "tagger", version: "")

    public init() {}
}

extension Workspace {
    /// The sites, findings and files of every front end over PATHS and the targets' folders:
    /// what the gate evaluates. A file that does not parse is a `parse-error` finding.
    public func checkInput(_ options: CheckOptions) throws -> GateInput {
        var workspace = self
        let directories: [String]
        do {
            directories = try PackageTargets.directories(options.targets, packagePath: settings.absolute(options.packagePath))
        } catch let failure as Inputs.Failure {
            throw WorkspaceExit(TaggerExit.usage, "tagger check: error: \(failure)")
        }
        // SwiftPM compiles a C target with -I for its `include/` folder; so does the check.
        workspace.settings.extraCompilerFlags += directories.map { $0 + "/include" }
            .filter { FileManager.default.fileExists(atPath: $0) }.map { "-I" + $0 }
        let routed = try workspace.route(command: "check", extraDirectories: directories)
        if !routed.unsupported.isEmpty { throw WorkspaceExit(TaggerExit.usage) }
        let result = try workspace.scan(routed, command: "check")
        return GateInput(sites: result.sites, findings: result.findings, files: result.files)
    }

    /// `tagger check`: the coverage gate over the front ends' results. Everything that can be
    /// wrong with the command line is found before any analysis.
    public func check(_ options: CheckOptions) throws -> Int32 {
        let cwd = settings.workingDirectory
        var gate = GateOptions(root: settings.absolute(settings.root ?? cwd), workingDirectory: cwd)
        gate.strict = options.strict
        gate.strictBaseline = options.strictBaseline
        gate.minimumCoverage = options.minimumCoverage
        if let baseline = options.baseline {
            do { gate.baseline = try Baseline.load(from: settings.absolute(baseline)) } catch {
                throw WorkspaceExit(TaggerExit.usage, "tagger check: error: \(error)")
            }
        }
        let input = try checkInput(options)
        let read: SourceReader = { path in
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        var report = Gate.evaluate(input, options: gate, read: read)
        if let writeBaseline = options.writeBaseline {
            try report.accepted.write(to: settings.absolute(writeBaseline))
            gate.baseline = report.accepted
            report = Gate.evaluate(input, options: gate, read: read)
        }

        let text = options.reporter.render(report, tool: options.tool)
        if let output = options.output {
            try AtomicFile.write(text, to: settings.absolute(output))
            print("\(report.summaryLine) (\(options.reporter.rawValue) report written to \(output))")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        return report.exitCode
    }
}
