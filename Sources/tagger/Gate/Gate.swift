import TaggerCore

/// The coverage gate: from the front ends' sites and findings to a verdict. Independent of how
/// sites were found; the source text is needed only for suppression comments and baseline keys.
///
/// Order matters and is fixed: suppression comments first (so a baseline never records a
/// finding the source already silences), then unused suppressions (under --strict; they can be
/// baselined but not suppressed), then the baseline, then the whole-run verdicts.
public enum Gate {
    public static func evaluate(_ input: GateInput, options: GateOptions, read: SourceReader) -> GateReport {
        let paths = RepoPaths(root: options.root, workingDirectory: options.workingDirectory)
        let sites = input.sites.map { site in
            var site = site
            site.location.file = paths.display(site.location.file)
            return site
        }
        let findings = input.findings.map { finding in
            var finding = finding
            finding.location.file = paths.display(finding.location.file)
            return finding
        }.sorted(by: findingOrder)
        let files = Set(input.files.map(paths.display) + sites.map(\.location.file) + findings.map(\.location.file))

        var sources: [String: SourceFile] = [:]
        for file in files {
            if let text = read(paths.absolute(file)) { sources[file] = SourceFile(path: file, text: text) }
        }

        // Suppression comments.
        var suppressions: [String: [Suppression]] = [:]
        var invalid: [Finding] = []
        for (file, source) in sources {
            let parsed = SuppressionParser.parse(source, file: file, language: SourceLanguage(path: file))
            suppressions[file] = parsed.suppressions
            invalid += parsed.invalid
        }
        var kept: [Finding] = []
        var suppressed = 0
        for finding in findings {
            var hit = false
            var list = suppressions[finding.location.file, default: []]
            // Every matching comment is marked used (not just the first), so none is reported unused.
            for i in list.indices where list[i].suppresses(ruleID: finding.ruleID, line: finding.location.line) {
                hit = true
            }
            suppressions[finding.location.file] = list
            if hit { suppressed += 1 } else { kept.append(finding) }
        }
        kept += invalid
        if options.strict {
            kept += suppressions.values.joined().flatMap { $0.unusedFindings() }
        }
        kept.sort(by: findingOrder)

        // Baseline.
        let keys = kept.map { finding in
            Baseline.Entry(rule: finding.ruleID, file: finding.location.file,
                           text: sources[finding.location.file]?.trimmedLine(finding.location.line) ?? "")
        }
        let accepted = Baseline(entries: zip(kept, keys).filter { $0.0.severity != .note }.map(\.1))
        var matcher = options.baseline.map(BaselineMatcher.init)
        var occurrences: [Baseline.Entry: Int] = [:]
        var items: [GateReport.Item] = []
        var baselined = 0
        for (finding, key) in zip(kept, keys) {
            occurrences[key, default: 0] += 1
            if finding.severity != .note, matcher?.absorb(key) == true {
                baselined += 1
                continue
            }
            items.append(GateReport.Item(
                ruleID: finding.ruleID,
                severity: options.strict && finding.severity == .warning ? .error : finding.severity,
                message: finding.message,
                file: finding.location.file, line: finding.location.line, column: finding.location.column,
                utf16Column: sources[finding.location.file]?.utf16Column(line: finding.location.line, byteColumn: finding.location.column)
                    ?? finding.location.column,
                fingerprint: Fingerprint.hash([key.rule, key.file, key.text]) + ":\(occurrences[key]!)"))
        }

        // Whole-run verdicts.
        if options.strictBaseline, let matcher {
            var staleCount: [Baseline.Entry: Int] = [:]
            // An entry is stale only where this run could have matched it: in an analysed file,
            // or in a file that no longer exists.
            for entry in matcher.unmatched where files.contains(entry.file) || read(paths.absolute(entry.file)) == nil {
                staleCount[entry, default: 0] += 1
                items.append(GateReport.Item(
                    ruleID: Rules.staleBaselineEntry.id, severity: .error,
                    message: "baselined '\(entry.rule)' finding on '\(entry.text)' no longer occurs; rewrite the baseline with --write-baseline",
                    file: entry.file, line: nil, column: nil, utf16Column: nil,
                    fingerprint: Fingerprint.hash([Rules.staleBaselineEntry.id, entry.rule, entry.file, entry.text]) + ":\(staleCount[entry]!)"))
            }
        }
        let coverage = Coverage(sites: sites)
        if let minimum = options.minimumCoverage, coverage.total.isBelow(minimum) {
            let t = coverage.total
            items.append(GateReport.Item(
                ruleID: Rules.coverageBelowMinimum.id, severity: .error,
                message: "\(t.tagged) of \(t.sites) allocation sites are tagged (\(t.percentText)%), below --min-coverage \(formatPercent(minimum))",
                file: nil, line: nil, column: nil, utf16Column: nil,
                fingerprint: Fingerprint.hash([Rules.coverageBelowMinimum.id]) + ":1"))
        }
        items.sort(by: itemOrder)
        return GateReport(items: items, coverage: coverage, minimumCoverage: options.minimumCoverage,
                          suppressed: suppressed, baselined: baselined, strict: options.strict, accepted: accepted)
    }

    /// `80` for 80.0, `87.5` for 87.5.
    public static func formatPercent(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private static func findingOrder(_ a: Finding, _ b: Finding) -> Bool {
        (a.location, a.ruleID, a.message) < (b.location, b.ruleID, b.message)
    }

    private static func itemOrder(_ a: GateReport.Item, _ b: GateReport.Item) -> Bool {
        // Items with a file first, by position; a missing line sorts after the file's lines.
        func key(_ i: GateReport.Item) -> (Int, String, Int, Int, String, String) {
            (i.file == nil ? 1 : 0, i.file ?? "", i.line ?? .max, i.column ?? 0, i.ruleID, i.message)
        }
        return key(a) < key(b)
    }
}
