import TaggerCore

/// The output formats of `tagger check --reporter`.
public enum Reporter: String, CaseIterable, Sendable {
    case text, github, sarif, junit, json

    /// Who produced the report (SARIF `tool.driver`, JSON `tool`).
    public struct Tool: Sendable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    /// The complete output, ending with a newline.
    public func render(_ report: GateReport, tool: Tool) -> String {
        switch self {
        case .text: TextReporter.render(report)
        case .github: GitHubReporter.render(report)
        case .sarif: SARIFReporter.render(report, tool: tool)
        case .junit: JUnitReporter.render(report)
        case .json: JSONReporter.render(report, tool: tool)
        }
    }
}

extension GateReport {
    /// `coverage: 66.6% (2/3) path` per file, then the total: the plain-text coverage table.
    public var coverageLines: [String] {
        guard let coverage else { return [] }
        return coverage.files.map { "coverage: \($0.figure.percentText)% (\($0.figure.tagged)/\($0.figure.sites)) \($0.file)" }
            + ["coverage: \(coverage.total.percentText)% (\(coverage.total.tagged)/\(coverage.total.sites)) total"]
    }

    /// `check failed: 1 error, 2 warnings, 0 notes; 1 suppressed, 0 baselined`.
    public var summaryLine: String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        let verdict = "\(subject) \(failed ? "failed" : "passed"): \(plural(count(.error), "error")), \(plural(count(.warning), "warning")), "
            + plural(count(.note), "note")
        // Suppressions and baselines belong to the coverage gate; a budget run has neither.
        return coverage == nil ? verdict : verdict + "; \(suppressed) suppressed, \(baselined) baselined"
    }
}
