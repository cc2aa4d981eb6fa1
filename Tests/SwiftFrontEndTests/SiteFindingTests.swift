import TaggerCore
@testable import TaggerLexScan
import XCTest
@testable import TaggerSwift

final class SiteFindingTests: XCTestCase {
    func testAllocatorsAndWhatIsNotASite() throws {
        try assertSites("""
            import Glibc

            struct Pool {
                func make(count n: Int, _ s: UnsafePointer<CChar>) {
                    let a = 1️⃣UnsafeMutablePointer<Int>.allocate(capacity: n)
                    let b = 2️⃣UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 16)
                    let c: UnsafeMutableBufferPointer<UInt8> = 3️⃣.allocate(capacity: 4)
                    let d = 4️⃣Glibc.malloc(8)
                    let e = 5️⃣strdup(s)
                    var p: UnsafeMutableRawPointer?
                    _ = 6️⃣posix_memalign(&p, 64, n)
                    let f = 7️⃣Swift.UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 8)
                    // malloc(1) in a comment, and "calloc(1, 2)" in a string, are not sites
                    let g = allocator.allocate(capacity: 3)      // a value's method, not an unsafe type
                    let h = Allocator.allocate(capacity: 3)      // not an unsafe pointer type
                    let i = UnsafeMutablePointer<Int>.allocate   // not called
                    _ = (a, b, c, d, e, f, g, h, i)
                }
                func malloc(_ n: Int) -> Int { n }               // a declaration, not a call
            }
            """, [
                "1️⃣": ("UnsafeMutablePointer.allocate", "Pool.make(count:_:)"),
                "2️⃣": ("UnsafeMutableRawPointer.allocate", "Pool.make(count:_:)"),
                "3️⃣": (".allocate", "Pool.make(count:_:)"),
                "4️⃣": ("malloc", "Pool.make(count:_:)"),
                "5️⃣": ("strdup", "Pool.make(count:_:)"),
                "6️⃣": ("posix_memalign", "Pool.make(count:_:)"),
                "7️⃣": ("UnsafeMutableRawBufferPointer.allocate", "Pool.make(count:_:)"),
            ])
    }

    func testManagedBufferAndConfiguredTypes() throws {
        try assertSites("""
            final class Storage: ManagedBuffer<Int, UInt8> {}
            final class Node<T> { init(_ v: T) {} }
            final class Packet {}
            extension Array where Element == Int {
                mutating func fill() {
                    let s = 1️⃣Storage.create(minimumCapacity: 16) { _ in 0 }
                    let m = 2️⃣ManagedBuffer<Int, Int>.create(minimumCapacity: 4, makingHeaderWith: { _ in 1 })
                    let n = 3️⃣Node(1)
                    let o = 4️⃣Node<String>("x")
                    let p = 5️⃣Packet.init()
                    let none = [Packet]()                        // an array, not a Packet
                    _ = (s, m, n, o, p, none)
                }
            }
            """, [
                "1️⃣": ("Storage.create", "Array.fill()"),
                "2️⃣": ("ManagedBuffer.create", "Array.fill()"),
                "3️⃣": ("Node", "Array.fill()"),
                "4️⃣": ("Node", "Array.fill()"),
                "5️⃣": ("Packet", "Array.fill()"),
            ], types: ["Node", "Packet"])
    }

    /// Both found in swift-collections by Tests/Corpus: a qualified type as the base of
    /// `create`, and a function type (`->`) among the parameters before the last label.
    func testQualifiedTypesAndFunctionTypedParameters() throws {
        try assertSites("""
            enum _HashNode { final class Storage: ManagedBuffer<Int, UInt8> {} }
            struct Tracker {
                func with<E>(layout: Int, using generator: (Int) -> E, _ body: (inout [E]) -> Void) {
                    let object = 1️⃣_HashNode.Storage.create(
                        minimumCapacity: layout) { _ in 0 }
                    let p = 2️⃣Swift.UnsafeMutablePointer<E>.allocate(capacity: 1)
                    let q = value.Storage.create(minimumCapacity: 1) { _ in 0 }   // on a value: not a type
                    _ = (object, p, q)
                }
            }
            """, [
                "1️⃣": ("Storage.create", "Tracker.with(layout:using:_:)"),
                "2️⃣": ("UnsafeMutablePointer.allocate", "Tracker.with(layout:using:_:)"),
            ])
    }

    func testFunctionNamesOfEveryKindOfDeclaration() throws {
        try assertSites("""
            let global = 1️⃣malloc(1)
            enum Outer {
                struct Inner<T> {
                    static let shared = 2️⃣malloc(2)
                    lazy var buffer: UnsafeMutableRawPointer? = 3️⃣malloc(3)
                    var computed: UnsafeMutableRawPointer? { 4️⃣malloc(4) }
                    subscript(i: Int, named name: String) -> UnsafeMutableRawPointer? { 5️⃣malloc(i) }
                    init?(size: Int) { _ = 6️⃣malloc(size) }
                    func run(_ body: () -> Void) {
                        let work = { 7️⃣malloc(7) }
                        func helper(x: Int) { _ = 8️⃣malloc(x) }
                        _ = work
                    }
                    static func == (a: Self, b: Self) -> Bool { 9️⃣malloc(9) != nil }
                }
            }
            """, [
                "1️⃣": ("malloc", "global"),
                "2️⃣": ("malloc", "Outer.Inner.shared"),
                "3️⃣": ("malloc", "Outer.Inner.buffer"),
                "4️⃣": ("malloc", "Outer.Inner.computed"),
                "5️⃣": ("malloc", "Outer.Inner.subscript(_:named:)"),
                "6️⃣": ("malloc", "Outer.Inner.init(size:)"),
                "7️⃣": ("malloc", "Outer.Inner.run(_:)"),
                "8️⃣": ("malloc", "Outer.Inner.helper(x:)"),
                "9️⃣": ("malloc", "Outer.Inner.==(_:_:)"),
            ])
    }

    func testTopLevelCodeOfMainIsMain() throws {
        try assertSites("""
            let p = 1️⃣malloc(16)
            print(2️⃣strdup("x")!)
            """, ["1️⃣": ("malloc", "main"), "2️⃣": ("strdup", "main")], path: "Sources/App/main.swift")
    }

    func testUntaggedFindingIsInCompilerForm() throws {
        let (_, findings) = try SwiftFrontEnd.scan(source: "func f() {\n    _ = malloc(4)\n}\n", path: "A.swift", config: .init())
        XCTAssertEqual(findings.map(\.compilerStyle), [
            "A.swift:2:9: warning: malloc call is not tagged: not wrapped in withAllocTag; run `tagger annotate` "
                + "(its bytes are charged to <untagged>) [untagged-site]",
        ])
    }

    func testSyntaxErrorNamesFileAndLine() {
        XCTAssertThrowsError(try SwiftFrontEnd.annotate(source: "func f() {\n    let x = malloc(\n}\n", path: "Bad.swift", config: .init())) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("Bad.swift:"), text)
            XCTAssertTrue(text.contains("error: Swift syntax error"), text)
        }
    }
}
