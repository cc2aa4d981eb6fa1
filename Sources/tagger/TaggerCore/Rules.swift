/// One kind of finding. Front ends, the gate and every reporter take ids, descriptions and
/// default severities from here, so a rule reads the same in text, SARIF and JUnit output.
///
/// Invariant: `id` never changes once released; baselines, suppression comments and SARIF
/// consumers (code scanning alerts) match on it.
public struct Rule: Hashable, Codable, Sendable {
    public var id: String
    /// One sentence, no trailing period (SARIF `shortDescription`).
    public var shortDescription: String
    public var defaultSeverity: Finding.Severity
    /// What to do about it (SARIF `help.text`).
    public var help: String

    public init(id: String, shortDescription: String, defaultSeverity: Finding.Severity, help: String) {
        self.id = id
        self.shortDescription = shortDescription
        self.defaultSeverity = defaultSeverity
        self.help = help
    }
}

public enum Rules {
    // MARK: Front-end rules

    public static let untaggedSite = Rule(
        id: "untagged-site",
        shortDescription: "Allocation call site without a static tag",
        defaultSeverity: .warning,
        help: "Run `tagger annotate` on the file, or wrap the call yourself: `alloc_hooks(malloc(n))` in C, "
            + "`withAllocTag(&tag) { ... }` in Swift. Until then its bytes are charged to `<untagged>`.")

    public static let noprofHelper = Rule(
        id: "noprof-helper",
        shortDescription: "Allocation helper that should follow the _noprof recipe",
        defaultSeverity: .warning,
        help: "The function hands memory from an allocator to its callers, so every caller's bytes land on one "
            + "line inside it. Rename it `name_noprof`, call the allocators' `_noprof` spellings inside, and add "
            + "`#define name(...) alloc_hooks(name_noprof(__VA_ARGS__))` so each caller is charged (`tagger annotate` does this).")

    public static let indirectAllocator = Rule(
        id: "indirect-allocator",
        shortDescription: "Allocator reached through a function pointer that cannot be tagged",
        defaultSeverity: .warning,
        help: "The callee is not known at compile time. Wrap the call in `alloc_hooks(...)` at this line, "
            + "or tag the pointer's targets with the _noprof recipe.")

    public static let inactiveRegion = Rule(
        id: "inactive-region",
        shortDescription: "Code under an inactive #if was not analysed",
        defaultSeverity: .note,
        help: "Allocation sites in this region are neither counted nor checked with these compile flags. "
            + "Check again with the flags that enable it (`-p BUILD_DIR`, or flags after `--`).")

    public static let unscopedBody = Rule(
        id: "unscoped-body",
        shortDescription: "Body that can allocate but cannot take a scope",
        defaultSeverity: .note,
        help: "`annotate --scopes` gives no scope to coroutine accessors (`_read`, `_modify`), result-builder bodies "
            + "and closures given to task groups; their own implicit allocations are charged to the innermost scope "
            + "current when they run. Move the allocating code into a function of its own to give it a line.")

    public static let parseError = Rule(
        id: "parse-error",
        shortDescription: "Source could not be parsed, so call sites may be missing",
        defaultSeverity: .error,
        help: "Fix the error, or pass the file's real compile flags (`-p BUILD_DIR` with a compile_commands.json, "
            + "or flags after `--`): missing include paths and defines hide call sites.")

    // MARK: Gate rules

    public static let unusedSuppression = Rule(
        id: "unused-suppression",
        shortDescription: "Suppression comment that suppresses nothing",
        defaultSeverity: .warning,
        help: "The finding it was written for is gone (or the rule list is wrong). Delete the comment or the "
            + "rule from its list. Reported only under --strict.")

    public static let invalidSuppression = Rule(
        id: "invalid-suppression",
        shortDescription: "Suppression comment that cannot be understood",
        defaultSeverity: .warning,
        help: "Write `alloc-tag: ignore`, `alloc-tag: ignore-next-line` or `alloc-tag: ignore-file`, optionally "
            + "followed by a rule list such as `(untagged-site, noprof-helper)` naming known rule ids.")

    public static let staleBaselineEntry = Rule(
        id: "stale-baseline-entry",
        shortDescription: "Baselined finding no longer occurs",
        defaultSeverity: .error,
        help: "The code was fixed or changed. Rewrite the baseline with `--write-baseline FILE` so it cannot hide "
            + "a new finding later. Reported only under --strict-baseline.")

    public static let coverageBelowMinimum = Rule(
        id: "coverage-below-minimum",
        shortDescription: "Share of tagged allocation sites below --min-coverage",
        defaultSeverity: .error,
        help: "Tag more sites (`tagger annotate`), or lower --min-coverage.")

    // MARK: Budget rules (`tagger allocinfo --budget`)

    public static let allocBudget = Rule(
        id: "alloc-budget",
        shortDescription: "Allocation site over its budget",
        defaultSeverity: .error,
        help: "The site allocates more (live, in total or at its peak) than its entry in the budget file allows. "
            + "Fix the regression, or raise the entry's limit (`--write-budget FILE` records the current counts).")

    public static let unmatchedBudgetEntry = Rule(
        id: "unmatched-budget-entry",
        shortDescription: "Budget entry that selects no site of the report",
        defaultSeverity: .error,
        help: "The site is gone, was renamed, or the entry's file, function or text is wrong. Fix or delete the "
            + "entry, or rewrite the budget with `--write-budget FILE`.")

    /// Every rule, in the order reporters list them (SARIF `rules[]` indices follow it).
    public static let all: [Rule] = [
        untaggedSite, noprofHelper, indirectAllocator, inactiveRegion, parseError,
        unusedSuppression, invalidSuppression, staleBaselineEntry, coverageBelowMinimum,
        allocBudget, unmatchedBudgetEntry, unscopedBody,
    ]

    public static func rule(id: String) -> Rule? { all.first { $0.id == id } }
}

extension Finding {
    /// A finding of `rule` at its default severity.
    public init(rule: Rule, message: String, location: SourceLocation) {
        self.init(ruleID: rule.id, severity: rule.defaultSeverity, message: message, location: location)
    }
}
