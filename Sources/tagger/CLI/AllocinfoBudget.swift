import AllocReport
import ArgumentParser
import Foundation
import TaggerCore
import TaggerGate

extension Tagger.Allocinfo {
    /// `--budget FILE` and `--write-budget FILE`: the reports are checked (or recorded) as a
    /// whole; the budget model is AllocReport's `Budget`, the output the coverage gate's reporters.
    func validateBudget() throws {
        guard diff.isEmpty else { throw ValidationError("--budget and --write-budget take REPORT files (or --pid), not --diff") }
        if pid != nil, !files.isEmpty { throw ValidationError("--pid reads the process's report; give no FILE with it") }
        guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a fraction of 0 or more (0.1 = 10%)") }
        if format != .text { throw ValidationError("--budget prints findings: choose their form with --reporter, not --format") }
    }

    func runBudget() throws {
        let cwd = FileManager.default.currentDirectoryPath
        let root = sourceRoot ?? cwd
        let readSource: Budget.SourceReader = { file in
            let path = file.hasPrefix("/") ? file : root + "/" + file
            return FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        let reports: [AllocinfoReport]
        do {
            reports = try pid.map { [try LiveReport.fetch(pid: $0)] }
                ?? (files.isEmpty ? ["-"] : files).map { try AllocinfoReport.read(path: $0) }
        } catch {
            let message = "\(error)"
            FileHandle.standardError.write(Data(((message.contains(": error: ") ? "" : "tagger: error: ") + message + "\n").utf8))
            throw ExitCode(TaggerExit.dataError)
        }

        if let writeBudget {
            let recorded = Budget.recording(reports, tolerance: tolerance, source: readSource)
            do { try AtomicFile.write(recorded.encoded(), to: writeBudget) } catch {
                FileHandle.standardError.write(Data("tagger: error: \(error)\n".utf8))
                throw ExitCode(TaggerExit.dataError)
            }
            if budget == nil {
                FileHandle.standardError.write(Data("tagger: wrote \(recorded.entries.count) budget entries to \(writeBudget)\n".utf8))
                return
            }
        }

        guard let budgetPath = budget else { return }
        let loaded: Budget
        do {
            guard let data = FileManager.default.contents(atPath: budgetPath) else {
                throw Budget.FileError(path: budgetPath, line: 1, message: "cannot read the budget file; write one with --write-budget \(budgetPath)")
            }
            loaded = try Budget.parse(Array(data), path: budgetPath)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(TaggerExit.dataError)
        }

        let result = loaded.check(reports, source: readSource)
        let report = GateReport(subject: "budget", items: Self.items(result, budgetPath: budgetPath, reports: reports.count), coverage: nil)
        let text = reporter.render(report, tool: .init(name: "tagger", version: Tagger.configuration.version))
        if let output {
            try AtomicFile.write(text, to: output)
            print("\(report.summaryLine) (\(reporter.rawValue) report written to \(output))")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if report.exitCode != TaggerExit.clean { throw ExitCode(report.exitCode) }
    }

    /// Violations at the site (`peak.c:7: error: ...`), problems at the budget entry's line.
    static func items(_ result: BudgetResult, budgetPath: String, reports: Int) -> [GateReport.Item] {
        var items: [GateReport.Item] = []
        var seen: [String: Int] = [:]
        func item(_ rule: Rule, _ severity: Finding.Severity, _ message: String, _ file: String, _ line: Int, _ key: String) -> GateReport.Item {
            var h = FNV1a()
            h.add(rule.id + "\u{0}" + file + "\u{0}" + key)
            let n = (seen[h.hex] ?? 0) + 1
            seen[h.hex] = n
            return GateReport.Item(ruleID: rule.id, severity: severity, message: message, file: file, line: line > 0 ? line : nil,
                                   column: nil, utf16Column: nil, fingerprint: h.hex + ":\(n)")
        }
        for v in result.violations {
            let message = v.message + (reports > 1 ? " in \(v.source)" : "")
            items.append(item(Rules.allocBudget, .error, message, v.site.file, v.site.line, "\(v.site.function)\u{0}\(v.metric.rawValue)"))
        }
        for p in result.problems {
            let rule = p.isUnmatched ? Rules.unmatchedBudgetEntry : Rules.allocBudget
            items.append(item(rule, p.isError ? .error : .warning, p.message, budgetPath, p.entryLine, p.message))
        }
        return items.sorted { ($0.file ?? "", $0.line ?? 0, $0.message) < ($1.file ?? "", $1.line ?? 0, $1.message) }
    }
}
