import BitCollections
import DequeModule
import HashTreeCollections
import HeapModule
import OrderedCollections
import TagRuntime

// Tests/SwiftPackages/Collections/run.sh's workload on apple/swift-collections, annotated as a
// user would: builds each collection element by element (so the library's own storage growth
// does the allocating: Deque's ring buffer, the ordered collections' hash tables, the hash
// trees' nodes, Heap's array, BitSet's words), keeps the results live, then prints the live
// bytes on swift-collections' lines, on this file's lines and on <untagged>, and the largest
// sites. The keys are integers, so the workload itself allocates almost nothing.
let n = 100_000

func buildDeque() -> Deque<Int> {
    var deque: Deque<Int> = []
    for i in 0..<n {
        if i % 2 == 0 { deque.append(i) } else { deque.prepend(i) }
    }
    return deque
}

func buildOrderedDictionary() -> OrderedDictionary<Int, Int> {
    var dictionary: OrderedDictionary<Int, Int> = [:]
    for i in 0..<n { dictionary[i &* 7919] = i }
    return dictionary
}

func buildOrderedSet() -> OrderedSet<Int> {
    var set: OrderedSet<Int> = []
    for i in 0..<n { set.append(i &* 31) }
    return set
}

func buildTreeDictionary() -> TreeDictionary<Int, Int> {
    var dictionary: TreeDictionary<Int, Int> = [:]
    for i in 0..<n / 4 { dictionary[i &* 104_729] = i }
    return dictionary
}

func buildTreeSet() -> TreeSet<Int> {
    var set: TreeSet<Int> = []
    for i in 0..<n / 4 { set.insert(i &* 613) }
    return set
}

func buildHeap() -> Heap<Int> {
    var heap = Heap<Int>()
    for i in 0..<n { heap.insert((i &* 2_654_435_761) % 1_000_003) }
    return heap
}

func buildBitSet() -> BitSet {
    var bits = BitSet()
    for i in stride(from: 0, to: n * 40, by: 3) { bits.insert(i) }
    return bits
}

let deque = buildDeque()
let orderedDictionary = buildOrderedDictionary()
let orderedSet = buildOrderedSet()
let treeDictionary = buildTreeDictionary()
let treeSet = buildTreeSet()
let heap = buildHeap()
let bitSet = buildBitSet()

let report = AllocProfiling.report()
var library: Int64 = 0, own: Int64 = 0, untagged: Int64 = 0, other: Int64 = 0, total: Int64 = 0
for e in report.entries {
    total += e.bytes
    // Names are the package's (`Sources/DequeModule/...`: the runtime cuts the package root).
    let file = "/" + e.file
    if e.isUntagged { untagged += e.bytes }
    else if file.contains("/Sources/CollectionsWorkload/") { own += e.bytes }
    else if file.contains("/Sources/") { library += e.bytes }
    else { other += e.bytes }
}
// The results are read after the report, so they are live when it is taken.
let check = deque.count + orderedDictionary.count + orderedSet.count + treeDictionary.count + treeSet.count
    + heap.count + bitSet.count
print("live \(total) collections \(library) workload \(own) untagged \(untagged) other \(other) elements \(check)")
for e in report.entries.sorted(by: { $0.bytes > $1.bytes }).prefix(10) { print(e.allocinfoLine, terminator: "") }
