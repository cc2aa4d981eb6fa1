import CoreMetrics
import Synchronization
import TagRuntime

/// Publishes this process's allocation profile through swift-metrics, so a server that already
/// exports metrics (Prometheus, StatsD, OpenTelemetry...) gets per-site live bytes and counts.
///
/// Gauges (labels are fixed; `prefix` defaults to `alloctag`):
/// - `<prefix>_live_bytes` and `<prefix>_live_allocations`, dimensions `module` ("" for the main
///   executable), `file`, `line`, `function`: the `top` sites by live bytes;
/// - `<prefix>_total_live_bytes` and `<prefix>_total_live_allocations`: sums over every site;
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

    private struct State: ~Copyable {
        var sites: [Site: (bytes: Gauge, calls: Gauge)] = [:]
    }

    private let state = Mutex(State())
    private let totalBytes: Gauge, totalCalls: Gauge, siteCount: Gauge

    public init(top: Int = 20, prefix: String = "alloctag", factory: any MetricsFactory = MetricsSystem.factory) {
        self.top = max(0, top)
        self.prefix = prefix
        self.factory = factory
        totalBytes = Gauge(label: "\(prefix)_total_live_bytes", factory: factory)
        totalCalls = Gauge(label: "\(prefix)_total_live_allocations", factory: factory)
        siteCount = Gauge(label: "\(prefix)_sites", factory: factory)
    }

    /// Takes the report of this process now and publishes it.
    public func update() {
        update(entries: AllocProfiling.report().entries)
    }

    /// Publishes `entries` (a report's lines; duplicates of one site are summed).
    public func update(entries: [AllocationEntry]) {
        var sums: [Site: (bytes: Int64, calls: Int64)] = [:]
        for e in entries {
            let site = Site(module: e.module ?? "", file: e.file, line: e.line, function: e.function)
            let old = sums[site] ?? (0, 0)
            sums[site] = (old.bytes + e.bytes, old.calls + e.calls)
        }
        let ranked = sums.sorted { a, b in
            if a.value.bytes != b.value.bytes { return a.value.bytes > b.value.bytes }
            if a.value.calls != b.value.calls { return a.value.calls > b.value.calls }
            return (a.key.module, a.key.file, a.key.line, a.key.function) < (b.key.module, b.key.file, b.key.line, b.key.function)
        }.prefix(top)

        state.withLock { state in
            let keep = Set(ranked.map(\.key))
            for (site, gauges) in state.sites where !keep.contains(site) {
                gauges.bytes.destroy()
                gauges.calls.destroy()
                state.sites[site] = nil
            }
            for (site, value) in ranked {
                let gauges = state.sites[site] ?? (
                    Gauge(label: "\(prefix)_live_bytes", dimensions: site.dimensions, factory: factory),
                    Gauge(label: "\(prefix)_live_allocations", dimensions: site.dimensions, factory: factory))
                state.sites[site] = gauges
                gauges.bytes.record(value.bytes)
                gauges.calls.record(value.calls)
            }
            totalBytes.record(entries.reduce(0) { $0 + $1.bytes })
            totalCalls.record(entries.reduce(0) { $0 + $1.calls })
            siteCount.record(sums.count)
        }
    }
}
