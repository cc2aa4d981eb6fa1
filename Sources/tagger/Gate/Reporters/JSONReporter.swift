import Foundation

/// Machine-readable verdict, schema version 1: pretty JSON with sorted keys.
///
/// `{ version, tool{name,version}, passed, exitCode, strict, minimumCoverage?, suppressed, baselined,
///    findings[{rule, severity, message, file?, line?, column?, fingerprint}],
///    coverage?{files[{file, sites, tagged, percent}], total{sites, tagged, percent}} }`
/// (no `coverage` for budgets)
/// `percent` is the truncated one-decimal text the other reporters print.
enum JSONReporter {
    struct Document: Encodable {
        struct Tool: Encodable { var name, version: String }
        struct Item: Encodable {
            var rule, severity, message: String
            var file: String?
            var line, column: Int?
            var fingerprint: String
        }
        struct Figure: Encodable {
            var file: String?
            var sites, tagged: Int
            var percent: String
        }
        struct Coverage: Encodable {
            var files: [Figure]
            var total: Figure
        }
        var version = 1
        var tool: Tool
        var passed: Bool
        var exitCode: Int32
        var strict: Bool
        var minimumCoverage: Double?
        var suppressed, baselined: Int
        var findings: [Item]
        /// Absent when the run measured no coverage (budgets).
        var coverage: Coverage?
    }

    static func render(_ report: GateReport, tool: Reporter.Tool) -> String {
        func figure(_ file: String?, _ f: TaggerGate.Coverage.Figure) -> Document.Figure {
            Document.Figure(file: file, sites: f.sites, tagged: f.tagged, percent: f.percentText)
        }
        let document = Document(
            tool: .init(name: tool.name, version: tool.version),
            passed: !report.failed, exitCode: report.exitCode, strict: report.strict,
            minimumCoverage: report.minimumCoverage,
            suppressed: report.suppressed, baselined: report.baselined,
            findings: report.items.map {
                .init(rule: $0.ruleID, severity: $0.severity.rawValue, message: $0.message,
                      file: $0.file, line: $0.line, column: $0.column, fingerprint: $0.fingerprint)
            },
            coverage: report.coverage.map { coverage in
                .init(files: coverage.files.map { figure($0.file, $0.figure) }, total: figure(nil, coverage.total))
            })
        return encodePretty(document)
    }
}

/// Pretty, sorted, unescaped slashes, final newline: byte-stable output for golden tests and diffs.
func encodePretty<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // The documents hold only strings, integers, booleans and finite doubles, which always encode.
    let data = try! encoder.encode(value)
    return String(decoding: data, as: UTF8.self) + "\n"
}
