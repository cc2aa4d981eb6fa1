/// JUnit XML, for CI systems that chart test results.
///
/// One `<testsuite>` per file that has sites or findings: a `coverage` test case, then one test
/// case per finding, failing exactly when the finding fails the run (warnings without --strict
/// and notes pass and carry their text in `<system-out>`). Whole-run verdicts go to a last
/// suite named `alloc-tag`, which also holds the `min-coverage` case when a minimum was set.
enum JUnitReporter {
    private struct Case {
        var classname, name: String
        var failure: (type: String, message: String, text: String)?
        var output: String?
    }

    static func render(_ report: GateReport) -> String {
        var suites: [(name: String, cases: [Case])] = []
        let coverageByFile = Dictionary(uniqueKeysWithValues: (report.coverage?.files ?? []).map { ($0.file, $0.figure) })
        let files = Set(coverageByFile.keys).union(report.items.compactMap(\.file)).sorted()
        for file in files {
            let figure = coverageByFile[file] ?? Coverage.Figure(sites: 0, tagged: 0)
            var cases = report.coverage == nil ? [] : [Case(classname: file, name: "coverage",
                              output: "\(figure.percentText)% (\(figure.tagged)/\(figure.sites)) of allocation sites tagged")]
            for item in report.items where item.file == file {
                cases.append(testCase(item, classname: file))
            }
            suites.append((file, cases))
        }
        var run: [Case] = []
        if let minimum = report.minimumCoverage, let t = report.coverage?.total {
            let text = "\(t.percentText)% (\(t.tagged)/\(t.sites)) of allocation sites tagged, minimum \(Gate.formatPercent(minimum))%"
            if let item = report.items.first(where: { $0.ruleID == "coverage-below-minimum" }) {
                run.append(Case(classname: "alloc-tag", name: "min-coverage",
                                failure: (item.ruleID, item.message, item.compilerStyle)))
            } else {
                run.append(Case(classname: "alloc-tag", name: "min-coverage", output: text))
            }
        }
        for item in report.items where item.file == nil && item.ruleID != "coverage-below-minimum" {
            run.append(testCase(item, classname: "alloc-tag"))
        }
        if !run.isEmpty { suites.append(("alloc-tag", run)) }

        func failures(_ cases: [Case]) -> Int { cases.filter { $0.failure != nil }.count }
        let allCases = suites.flatMap(\.cases)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"alloc-tag\" tests=\"\(allCases.count)\" failures=\"\(failures(allCases))\" errors=\"0\">\n"
        for suite in suites {
            out += "  <testsuite name=\"\(escape(suite.name))\" tests=\"\(suite.cases.count)\" failures=\"\(failures(suite.cases))\" errors=\"0\">\n"
            for c in suite.cases {
                let open = "    <testcase classname=\"\(escape(c.classname))\" name=\"\(escape(c.name))\""
                if let failure = c.failure {
                    out += open + ">\n"
                    out += "      <failure type=\"\(escape(failure.type))\" message=\"\(escape(failure.message))\">\(escape(failure.text))</failure>\n"
                    out += "    </testcase>\n"
                } else if let output = c.output {
                    out += open + ">\n      <system-out>\(escape(output))</system-out>\n    </testcase>\n"
                } else {
                    out += open + "/>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    private static func testCase(_ item: GateReport.Item, classname: String) -> Case {
        let position = item.line.map { line in " at \(line)" + (item.column.map { ":\($0)" } ?? "") } ?? ""
        let name = "\(item.ruleID)\(position)"
        if item.severity == .error {
            return Case(classname: classname, name: name, failure: (item.ruleID, item.message, item.compilerStyle))
        }
        return Case(classname: classname, name: name, output: item.compilerStyle)
    }

    /// Escapes for attributes and text alike; drops characters XML 1.0 cannot carry.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t", "\r": out += "&#\(scalar.value);"
            default:
                if scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
