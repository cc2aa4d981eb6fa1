/// A table with one row per call site, ordered, filtered and cut by one measure of each row:
/// a diff's growth, a series' last snapshot.
public protocol SiteRowTable {
    associatedtype Row
    var rows: [Row] { get set }
    /// The row's site, and the bytes, calls and accuracy that sorting and filtering look at.
    static func measure(_ row: Row) -> (site: AllocSiteKey, bytes: Int64, calls: Int64, accurate: Bool)
}

extension SiteRowTable {
    /// Reorders by `key` (then by the other count, then by site), largest first.
    public mutating func sort(by key: ReportSort) {
        rows.sort { x, y in
            let (mx, my) = (Self.measure(x), Self.measure(y))
            return key.precedes(bytes: mx.bytes, calls: mx.calls, my.bytes, my.calls) ?? (mx.site < my.site)
        }
    }

    /// Keeps the rows whose site matches; size bounds apply to the measured bytes.
    public func filtered(_ filter: ReportFilter) -> Self {
        var copy = self
        copy.rows = rows.filter { row in
            let m = Self.measure(row)
            return filter.matches(m.site, bytes: m.bytes, accurate: m.accurate)
        }
        return copy
    }

    public func prefix(_ n: Int) -> Self {
        var copy = self
        copy.rows = Array(rows.prefix(max(0, n)))
        return copy
    }
}
