import TaggerCore

/// One suppression comment: which lines it covers and which rules it silences.
///
/// Spellings (in `//` and `/* */` comments, C and Swift):
///   `alloc-tag: ignore`            the comment's own line
///   `alloc-tag: ignore-next-line`  the line after the comment
///   `alloc-tag: ignore-file`       the whole file, wherever it stands
/// each optionally followed by `(rule-id, …)`; without a list every rule is silenced.
/// In C also clang-tidy's `NOLINT` / `NOLINTNEXTLINE`, optionally with `(check, …)`; there a
/// check is ours when it names a rule id, with or without an `alloc-tag-` prefix, and may be
/// a `*` glob as in clang-tidy. Checks that are not ours are clang-tidy's business.
struct Suppression {
    enum Scope: Equatable {
        case line(Int)
        case file
    }

    struct Entry {
        /// As written: a rule id, or a NOLINT glob.
        var pattern: String
        var used = false

        func matches(_ ruleID: String) -> Bool {
            Glob.matches(pattern, ruleID) || Glob.matches(pattern, "alloc-tag-" + ruleID)
        }
    }

    var scope: Scope
    /// nil: every rule.
    var entries: [Entry]?
    /// The directive as written, for messages (`alloc-tag: ignore(untagged-site)`, `NOLINT`).
    var spelling: String
    var location: SourceLocation
    /// A bare `NOLINT` is usually there for clang-tidy, so it is never reported as unused.
    var reportsUnused: Bool
    var used = false

    /// Applies the suppression to a finding; records the use.
    mutating func suppresses(ruleID: String, line: Int) -> Bool {
        if case .line(let covered) = scope, covered != line { return false }
        guard var list = entries else {
            used = true
            return true
        }
        var hit = false
        for i in list.indices where list[i].matches(ruleID) {
            list[i].used = true
            hit = true
        }
        entries = list
        if hit { used = true }
        return hit
    }

    /// unused-suppression findings: the whole directive, or each rule in its list that
    /// silenced nothing.
    func unusedFindings() -> [Finding] {
        guard reportsUnused else { return [] }
        let place: String
        switch scope {
        case .file: place = "in this file"
        case .line(let line): place = line == location.line ? "on this line" : "on line \(line)"
        }
        guard let list = entries, used else {
            return used ? [] : [Finding(rule: Rules.unusedSuppression,
                                        message: "'\(spelling)' suppresses nothing \(place)", location: location)]
        }
        return list.filter { !$0.used }.map {
            Finding(rule: Rules.unusedSuppression,
                    message: "rule '\($0.pattern)' in '\(spelling)' suppresses nothing \(place)", location: location)
        }
    }
}
