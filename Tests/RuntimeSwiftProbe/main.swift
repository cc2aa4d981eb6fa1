import TagRuntime
#if canImport(Glibc)
import Glibc
#endif

// Self-checking scenarios of the Swift API. Built and run in debug and in release by
// Tests/run-all: the optimizer was once seen deleting thread-local stores around
// allocations, so every scenario must hold in both.

final class Box {
    var a = 1
    var b = 2
}

/// Keeps values observable so the optimizer cannot delete their allocations.
nonisolated(unsafe) var keep: [Any] = []

if CommandLine.arguments.dropFirst().first == "--scope-cost" {
    measureScopeCost()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "--types-cost" {
    measureTypesCost()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "--types" {
    runTypesScenario()
    if CommandLine.arguments.dropFirst(2).first == "--serve" {
        // Live inspection serves the same report until standard input closes.
        try AllocProfiling.startInspection()
        print("ready")
        fflush(nil)  // every stream: stdout itself is not concurrency-safe to name
        while readLine() != nil {}
    }
    exit(0)
}

nonisolated(unsafe) var passed = 0
nonisolated(unsafe) var failed = 0

func entry(_ function: String) -> AllocationEntry? {
    AllocProfiling.report().entries.first { $0.function == function }
}

func expect(_ name: String, _ function: String, bytes: Int64, calls: Int64,
            file: StaticString = #file, line: UInt = #line) {
    guard let e = entry(function) else {
        print("FAIL \(name): no report entry for \(function)")
        failed += 1
        return
    }
    if e.bytes == bytes && e.calls == calls {
        passed += 1
    } else {
        print("FAIL \(name): \(function) has \(e.bytes) bytes in \(e.calls) calls, expected \(bytes) in \(calls)")
        failed += 1
    }
}

func check(_ name: String, _ condition: Bool, _ detail: @autoclosure () -> String = "") {
    if condition { passed += 1 } else { print("FAIL \(name) \(detail())"); failed += 1 }
}

// Builders live in functions so locals are gone when they return (debug builds keep a
// local alive to the end of its scope); each runs once untagged first so the Swift
// runtime's one-time metadata allocations are not charged to the scenario's tag.
@inline(never) func makeBoxes() -> [Box] { (0..<10).map { _ in Box() } }
@inline(never) func makeArray() -> [Int] { [Int](repeating: 7, count: 100) }
@inline(never) func makeString() -> String { String(repeating: "x", count: 200) }

// Body scopes (what `tagger annotate --scopes` inserts): every implicit allocation of the
// body is charged to the scope, an explicit site inside still wins, and the scope ends on
// every exit (a throw included), leaving no tag current behind it.
struct ScopeFailure: Error {}
@inline(never) func scopedBoxes() -> [Box] {
    let __allocScope = AllocTagScope(&scopeTag); defer { __allocScope.end() }
    return (0..<10).map { _ in Box() }
}
@inline(never) func scopedWithSite(fail: Bool) throws -> ([Box], [Int]) {
    let __allocScope = AllocTagScope(&scopeTag); defer { __allocScope.end() }
    let inner = withAllocTag(&scopeSiteTag) { makeArray() }
    if fail { throw ScopeFailure() }
    return (makeBoxes(), inner)
}
/// What `body` changed in a site's live bytes and calls.
func delta(_ function: String, _ body: () throws -> Void) rethrows -> (bytes: Int64, calls: Int64) {
    let before = entry(function).map { ($0.bytes, $0.calls) } ?? (0, 0)
    try body()
    let after = entry(function).map { ($0.bytes, $0.calls) } ?? (0, 0)
    return (after.0 - before.0, after.1 - before.1)
}
do {
    // The first run of a scoped body charges the runtime's one-time metadata to the scope
    // (it stays live); the checks count changes from there.
    keep.append(scopedBoxes())
    _ = try scopedWithSite(fail: false)
    keep.removeAll()
    keep.append(scopedBoxes())
    keep.removeAll()
    let boxes = (bytes: Int64(10 * 32 + 32 + 10 * 8), calls: Int64(11))
    var d = delta("probe.scope") { keep.append(scopedBoxes()) }
    keep.removeAll()
    d = delta("probe.scope") { keep.append(scopedBoxes()) }  // the second time: no earlier value still dying
    check("scope charges the body's implicit allocations", d == boxes, "\(d)")
    d = delta("probe.scope") { keep.removeAll() }
    check("scope freed", d == (-boxes.bytes, -boxes.calls), "\(d)")
    var pair: ([Box], [Int]) = ([], [])
    let site = try delta("probe.scopeSite") { d = try delta("probe.scope") { pair = try scopedWithSite(fail: false) } }
    check("explicit site inside a scope wins", site == (32 + 800, 1), "\(site)")
    check("the scope keeps the rest", d == boxes, "\(d)")
    pair = ([], [])
    d = delta("probe.scope") { _ = try? scopedWithSite(fail: true); keep.append(makeBoxes()) }
    check("a throw ends the scope", d == (0, 0), "\(d)")
    keep.removeAll()
    _ = pair
}

// Async scopes on the cooperative pool (Tasks.swift); makeBoxes already ran above, so its
// one-time metadata is not charged here.
runTaskScenario(tasks: 300)

// Class instances: Box is 16 bytes of object header + two Ints; the array holding them,
// allocated by map inside the hooked region too, is 32 bytes of header + 10 references.
do {
    keep.append(makeBoxes())
    keep.removeAll()
    keep.append(withAllocTag(&classTag) { makeBoxes() })
    expect("class instances", "probe.classInstances", bytes: 10 * 32 + 32 + 10 * 8, calls: 11)
    keep.removeAll()
    expect("class instances freed", "probe.classInstances", bytes: 0, calls: 0)
}

// Arrays: contiguous storage of 32 bytes of header + elements.
do {
    keep.append(makeArray())
    keep.removeAll()
    keep.append(withAllocTag(&arrayTag) { makeArray() })
    expect("array", "probe.array", bytes: 32 + 800, calls: 1)
    keep.removeAll()
    expect("array freed", "probe.array", bytes: 0, calls: 0)
}

// Strings too long for the small-string form get native storage: one allocation of
// 32 bytes of header + the characters and a NUL, plus spare capacity the stdlib chooses
// (256 bytes for 200 characters in Swift 6.3); the free must bring the site to zero.
do {
    keep.append(makeString())
    keep.removeAll()
    keep.append(withAllocTag(&stringTag) { makeString() })
    let e = entry("probe.string")
    check("string allocated once", e?.calls == 1, "\(String(describing: e))")
    check("string storage size", (32 + 200 + 1 ... 320).contains(e?.bytes ?? 0), "\(String(describing: e))")
    keep.removeAll()
    expect("string freed", "probe.string", bytes: 0, calls: 0)
}

// Unsafe pointers go straight to malloc with the exact byte count.
do {
    let p = withAllocTag(&pointerTag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 1000) }
    expect("pointer allocate", "probe.pointer", bytes: 1000, calls: 1)
    p.deallocate()
    expect("pointer deallocate", "probe.pointer", bytes: 0, calls: 0)
}

// A noncopyable result (swift-collections' `_UnsafeDequeHandle`): withAllocTag hands it out
// without a copy, and its allocation is charged to the tag.
struct Owner: ~Copyable {
    let p: UnsafeMutablePointer<UInt8>
    init(capacity: Int) { p = .allocate(capacity: capacity) }
    deinit { p.deallocate() }
}
do {
    let owner = withAllocTag(&noncopyableTag) { Owner(capacity: 48) }
    expect("noncopyable result", "probe.noncopyable", bytes: 48, calls: 1)
    _ = consume owner
    expect("noncopyable result freed", "probe.noncopyable", bytes: 0, calls: 0)
}

// Over-aligned allocations keep their alignment.
do {
    let p = withAllocTag(&alignedTag) { UnsafeMutableRawPointer.allocate(byteCount: 100, alignment: 256) }
    check("aligned pointer", Int(bitPattern: p) % 256 == 0, "\(p)")
    expect("aligned allocate", "probe.aligned", bytes: 100, calls: 1)
    p.deallocate()
    expect("aligned deallocate", "probe.aligned", bytes: 0, calls: 0)
}

// Nesting: the innermost tag wins, the outer one is restored after.
do {
    let pair: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>) =
        withAllocTag(&outerTag) {
            let a = UnsafeMutablePointer<UInt8>.allocate(capacity: 10)
            let b = withAllocTag(&innerTag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 20) }
            let c = UnsafeMutablePointer<UInt8>.allocate(capacity: 30)
            return (a, b, c)
        }
    expect("outer", "probe.outer", bytes: 40, calls: 2)
    expect("inner", "probe.inner", bytes: 20, calls: 1)
    pair.0.deallocate(); pair.1.deallocate(); pair.2.deallocate()
    expect("outer freed", "probe.outer", bytes: 0, calls: 0)
    expect("inner freed", "probe.inner", bytes: 0, calls: 0)
}

// Adjacent hooked allocations must not bleed into each other (the release-build trap).
do {
    let a = withAllocTag(&adjacentATag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 11) }
    let b = withAllocTag(&adjacentBTag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 13) }
    let c = withAllocTag(&adjacentATag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 17) }
    expect("adjacent A", "probe.adjacentA", bytes: 28, calls: 2)
    expect("adjacent B", "probe.adjacentB", bytes: 13, calls: 1)
    a.deallocate(); b.deallocate(); c.deallocate()
}

// Freed by another thread: the site still ends at zero.
do {
    let p = withAllocTag(&threadTag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 64) }
    expect("cross-thread allocate", "probe.crossThread", bytes: 64, calls: 1)
    deallocateOnAnotherThread(UnsafeMutableRawPointer(p))
    expect("cross-thread free", "probe.crossThread", bytes: 0, calls: 0)
}

// The run-time switch: off stops counting, frees of counted memory still uncharge.
do {
    let counted = withAllocTag(&switchTag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 5) }
    try! AllocProfiling.setEnabled(false)
    check("switch reads back off", !AllocProfiling.isEnabled)
    let uncounted = withAllocTag(&switchTag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 7) }
    counted.deallocate()
    try! AllocProfiling.setEnabled(true)
    expect("off: new allocations not counted, old frees uncharged", "probe.switch", bytes: 0, calls: 0)
    uncounted.deallocate()
    expect("memory allocated while off frees cleanly", "probe.switch", bytes: 0, calls: 0)
}

// Every tag of the image is listed, used or not, and its line is in allocinfo form.
do {
    let report = AllocProfiling.report()
    check("unused tag listed", report.entries.contains { $0.function == "probe.neverUsed" && $0.calls == 0 })
    check("header", report.text.hasPrefix("allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n"))
    let line = report.text.split(separator: "\n").first { $0.hasSuffix("func:probe.neverUsed ") }
    check("line format", line.map { $0.hasPrefix("           0        0 Probe.swift:") } ?? false,
          "\(String(describing: line))")
    check("untagged line first", report.entries.first?.isUntagged ?? false)
}

// The kernel's filters on the own process's report.
do {
    let p = withAllocTag(&pointerTag) { UnsafeMutablePointer<UInt8>.allocate(capacity: 4096) }
    let byFunction = AllocProfiling.report(AllocationFilter(function: "probe.pointer"))
    check("filter by function", byFunction.entries.count == 1 && byFunction.entries[0].bytes == 4096)
    check("filtered text", byFunction.text == AllocationReport.header + byFunction.entries[0].allocinfoLine
          && byFunction.text.hasSuffix(" 4096        1 Probe.swift:\(byFunction.entries[0].line) func:probe.pointer \n"),
          byFunction.text)
    let bySize = AllocProfiling.report(AllocationFilter(file: "Probe.swift", minBytes: 4096, maxBytes: 4096))
    check("filter by file and size", bySize.entries.map(\.function) == ["probe.pointer"], "\(bySize.entries)")
    check("filter inaccurate only", AllocProfiling.report(AllocationFilter(file: "Probe.swift", inaccurateOnly: true)).entries.isEmpty)
    check("filter by module", AllocProfiling.report(AllocationFilter(module: "libnothing")).entries.isEmpty)
    p.deallocate()
}

print("swift probe: \(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
