// The alternative Sources/TagRuntime/Core/swift_types.c does not use, measured
// (Tests/SwiftTypes/cost.sh, docs/performance.md): Instruments' hook, libswiftCore's
// `_swift_allocObject` function pointer, replaced by a forwarding function. A program without
// the runtime, built with `swiftc -O`; `hook-cost plain|hook` runs the same two loops as the
// probe's --types-cost (a retain/release loop, an allocation loop), best of five rounds each.
// Once the pointer is replaced, libswiftCore 6.3.1 sets its swizzling flag itself and every
// swift_retain/swift_release goes through an adapter: that is the cost measured here.
#if canImport(Glibc)
import Glibc
#endif

final class Node { var x = 0 }
typealias AllocObject = @convention(c) (UnsafeRawPointer?, Int, Int) -> UnsafeMutableRawPointer?
nonisolated(unsafe) var original: AllocObject? = nil
nonisolated(unsafe) var seen = 0
nonisolated(unsafe) var sink: Node? = nil
@inline(never) func storeShared(_ object: Node) { sink = object }
@inline(never) func allocateOne() { sink = Node() }

func nanoseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
}

func best(_ n: Int, _ body: (Int) -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<5 {
        let start = nanoseconds()
        for i in 0..<n { body(i) }
        best = min(best, (nanoseconds() - start) / Double(n))
    }
    return best
}

let mode = CommandLine.arguments.dropFirst().first ?? "plain"
if mode == "hook" {
    let slot = dlsym(dlopen(nil, RTLD_NOW), "_swift_allocObject")!.assumingMemoryBound(to: AllocObject.self)
    original = slot.pointee
    slot.pointee = { metadata, size, alignMask in seen &+= 1; return original!(metadata, size, alignMask) }
}
let objects = (0..<16).map { _ in Node() }
let retainRelease = best(20_000_000) { storeShared(objects[$0 & 15]) }
let allocation = best(5_000_000) { _ in allocateOne() }
print("hook cost (\(mode)): retain+release \(retainRelease) ns, allocation+free \(allocation) ns, hook saw \(seen)")
