import Foundation
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
    /// What every front end found over PATHS and the targets' folders: what the gate
    /// evaluates. A file that does not parse is a `parse-error` finding. `command` names the
    /// operation in errors (`check`, or the build plugin's `alloctag-gen`).
    public func checkScan(_ options: CheckOptions, command: String = "check") throws -> ScanResult {
        var workspace = self
        let directories: [String]
        do {
            directories = try PackageTargets.directories(options.targets, packagePath: settings.absolute(options.packagePath))
        } catch let failure as Inputs.Failure {
            throw WorkspaceExit(TaggerExit.usage, "tagger \(command): error: \(failure)")
        }
        // SwiftPM compiles a C target with -I for its `include/` folder; so does the check.
        workspace.settings.extraCompilerFlags += directories.map { $0 + "/include" }
            .filter { FileManager.default.fileExists(atPath: $0) }.map { "-I" + $0 }
        let routed = try workspace.route(command: command, extraDirectories: directories)
        if !routed.unsupported.isEmpty { throw WorkspaceExit(TaggerExit.usage) }
        return try workspace.scan(routed, command: command)
    }

    /// The sites, findings and files of every front end: `checkScan` as the gate's input.
    public func checkInput(_ options: CheckOptions) throws -> GateInput {
        let result = try checkScan(options)
        return GateInput(sites: result.sites, findings: result.findings, files: result.files)
    }

    /// The gate's options for `options` (the baseline loaded); `--root` (default: the working
    /// directory) is what report paths are relative to.
    public func gateOptions(_ options: CheckOptions) throws -> GateOptions {
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
        return gate
    }

    /// The gate over `input`, reading sources for suppression comments and baseline keys: the
    /// one evaluation behind `tagger check` and the build plugin's warnings.
    public static func evaluate(_ input: GateInput, options: GateOptions) -> GateReport {
        Gate.evaluate(input, options: options) { path in
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// `tagger check`: the coverage gate over the front ends' results. Everything that can be
    /// wrong with the command line is found before any analysis.
    public func check(_ options: CheckOptions) throws -> Int32 {
        var gate = try gateOptions(options)
        let input = try checkInput(options)
        var report = Self.evaluate(input, options: gate)
        if let writeBaseline = options.writeBaseline {
            try report.accepted.write(to: settings.absolute(writeBaseline))
            gate.baseline = report.accepted
            report = Self.evaluate(input, options: gate)
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
