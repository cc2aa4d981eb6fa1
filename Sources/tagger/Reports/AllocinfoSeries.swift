/// Several snapshots of one process, oldest first, lined up per site.
///
/// Invariant: every row has one value per snapshot (0 where the site was absent); rows are
/// ordered by the last snapshot's bytes (or calls), largest first, then by site.
public struct AllocinfoSeries: Hashable, Sendable {
    public struct Row: Hashable, Sendable {
        public var site: AllocSiteKey
        public var bytes: [Int64]
        public var calls: [Int64]
        /// False when any snapshot marked the site ` accurate:no`.
        public var accurate: Bool

        public var lastBytes: Int64 { bytes.last ?? 0 }
        public var lastCalls: Int64 { calls.last ?? 0 }
        /// Last minus first snapshot.
        public var growthBytes: Int64 { (bytes.last ?? 0) &- (bytes.first ?? 0) }
        public var growthCalls: Int64 { (calls.last ?? 0) &- (calls.first ?? 0) }
    }

    public var snapshots: [String]
    public var rows: [Row]

    public init(_ reports: [AllocinfoReport]) {
        snapshots = reports.map(\.source)
        var rowsBySite: [AllocSiteKey: Row] = [:]
        let n = reports.count
        for (i, report) in reports.enumerated() {
            for e in report.merged().entries {
                var row = rowsBySite[e.site]
                    ?? Row(site: e.site, bytes: Array(repeating: 0, count: n), calls: Array(repeating: 0, count: n), accurate: true)
                row.bytes[i] = e.bytes
                row.calls[i] = e.calls
                row.accurate = row.accurate && e.accurate
                rowsBySite[e.site] = row
            }
        }
        rows = Array(rowsBySite.values)
        sort(by: .bytes)
    }

    public mutating func sort(by key: ReportSort) {
        rows.sort { x, y in
            key.precedes(bytes: x.lastBytes, calls: x.lastCalls, y.lastBytes, y.lastCalls) ?? (x.site < y.site)
        }
    }

    /// Keeps rows whose site matches; size bounds apply to the last snapshot's bytes.
    public func filtered(_ filter: ReportFilter) -> AllocinfoSeries {
        var copy = self
        copy.rows = rows.filter { filter.matches($0.site, bytes: $0.lastBytes, accurate: $0.accurate) }
        return copy
    }

    public func prefix(_ n: Int) -> AllocinfoSeries {
        var copy = self
        copy.rows = Array(rows.prefix(max(0, n)))
        return copy
    }

    /// Sum over the rows shown, per snapshot.
    public var totalBytes: [Int64] { snapshots.indices.map { i in rows.reduce(0) { $0 &+ $1.bytes[i] } } }
    public var totalCalls: [Int64] { snapshots.indices.map { i in rows.reduce(0) { $0 &+ $1.calls[i] } } }
}
