/// GitHub Actions workflow commands: each item becomes an annotation on the pull request's diff
/// (`::error` for what fails the run, `::warning`, `::notice`); the coverage table and verdict
/// follow as plain log lines.
enum GitHubReporter {
    static func render(_ report: GateReport) -> String {
        let annotations = report.items.map { item -> String in
            let command = switch item.severity {
            case .error: "error"
            case .warning: "warning"
            case .note: "notice"
            }
            var properties: [String] = []
            if let file = item.file { properties.append("file=\(escapeProperty(file))") }
            if let line = item.line { properties.append("line=\(line)") }
            if let column = item.column { properties.append("col=\(column)") }
            properties.append("title=\(escapeProperty(item.ruleID))")
            return "::\(command) \(properties.joined(separator: ","))::\(escapeData(item.message))"
        }
        return (annotations + report.coverageLines + [report.summaryLine]).map { $0 + "\n" }.joined()
    }

    /// As @actions/core escapes a command's message.
    static func escapeData(_ s: String) -> String {
        s.replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
    }

    /// As @actions/core escapes a property value.
    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingAll(":", "%3A").replacingAll(",", "%2C")
    }
}

extension String {
    /// Replaces by Unicode scalars, so "\r" is found inside a "\r\n" pair too.
    func replacingAll(_ target: Unicode.Scalar, _ replacement: String) -> String {
        var out = ""
        for scalar in unicodeScalars {
            if scalar == target { out += replacement } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
