import TaggerCore

/// What checking reports against a budget found. Pure: the caller supplies source text.
public struct BudgetResult: Hashable, Sendable {
    /// One site over one limit.
    public struct Violation: Hashable, Sendable {
        public var site: AllocSiteKey
        public var metric: Budget.Metric
        public var value: Int64
        /// The limit as the budget file writes it, and after its tolerance.
        public var limit: Int64
        public var allowed: Int64
        /// The report it was found in.
        public var source: String

        /// `4194304 live bytes over budget 1048576`, then the tolerance when it raised the limit.
        public var message: String {
            metric.describe(value) + " over budget \(limit)" + (allowed != limit ? " (\(allowed) with its tolerance)" : "")
        }
    }

    /// A budget entry that cannot be checked against a report: it matched no site, or it
    /// limits a count the report does not carry (totals and peaks need the extended report).
    public struct Problem: Hashable, Sendable {
        public var entryLine: Int
        public var message: String
        /// True when the budget is unusable with this report or an entry matches no site (an error).
        public var isError: Bool
        /// True for an entry that matched no site (`unmatched-budget-entry`).
        public var isUnmatched = false
    }

    public var violations: [Violation] = []
    public var problems: [Problem] = []
    /// Site checks made (site x limit), for the summary.
    public var checked = 0
}

extension Budget {
    /// Source text of a report's file (as the tag recorded its path); nil when unreadable.
    public typealias SourceReader = (_ file: String) -> String?

    /// Checks every report against every entry. Sites are merged per report first.
    public func check(_ reports: [AllocinfoReport], source: @escaping SourceReader) -> BudgetResult {
        var result = BudgetResult()
        var lines = SourceLines(source)
        var matched = Set<Int>()
        for report in reports {
            let sites = report.merged().entries
            let selected = twinSelections(sites.map(\.site), lines: &lines)
            for (i, entry) in entries.enumerated() {
                let missing = entry.limits.keys.sorted().filter { metric in sites.contains { metric.value(of: $0) == nil } }
                if !missing.isEmpty {
                    result.problems.append(.init(entryLine: entry.sourceLine, message: "\(report.source) has no "
                        + missing.map { $0.rawValue }.joined(separator: ", ")
                        + " counts (an allocinfo v2.0 report): budget it with the extended report (ALLOCTAG_REPORT_EXTENDED, or --pid)", isError: true))
                    continue
                }
                for site in sites where matches(entry, site.site, lines: &lines) && selected[i, default: [site.site]].contains(site.site) {
                    matched.insert(i)
                    for (metric, limit) in entry.limits.sorted(by: { $0.key < $1.key }) {
                        result.checked += 1
                        let value = metric.value(of: site)!
                        let allowed = self.allowed(entry, metric)!
                        if value > allowed {
                            result.violations.append(.init(site: site.site, metric: metric, value: value, limit: limit,
                                                           allowed: allowed, source: report.source))
                        }
                    }
                }
            }
        }
        for (i, entry) in entries.enumerated() where !matched.contains(i) && !result.problems.contains(where: { $0.entryLine == entry.sourceLine }) {
            // An error, not a warning: an entry whose line was edited away would otherwise stop
            // enforcing its budget without failing the run.
            result.problems.append(.init(entryLine: entry.sourceLine, message: "budget entry matches no site in "
                + reports.map(\.source).joined(separator: ", ") + ": its budget is no longer enforced", isError: true, isUnmatched: true))
        }
        return result
    }

    /// Whether `entry` selects `site`. `file` matches the whole path or any part after a `/`
    /// (`peak.c` selects `src/peak.c`); `text`, when the source can be read, replaces `line`.
    func matches(_ entry: Entry, _ site: AllocSiteKey, lines: inout SourceLines) -> Bool {
        if let file = entry.file, !Self.pathMatches(file, site.file) { return false }
        if let function = entry.function, !Glob.matches(function, site.function) { return false }
        if let module = entry.module, !Glob.matches(module, site.module ?? "") { return false }
        if let text = entry.text, let siteText = lines.trimmedLine(file: site.file, line: site.line) {
            return text == siteText
        }
        if let line = entry.line, line != site.line { return false }
        return true
    }

    /// Recorded entries whose sites share their trimmed text (two `buf = malloc(len);` lines in
    /// one function) each select their own site, not all of them: the entry's occurrence among its
    /// twins (by recorded line) picks the site at the same occurrence when the report has as many
    /// sites with that text, else each site goes to the twin recorded nearest its line. Maps those
    /// entries to the sites they select; entries absent from the map select as `matches` says.
    func twinSelections(_ sites: [AllocSiteKey], lines: inout SourceLines) -> [Int: Set<AllocSiteKey>] {
        struct Key: Hashable { var file, function, module, text: String? }
        var twins: [Key: [Int]] = [:]
        for (i, e) in entries.enumerated() where e.text != nil && e.line != nil {
            twins[Key(file: e.file, function: e.function, module: e.module, text: e.text), default: []].append(i)
        }
        var selected: [Int: Set<AllocSiteKey>] = [:]
        for group in twins.values where group.count > 1 {
            let members = group.sorted { (entries[$0].line!, $0) < (entries[$1].line!, $1) }
            // Only sites whose text was read: an unreadable file leaves every twin on its own line.
            let candidates = sites.filter {
                matches(entries[members[0]], $0, lines: &lines) && lines.trimmedLine(file: $0.file, line: $0.line) != nil
            }.sorted { $0.line < $1.line }
            for i in members { selected[i] = [] }
            for (k, site) in candidates.enumerated() {
                let owner = candidates.count == members.count ? members[k]
                    : members.min { abs(entries[$0].line! - site.line) < abs(entries[$1].line! - site.line) }!
                selected[owner]!.insert(site)
            }
        }
        return selected
    }

    static func pathMatches(_ pattern: String, _ path: String) -> Bool {
        if Glob.matches(pattern, path) { return true }
        var rest = Substring(path)
        while let slash = rest.firstIndex(of: "/") {
            rest = rest[rest.index(after: slash)...]
            if Glob.matches(pattern, String(rest)) { return true }
        }
        return false
    }

    /// The budget `--write-budget` records: one entry per site that allocated (untagged
    /// included), limited at its current counts; `tolerance` goes to the file.
    public static func recording(_ reports: [AllocinfoReport], tolerance: Double, source: @escaping SourceReader) -> Budget {
        var lines = SourceLines(source)
        var bySite: [AllocSiteKey: [Metric: Int64]] = [:]
        for report in reports {
            for e in report.merged().entries where e.calls != 0 || e.bytes != 0 || (e.history?.totalCalls ?? 0) != 0 {
                for metric in Metric.allCases {
                    guard let value = metric.value(of: e) else { continue }
                    bySite[e.site, default: [:]][metric] = max(bySite[e.site]?[metric] ?? 0, value)
                }
            }
        }
        let entries = bySite.keys.sorted().map { site in
            Entry(file: site.file, line: site.line, function: site.function, module: site.module,
                  text: site.isUntagged ? nil : lines.trimmedLine(file: site.file, line: site.line),
                  limits: bySite[site]!)
        }
        return Budget(entries: entries, tolerance: tolerance)
    }

    /// The budget file: one entry per line, keys in a fixed order, final newline.
    public func encoded() -> String {
        let items = entries.map { e in
            var fields: [String] = []
            if let file = e.file { fields.append("\"file\": \(JSONFormat.string(file))") }
            if let line = e.line { fields.append("\"line\": \(line)") }
            if let function = e.function { fields.append("\"function\": \(JSONFormat.string(function))") }
            if let module = e.module { fields.append("\"module\": \(JSONFormat.string(module))") }
            if let text = e.text { fields.append("\"text\": \(JSONFormat.string(text))") }
            for (metric, limit) in e.limits.sorted(by: { $0.key < $1.key }) { fields.append("\"\(metric.rawValue)\": \(limit)") }
            if let tolerance = e.tolerance { fields.append("\"tolerance\": \(tolerance)") }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        var out = "{\n  \"version\": 1,\n"
        if let tolerance { out += "  \"tolerance\": \(tolerance),\n" }
        out += "  \"sites\": [" + (items.isEmpty ? "" : "\n    " + items.joined(separator: ",\n    ") + "\n  ") + "]\n}\n"
        return out
    }
}

/// Source files split into lines, read once each.
struct SourceLines {
    private let read: Budget.SourceReader
    private var cache: [String: [Substring]?] = [:]

    init(_ read: @escaping Budget.SourceReader) { self.read = read }

    mutating func trimmedLine(file: String, line: Int) -> String? {
        if cache[file] == nil {
            cache[file] = .some(read(file).map { $0.split(separator: "\n", omittingEmptySubsequences: false) })
        }
        guard let lines = cache[file]!, line >= 1, line <= lines.count else { return nil }
        return String(lines[line - 1].drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
