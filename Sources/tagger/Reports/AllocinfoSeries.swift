/// Several snapshots of one process, oldest first, lined up per site.
///
/// Invariant: every row has one value per snapshot (0 where the site was absent); rows are
/// ordered by the last snapshot's bytes (or calls), largest first, then by site.
public struct AllocinfoSeries: Hashable, Sendable, SiteRowTable {
    public struct Row: Hashable, Sendable {
        public var site: AllocSiteKey
        public var bytes: [Int64]
        public var calls: [Int64]
        /// False when any snapshot marked the site ` accurate:no`.
        public var accurate: Bool
        /// Per snapshot, from extended reports: cumulative bytes and allocations and the site's
        /// peak; nil where the snapshot was a v2.0 report or the site was absent.
        public var totalBytes: [Int64?]
        public var totalCalls: [Int64?]
        public var peakBytes: [Int64?]
        /// The Swift class types of the last snapshot; nil when not known there (not an extended
        /// report) or the site was absent from it.
        public var lastTypes: [AllocinfoTypeCount]?

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
                let none = [Int64?](repeating: nil, count: n)
                var row = rowsBySite[e.site]
                    ?? Row(site: e.site, bytes: Array(repeating: 0, count: n), calls: Array(repeating: 0, count: n), accurate: true,
                           totalBytes: none, totalCalls: none, peakBytes: none, lastTypes: nil)
                row.bytes[i] = e.bytes
                row.calls[i] = e.calls
                row.totalBytes[i] = e.history?.totalBytes
                row.totalCalls[i] = e.history?.totalCalls
                row.peakBytes[i] = e.history?.peakBytes
                row.accurate = row.accurate && e.accurate
                if i == n - 1 { row.lastTypes = e.types }
                rowsBySite[e.site] = row
            }
        }
        rows = Array(rowsBySite.values)
        sort(by: .bytes)
    }

    /// Sorting and filtering look at the last snapshot.
    public static func measure(_ row: Row) -> (site: AllocSiteKey, bytes: Int64, calls: Int64, accurate: Bool) {
        (row.site, row.lastBytes, row.lastCalls, row.accurate)
    }

    /// Sum over the rows shown, per snapshot.
    public var totalBytes: [Int64] { snapshots.indices.map { i in rows.reduce(0) { $0 &+ $1.bytes[i] } } }
    public var totalCalls: [Int64] { snapshots.indices.map { i in rows.reduce(0) { $0 &+ $1.calls[i] } } }
}
