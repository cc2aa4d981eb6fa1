/// Compiler-style lines (`path:line:col: warning: message [rule-id]`), which editors and CI log
/// parsers jump to, then the coverage table and a one-line verdict.
enum TextReporter {
    static func render(_ report: GateReport) -> String {
        (report.items.map(\.compilerStyle) + report.coverageLines + [report.summaryLine])
            .map { $0 + "\n" }.joined()
    }
}
