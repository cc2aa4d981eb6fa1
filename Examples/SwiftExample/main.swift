import TagRuntime

// Tags are file-scope records in the `alloc_tags` section, one per call site. (The build
// plugin generates these for annotated code; here they are written by hand.)
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var nodesTag: AllocTagRecord = (0x3147_4154, 1, 19, 0,
    { nil }, { StaticString("buildTree(depth:)").utf8Start }, { StaticString("SwiftExample/main.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var namesTag: AllocTagRecord = (0x3147_4154, 1, 25, 0,
    { nil }, { StaticString("main").utf8Start }, { StaticString("SwiftExample/main.swift").utf8Start })

final class Node {
    var children: [Node] = []
}

func buildTree(depth: Int) -> Node {
    let node = withAllocTag(&nodesTag) { Node() }
    if depth > 0 { node.children = (0..<2).map { _ in buildTree(depth: depth - 1) } }
    return node
}

let tree = buildTree(depth: 6)
let names = withAllocTag(&namesTag) {
    (0..<100).map { "node-\($0)-with-a-name-too-long-for-small-string-storage" }
}

print("\(names.count) names, tree of \(count(tree)) nodes")
print(AllocProfiling.report().text, terminator: "")

func count(_ node: Node) -> Int { 1 + node.children.reduce(0) { $0 + count($1) } }
