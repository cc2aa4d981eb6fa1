import TagRuntime
#if canImport(Glibc)
import Glibc
#endif

// `tagruntime-swift-probe --types`: class instances of known types at known sites, kept live
// until exit, for Tests/SwiftTypes/run.sh to check the extended report's "+ type" lines (and
// tagger's JSON and HTML of it) with exact numbers. Instance sizes: 16 bytes of object header
// plus the stored properties.

final class TypesA { var x = 0 }                          // 24 bytes
final class TypesB { var x = 0, y = 0 }                   // 32 bytes
final class TypesBox<T> { var value: T; init(_ value: T) { self.value = value } }  // 16 + T

@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var typesATag: AllocTagRecord = (0x3147_4154, 1, 101, 0,
    { nil }, { StaticString("probe.typesA").utf8Start }, { StaticString("Types.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var typesBTag: AllocTagRecord = (0x3147_4154, 1, 102, 0,
    { nil }, { StaticString("probe.typesB").utf8Start }, { StaticString("Types.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var typesManyTag: AllocTagRecord = (0x3147_4154, 1, 103, 0,
    { nil }, { StaticString("probe.typesMany").utf8Start }, { StaticString("Types.swift").utf8Start })

@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var typesThreadsTag: AllocTagRecord = (0x3147_4154, 1, 104, 0,
    { nil }, { StaticString("probe.typesThreads").utf8Start }, { StaticString("Types.swift").utf8Start })

nonisolated(unsafe) var typesKept: [AnyObject] = []
/// What the threads of the scenario keep: one slot per thread, filled by that thread only.
nonisolated(unsafe) var threadKept: [[TypesB]] = Array(repeating: [], count: 4)

/// One instance under `tag`, kept; the array's storage is reserved beforehand, outside every
/// tag, so the sites allocate nothing but the instances.
@inline(never) func keepOne(_ tag: UnsafeMutableRawPointer, _ make: () -> AnyObject) {
    let object = withAllocTag(tag) { make() }
    typesKept.append(object)
}

func runTypesScenario() {
    typesKept.reserveCapacity(100)
    for _ in 0..<37 { keepOne(&typesATag) { TypesA() } }
    // Site B: two types, B first seen, Box<Int> more often (listed first: most instances).
    for i in 0..<23 { keepOne(&typesBTag) { TypesB() }; keepOne(&typesBTag) { TypesBox<Int>(i) } }
    for i in 0..<6 { keepOne(&typesBTag) { TypesBox<Int>(i) } }
    // Ten types at one site: the first eight are named, the last two (one instance each, 32
    // and 24 bytes) are the site's "<other types>".
    keepOne(&typesManyTag) { TypesBox<Int8>(1) }
    keepOne(&typesManyTag) { TypesBox<Int16>(1) }
    keepOne(&typesManyTag) { TypesBox<Int32>(1) }
    keepOne(&typesManyTag) { TypesBox<Int64>(1) }
    keepOne(&typesManyTag) { TypesBox<UInt8>(1) }
    keepOne(&typesManyTag) { TypesBox<UInt16>(1) }
    keepOne(&typesManyTag) { TypesBox<UInt32>(1) }
    keepOne(&typesManyTag) { TypesBox<UInt64>(1) }
    keepOne(&typesManyTag) { TypesBox<String>("x") }
    keepOne(&typesManyTag) { TypesBox<Double>(1) }
    // Four threads, 25 TypesB each at one site, then they exit: their counts are folded into
    // the exited threads' total before the report is written (100 instances, 3200 bytes).
    var threads: [pthread_t] = []
    for t in 0..<4 {
        threadKept[t].reserveCapacity(25)
        var thread = pthread_t()
        pthread_create(&thread, nil, { arg in
            let t = Int(bitPattern: arg)
            for _ in 0..<25 { threadKept[t].append(withAllocTag(&typesThreadsTag) { TypesB() }) }
            return nil
        }, UnsafeMutableRawPointer(bitPattern: t))
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
    print("types probe: \(typesKept.count + threadKept.reduce(0) { $0 + $1.count }) instances kept")
}

// `tagruntime-swift-probe --types-cost`: what recording types costs, in a release build run
// once per ALLOCTAG_SWIFT_TYPES value, 0 (swift_allocObject only forwards) and 1 (the setting is
// read once per process; Tests/SwiftTypes/cost.sh interleaves the runs): a retain/release loop (one strong store of a shared object per
// iteration: a retain of it and a release of the previous value) and an allocation loop (one
// TypesA allocated under a tag and freed per iteration), best of five rounds each.
nonisolated(unsafe) var costSink: TypesA? = nil
@inline(never) func storeShared(_ object: TypesA) { costSink = object }
@inline(never) func allocateOne() { costSink = withAllocTag(&typesATag) { TypesA() } }

func measureTypesCost() {
    let objects = (0..<16).map { _ in TypesA() }
    func best(_ n: Int, _ body: (Int) -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let start = nanoseconds()
            for i in 0..<n { body(i) }
            best = min(best, (nanoseconds() - start) / Double(n))
        }
        return best
    }
    // TYPES_COST_DIVISOR=N runs 1/N of the iterations (for callgrind).
    let divisor = max(1, Int(getenv("TYPES_COST_DIVISOR").map { String(cString: $0) } ?? "1") ?? 1)
    let retainRelease = best(20_000_000 / divisor) { storeShared(objects[$0 & 15]) }
    let allocation = best(5_000_000 / divisor) { _ in allocateOne() }
    let setting = getenv("ALLOCTAG_SWIFT_TYPES").map { String(cString: $0) } ?? "default"
    print("types cost (ALLOCTAG_SWIFT_TYPES=\(setting)): retain+release \(retainRelease) ns, allocation+free \(allocation) ns")
}
