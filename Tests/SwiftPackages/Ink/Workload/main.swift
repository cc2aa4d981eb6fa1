import Ink
import TagRuntime

// Tests/SwiftPackages/run.sh's workload on JohnSundell/Ink, annotated as a user would: parses
// a large markdown document (built here, then dropped) and keeps the result, then prints the
// live bytes on Ink's lines, on this file's lines and on <untagged>, and the largest sites.
func makeDocument() -> String {
    var parts: [String] = []
    for i in 0..<2000 {
    parts.append("""
    # Heading \(i)

    Some *emphasis* and **strong** text with a [link](https://example.com/\(i)) and `code \(i)`.

    - item one \(i)
    - item two with ![image](img\(i).png)

    > quote \(i)

    ```swift
    let x = \(i)
    ```

    | a | b |
    |---|---|
    | \(i) | \(i * 2) |

    """)
    }
    return parts.joined(separator: "\n")
}
var document: String? = makeDocument()
let parser = MarkdownParser()
let result = parser.parse(document!)
document = nil
let report = AllocProfiling.report()
var ink: Int64 = 0, own: Int64 = 0, untagged: Int64 = 0, total: Int64 = 0
for e in report.entries {
    total += e.bytes
    // Names are the package's (`Sources/Ink/...`: the runtime cuts the package root), or
    // absolute where a setting keeps them as compiled.
    if e.isUntagged { untagged += e.bytes } else if ("/" + e.file).contains("/Sources/Ink/") { ink += e.bytes } else { own += e.bytes }
}
print("live \(total) ink \(ink) workload \(own) untagged \(untagged) html \(result.html.utf8.count)")
for e in report.entries.sorted(by: { $0.bytes > $1.bytes }).prefix(8) { print(e.allocinfoLine) }
