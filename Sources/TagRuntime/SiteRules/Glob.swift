/// The one glob of the project: whole-string match, `*` any run of characters (also none),
/// `?` exactly one; every other character matches itself. Used by suppression comments
/// (rule ids), report filters (the tagger's and the runtime's, through `SiteFilter`), budgets
/// and anything else that takes a pattern, so a pattern means the same everywhere. Backtracks to the last `*` only: at worst
/// pattern × text steps, never exponential on hostile patterns.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, starP = -1, starT = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                starP = pi
                starT = ti
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starT += 1
                ti = starT
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Whether `text` holds a glob metacharacter (so a caller can tell a pattern from a name).
    public static func isPattern(_ text: String) -> Bool { text.contains("*") || text.contains("?") }
}
