/// What grew and shrank per site between two reports: the leak-hunting view (jeprof `--base`).
///
/// Invariant: `rows` holds each site of either report whose bytes or calls changed, once,
/// ordered by growth in bytes (largest first, so the biggest shrink is last), then by growth
/// in calls, then by site.
public struct AllocinfoDiff: Hashable, Sendable, SiteRowTable {
    public struct Row: Hashable, Sendable {
        public var site: AllocSiteKey
        public var oldBytes: Int64
        public var oldCalls: Int64
        public var newBytes: Int64
        public var newCalls: Int64
        /// False when either report marked the site ` accurate:no`.
        public var accurate: Bool
        /// The site is missing from the old report (it appeared) / from the new one (it went).
        public var isNew: Bool
        public var isGone: Bool

        public var deltaBytes: Int64 { newBytes &- oldBytes }
        public var deltaCalls: Int64 { newCalls &- oldCalls }
    }

    public var oldSource: String
    public var newSource: String
    public var rows: [Row]

    public init(old: AllocinfoReport, new: AllocinfoReport) {
        oldSource = old.source
        newSource = new.source
        let before = old.merged().entries, after = new.merged().entries
        var rowsBySite: [AllocSiteKey: Row] = [:]
        for e in before {
            rowsBySite[e.site] = Row(site: e.site, oldBytes: e.bytes, oldCalls: e.calls, newBytes: 0, newCalls: 0,
                                     accurate: e.accurate, isNew: false, isGone: true)
        }
        for e in after {
            if var row = rowsBySite[e.site] {
                row.newBytes = e.bytes
                row.newCalls = e.calls
                row.accurate = row.accurate && e.accurate
                row.isGone = false
                rowsBySite[e.site] = row
            } else {
                rowsBySite[e.site] = Row(site: e.site, oldBytes: 0, oldCalls: 0, newBytes: e.bytes, newCalls: e.calls,
                                         accurate: e.accurate, isNew: true, isGone: false)
            }
        }
        rows = rowsBySite.values.filter { $0.deltaBytes != 0 || $0.deltaCalls != 0 }
        sort(by: .bytes)
    }

    /// Sorting and filtering look at the growth.
    public static func measure(_ row: Row) -> (site: AllocSiteKey, bytes: Int64, calls: Int64, accurate: Bool) {
        (row.site, row.deltaBytes, row.deltaCalls, row.accurate)
    }

    public var totalDeltaBytes: Int64 { rows.reduce(0) { $0 &+ $1.deltaBytes } }
    public var totalDeltaCalls: Int64 { rows.reduce(0) { $0 &+ $1.deltaCalls } }

    /// The growth as a report (bytes and calls are deltas), for pprof, folded and HTML output;
    /// pprof readers treat negative values the way `go tool pprof -diff_base` does.
    public var deltaReport: AllocinfoReport {
        AllocinfoReport(
            entries: rows.map { AllocinfoEntry(site: $0.site, bytes: $0.deltaBytes, calls: $0.deltaCalls, accurate: $0.accurate) },
            source: "\(oldSource) -> \(newSource)")
    }

    /// Text view. Columns: growth in bytes and calls (`%+12lli %+9lli`), old and new bytes
    /// (`%12lli`), then the tag info with ` accurate:no`, ` (new)` or ` (gone)` appended; a last
    /// `#` line gives the totals of the rows shown.
    public var text: String {
        var out = "alloctag diff - version: 1.0\n# old: \(oldSource)\n# new: \(newSource)\n"
        out += "#     <growth>   <calls>   <old size>   <new size> <tag info>\n"
        for row in rows {
            var line = pad(signed(row.deltaBytes), 14) + " " + pad(signed(row.deltaCalls), 9) + " "
                + pad(String(row.oldBytes), 12) + " " + pad(String(row.newBytes), 12) + " " + row.site.tagInfo
            if !row.accurate { line += " accurate:no" }
            if row.isNew { line += " (new)" }
            if row.isGone { line += " (gone)" }
            out += line + "\n"
        }
        out += "#" + pad(signed(totalDeltaBytes), 13) + " " + pad(signed(totalDeltaCalls), 9) + " total of \(rows.count) changed site"
            + (rows.count == 1 ? "" : "s") + "\n"
        return out
    }
}
