import AllocSiteRules
import CoreMetrics
import Synchronization
import TagRuntime

/// Publishes this process's allocation profile through swift-metrics, so a server that already
/// exports metrics (Prometheus, StatsD, OpenTelemetry...) gets per-site live bytes and counts.
///
/// Gauges (labels are fixed; `prefix` defaults to `alloctag`):
/// - `<prefix>_live_bytes` and `<prefix>_live_allocations`, dimensions `module` ("" for the main
///   executable), `file`, `line`, `function`: the `top` sites by live bytes;
/// - `<prefix>_allocated_bytes` and `<prefix>_allocations` (cumulative: every allocation ever
///   made at the site, so a dashboard's `rate()` gives allocations per second) and
///   `<prefix>_peak_bytes` (the site's highest live bytes), same dimensions, same sites;
/// - `<prefix>_total_live_bytes` and `<prefix>_total_live_allocations`: sums over every site;
/// - `<prefix>_total_allocated_bytes`, `<prefix>_total_allocations`: cumulative sums over every
///   site; `<prefix>_total_peak_bytes`: the process's live bytes at their highest (sampled);
/// - `<prefix>_sites`: the number of sites in the report.
///
/// Invariant: after `update`, exactly the current top sites have per-site gauges; a site that
/// left the top N has its gauges destroyed (not left at a stale value), which keeps the number
/// of series bounded by `top`. Nothing is sampled in the background: call `update()` when the
/// metrics are scraped or on a timer of your own ("refreshed on demand").
public final class AllocTagMetrics: Sendable {
    public let top: Int
    public let prefix: String
    private let factory: any MetricsFactory

    private struct Site: Hashable {
        var module: String, file: String, line: Int, function: String
        var dimensions: [(String, String)] {
            [("module", module), ("file", file), ("line", String(line)), ("function", function)]
        }
    }

    /// One site's values and gauges, in the order of `names`.
    private static let names = ["live_bytes", "live_allocations", "allocated_bytes", "allocations", "peak_bytes"]

    private struct State: ~Copyable {
        var sites: [Site: [Gauge]] = [:]
    }

    private let state = Mutex(State())
    private let totalBytes: Gauge, totalCalls: Gauge, siteCount: Gauge
    private let allocatedBytes: Gauge, allocations: Gauge, peakBytes: Gauge

    public init(top: Int = 20, prefix: String = "alloctag", factory: any MetricsFactory = MetricsSystem.factory) {
        self.top = max(0, top)
        self.prefix = prefix
        self.factory = factory
        totalBytes = Gauge(label: "\(prefix)_total_live_bytes", factory: factory)
        totalCalls = Gauge(label: "\(prefix)_total_live_allocations", factory: factory)
        siteCount = Gauge(label: "\(prefix)_sites", factory: factory)
        allocatedBytes = Gauge(label: "\(prefix)_total_allocated_bytes", factory: factory)
        allocations = Gauge(label: "\(prefix)_total_allocations", factory: factory)
        peakBytes = Gauge(label: "\(prefix)_total_peak_bytes", factory: factory)
    }

    /// Takes the report of this process now and publishes it.
    public func update() {
        let report = AllocProfiling.report()
        update(entries: report.entries, peakBytes: report.peakBytes)
    }

    /// Publishes `entries` (a report's lines; duplicates of one site are summed) and the
    /// process's peak (nil: the sum of the sites' `bytesAtPeak`).
    public func update(entries: [AllocationEntry], peakBytes peak: Int64? = nil) {
        var sums: [Site: [Int64]] = [:]
        for e in entries {
            let site = Site(module: e.module ?? "", file: e.file, line: e.line, function: e.function)
            let old = sums[site] ?? [0, 0, 0, 0, 0]
            sums[site] = zip(old, [e.bytes, e.calls, e.totalBytes, e.totalCalls, e.peakBytes]).map { $0 + $1 }
        }
        // `tagger allocinfo --sort bytes --top N`'s order (SiteRanking), so both name the same sites.
        let ranked = sums.sorted { a, b in
            SiteRanking.precedes(key: a.value[0], other: a.value[1], b.value[0], b.value[1])
                ?? SiteRanking.siteOrder((a.key.module, a.key.file, a.key.line, a.key.function), (b.key.module, b.key.file, b.key.line, b.key.function))
        }.prefix(top)

        state.withLock { state in
            let keep = Set(ranked.map(\.key))
            for (site, gauges) in state.sites where !keep.contains(site) {
                for gauge in gauges { gauge.destroy() }
                state.sites[site] = nil
            }
            for (site, values) in ranked {
                let gauges = state.sites[site] ?? Self.names.map {
                    Gauge(label: "\(prefix)_\($0)", dimensions: site.dimensions, factory: factory)
                }
                state.sites[site] = gauges
                for (gauge, value) in zip(gauges, values) { gauge.record(value) }
            }
            totalBytes.record(entries.reduce(0) { $0 + $1.bytes })
            totalCalls.record(entries.reduce(0) { $0 + $1.calls })
            allocatedBytes.record(entries.reduce(0) { $0 + $1.totalBytes })
            allocations.record(entries.reduce(0) { $0 + $1.totalCalls })
            peakBytes.record(peak ?? entries.reduce(0) { $0 + $1.bytesAtPeak })
            siteCount.record(sums.count)
        }
    }
}
