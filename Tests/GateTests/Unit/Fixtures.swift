import TaggerCore
@testable import TaggerGate

/// Hand-built inputs, so the gate is tested without any front end.
enum Fixture {
    static let root = "/repo"

    static func site(_ file: String, _ line: Int, _ column: Int, tagged: Bool, callee: String = "malloc") -> AllocationSite {
        AllocationSite(location: SourceLocation(file: file, line: line, column: column),
                       language: file.hasSuffix(".swift") ? .swift : .c, callee: callee, function: "main",
                       tagged: tagged, reason: tagged ? nil : "not wrapped in a hook")
    }

    static func untagged(_ file: String, _ line: Int, _ column: Int, callee: String = "malloc") -> Finding {
        Finding(rule: Rules.untaggedSite, message: "call to '\(callee)' is not tagged",
                location: SourceLocation(file: file, line: line, column: column))
    }

    static func finding(_ rule: Rule, _ file: String, _ line: Int, _ column: Int, _ message: String) -> Finding {
        Finding(rule: rule, message: message, location: SourceLocation(file: file, line: line, column: column))
    }

    /// Runs the gate over in-memory files (keys relative to `root`).
    static func run(files: [String: String], sites: [AllocationSite] = [], findings: [Finding],
                    analysed: [String] = [], configure: (inout GateOptions) -> Void = { _ in }) -> GateReport {
        var options = GateOptions(root: root)
        configure(&options)
        var absolute: [String: String] = [:]
        for (path, text) in files { absolute[root + "/" + path] = text }
        let contents = absolute
        return Gate.evaluate(GateInput(sites: sites, findings: findings, files: analysed),
                             options: options, read: { contents[$0] })
    }

    static func lines(_ report: GateReport) -> [String] { report.items.map(\.compilerStyle) }
}
