import DemoC
import TagRuntime
#if canImport(Glibc)
import Glibc
#endif

// Everything below stays alive to the end: the report at exit shows each site's bytes.
nonisolated(unsafe) var kept: [Any] = []

let ints = makeBuffer(of: Int.self, count: 10)
let block = malloc(4096)
let scratch = Scratch(bytes: 100)
let one = Particle()
kept = [ints, block as Any, scratch, one, [Particle].swarm(3)]
demo_c_allocate()

print(AllocProfiling.report().text, terminator: "")
