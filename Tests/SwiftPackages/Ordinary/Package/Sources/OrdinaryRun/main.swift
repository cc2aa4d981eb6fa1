import Ordinary
#if canImport(TagRuntime)
import TagRuntime
#endif

// Runs the package's code and keeps what it made live, then prints the report (with alloctag)
// and the facts the test derives exact sizes from.

/// Everything the run keeps.
struct Kept {
    var polygons: [Polygon] = []
    var summaries: [String] = []
    var xs: [[Double]] = []
    var squares: [Int] = []
    var inventory = Inventory()
    var labels: [String] = []
    var parity: [Bool: Int] = [:]
    var notifier = Notifier()
    var journal: Journal?
    var records: [Record] = []
    var batch: [Record] = []
    var numbers: [Int] = []
    var churn: [[UInt8]] = []
    var grids = 0
}

func buildShapes(_ kept: inout Kept) {
    kept.polygons.reserveCapacity(200)
    for i in 0..<200 {
        let polygon = Polygon(name: "polygon number \(i + 10000)", title: "first title of \(i + 10000)")
        polygon.addVertices(100)
        kept.polygons.append(polygon)
    }
    // Observers: three renames each on the first 50.
    for polygon in kept.polygons.prefix(50) {
        for r in 0..<3 {
            polygon.title = "renamed number \(r + 10000)"
        }
    }
    kept.summaries = kept.polygons.map { $0.summary }
    kept.xs = kept.polygons.prefix(10).map { $0.xs() }
    kept.grids = kept.polygons.prefix(20).reduce(0) { $0 + $1.grid.count }
    fill(&kept.squares, count: 500) { $0 * $0 }
    // 20 polygons dropped: their deinit leaves an obituary each.
    Polygon.obituaries.reserveCapacity(20)
    for i in 0..<20 {
        let doomed = Polygon(name: "doomed polygon \(i + 10000)", title: "never seen")
        doomed.addVertices(1)
    }
}

func buildInventory(_ kept: inout Kept) throws {
    kept.inventory.receive(kinds: 4000)
    for i in 0..<100 {
        _ = try kept.inventory.take("k\(i + 10000)")
    }
    do {
        _ = try kept.inventory.take("nothing")
    } catch {
    }
    kept.labels = kept.inventory.labels()
    kept.parity = kept.inventory.countsByParity()
    kept.notifier.register(1000)
}

/// One pass of the workload, everything it made kept.
func runOnce() async throws -> Kept {
    var kept = Kept()
    buildShapes(&kept)
    try buildInventory(&kept)
    let churn = backgroundChurn(tasks: 200, rounds: 4)
    let loader = Loader(journal: Journal(expecting: 450))
    kept.journal = loader.journal
    kept.records = await loader.loadAll(400)
    kept.batch = await loader.startBatch(1000..<1050).value
    kept.numbers = await loader.startNumbers(300).value
    kept.churn = await churn.value
    return kept
}

// Two passes, dropped, with counting off, so that what the Swift and dispatch runtimes
// allocate once and keep (generic metadata and conformance caches, dispatch's continuations)
// is allocated before the pass that is measured and charged to no site: such a cache frees
// its old blocks at some later write, which would otherwise take bytes off whichever site
// first grew it. Each pass is followed by a report, whose first use writes to those caches.
#if canImport(TagRuntime)
try AllocProfiling.setEnabled(false)
#endif
for _ in 0..<2 {
    _ = try await runOnce()
    Polygon.obituaries.removeAll()
    #if canImport(TagRuntime)
    _ = AllocProfiling.report()
    #endif
}
#if canImport(TagRuntime)
try AllocProfiling.setEnabled(true)
#endif
// A finished task is released (with the result it holds) by the thread that ran its last
// job, which may still be at it when its waiter has resumed: a pause lets those threads finish
// before each snapshot, so no task of one pass is counted in another.
try await Task.sleep(nanoseconds: 300_000_000)
#if canImport(TagRuntime)
let before = AllocProfiling.report()
#endif
let kept = try await runOnce()
try await Task.sleep(nanoseconds: 300_000_000)
print("facts grids \(kept.grids) handlers \(kept.notifier.handlers.count) records \(kept.records.count) labels \(kept.labels.count) keys \(kept.inventory.stock.count) obituaries \(Polygon.obituaries.count)")
#if canImport(TagRuntime)
// The measured pass per site, "delta BYTES CALLS file:line func:name", then the whole report.
let after = AllocProfiling.report()
for entry in after.entries {
    let old = before.entries.first { $0.file == entry.file && $0.line == entry.line && $0.function == entry.function }
    print("delta \(entry.bytes - (old?.bytes ?? 0)) \(entry.calls - (old?.calls ?? 0)) \(entry.file):\(entry.line) func:\(entry.function)")
}
print(after.text, terminator: "")
#endif
withExtendedLifetime(kept) {}
