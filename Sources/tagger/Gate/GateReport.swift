import TaggerCore

/// The gate's verdict: what to print, the coverage figure and the exit status. Reporters only
/// format it; every decision is made before.
public struct GateReport: Equatable, Sendable {
    /// One reported problem. `severity` is the one printed, already raised by --strict, so that
    /// it always agrees with the exit status: the run fails exactly when an item is an error.
    public struct Item: Equatable, Sendable, Codable {
        public var ruleID: String
        public var severity: Finding.Severity
        public var message: String
        /// Repository-relative path; nil for a verdict on the whole run (coverage).
        public var file: String?
        /// nil when the problem has no line (a baseline entry whose line is gone).
        public var line: Int?
        public var column: Int?
        /// `column` counted in UTF-16 code units, as SARIF wants it (same as `column` on ASCII lines).
        public var utf16Column: Int?
        /// Stable across unrelated edits: rule, file, the line's trimmed text and the
        /// occurrence among equal keys (SARIF `partialFingerprints`).
        public var fingerprint: String

        public init(ruleID: String, severity: Finding.Severity, message: String, file: String?, line: Int?, column: Int?,
                    utf16Column: Int?, fingerprint: String) {
            self.ruleID = ruleID
            self.severity = severity
            self.message = message
            self.file = file
            self.line = line
            self.column = column
            self.utf16Column = utf16Column
            self.fingerprint = fingerprint
        }

        /// `path:line:col: severity: message [rule]`, leaving out the parts it lacks, as compilers do.
        public var compilerStyle: String {
            var place = ""
            if let file {
                place = file
                if let line { place += ":\(line)" + (column.map { ":\($0)" } ?? "") }
                place += ": "
            }
            return "\(place)\(severity.rawValue): \(message) [\(ruleID)]"
        }
    }

    /// What was checked, the first word of the summary line: `check` (the coverage gate) or
    /// `budget` (`tagger allocinfo --budget`).
    public var subject: String
    /// Sorted by file, line, column, rule; whole-run items last.
    public var items: [Item]
    /// nil when the run measured no coverage (budgets): reporters then print none.
    public var coverage: Coverage?
    public var minimumCoverage: Double?
    /// Findings silenced by suppression comments.
    public var suppressed: Int
    /// Findings accepted by the baseline.
    public var baselined: Int
    public var strict: Bool
    /// Everything found that a baseline may accept (suppressed findings and notes left out):
    /// what `--write-baseline` writes.
    public var accepted: Baseline

    public init(subject: String = "check", items: [Item], coverage: Coverage?, minimumCoverage: Double? = nil,
                suppressed: Int = 0, baselined: Int = 0, strict: Bool = false, accepted: Baseline = Baseline(entries: [])) {
        self.subject = subject
        self.items = items
        self.coverage = coverage
        self.minimumCoverage = minimumCoverage
        self.suppressed = suppressed
        self.baselined = baselined
        self.strict = strict
        self.accepted = accepted
    }

    public var failed: Bool { items.contains { $0.severity == .error } }
    public var exitCode: Int32 { failed ? TaggerExit.findings : TaggerExit.clean }

    public func count(_ severity: Finding.Severity) -> Int { items.filter { $0.severity == severity }.count }
}
