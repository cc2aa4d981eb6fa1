import TagRuntime
#if canImport(Glibc)
import Glibc
#endif

// `tagruntime-swift-probe --scope-cost`: the cost of one annotated call (the scope line
// `tagger annotate --scopes` inserts), in a release build: the same small function with and
// without the scope, called 50 million times each, best of five rounds.

@inline(never) func plainBody(_ x: Int) -> Int { x &* 3 &+ 1 }
@inline(never) func scopedBody(_ x: Int) -> Int {
    let __allocScope = AllocTagScope(&scopeTag); defer { __allocScope.end() }
    return x &* 3 &+ 1
}

func nanoseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
}

func measureScopeCost() {
    let n = 50_000_000
    func best(_ body: (Int) -> Int) -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            var sum = 0
            let start = nanoseconds()
            for i in 0..<n { sum &+= body(i) }
            best = min(best, (nanoseconds() - start) / Double(n))
            if sum == 42 { print("") }
        }
        return best
    }
    let plain = best(plainBody), scoped = best(scopedBody)
    print("scope cost: plain call \(plain) ns, scoped call \(scoped) ns, added \(scoped - plain) ns per call")
}
