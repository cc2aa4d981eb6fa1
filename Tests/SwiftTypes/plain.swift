// A Swift program that knows nothing of alloctag, run with LD_PRELOAD=libTagRuntimePreload.so
// by Tests/SwiftTypes/run.sh: its swift_allocObject calls go through the PLT to the preloaded
// runtime's definition, so its class instances are named on the <untagged> line.
final class PlainNode { var next: PlainNode?; init(_ next: PlainNode?) { self.next = next } }

var head: PlainNode? = nil
for _ in 0..<1000 { head = PlainNode(head) }
print("plain: \(head != nil)")
