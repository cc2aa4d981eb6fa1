/// The one order of ranked sites: the report's `--sort`/`--top`, diffs, series, and the
/// metrics' top N all rank with it, so "the top 10" names the same sites everywhere.
public enum SiteRanking {
    /// Whether x ranks before y: the larger `key` first, then the larger `other`; nil when both
    /// are equal (the caller then orders by `siteOrder`, so the result is deterministic).
    public static func precedes(key xKey: Int64, other xOther: Int64, _ yKey: Int64, _ yOther: Int64) -> Bool? {
        if xKey != yKey { return xKey > yKey }
        if xOther != yOther { return xOther > yOther }
        return nil
    }

    /// The tie-break: module ("" for the main executable), file, line, function, ascending.
    public static func siteOrder(_ a: (module: String?, file: String, line: Int, function: String),
                                 _ b: (module: String?, file: String, line: Int, function: String)) -> Bool {
        if (a.module ?? "") != (b.module ?? "") { return (a.module ?? "") < (b.module ?? "") }
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return a.line < b.line }
        return a.function < b.function
    }
}
