import TaggerCore
@testable import TaggerLexScan
import XCTest
@testable import TaggerSwift

final class AnnotationTests: XCTestCase {
    func testPlainFunctionKeepsFormattingAndComments() throws {
        try assertAnnotation("""
            func make(n: Int) -> UnsafeMutableRawPointer? {
                // the header
                let header = UnsafeMutablePointer<Int>.allocate(capacity: 2) /* two words */
                let body = malloc(
                    n * 2   // doubled
                )
                return body
            }
            """, """
            import TagRuntime

            func make(n: Int) -> UnsafeMutableRawPointer? {
                // the header
                let header = withAllocTag(&$T1) { UnsafeMutablePointer<Int>.allocate(capacity: 2) } /* two words */
                let body = withAllocTag(&$T2) { malloc(
                    n * 2   // doubled
                ) }
                return body
            }
            """)
    }

    func testGenericFunctionAndExtensionOfGenericType() throws {
        try assertAnnotation("""
            func box<T>(_ value: T) -> UnsafeMutablePointer<T> {
                let p = UnsafeMutablePointer<T>.allocate(capacity: 1)
                p.initialize(to: value)
                return p
            }
            extension Array where Element: Equatable {
                func scratch() -> UnsafeMutableBufferPointer<Element> {
                    .allocate(capacity: count)
                }
            }
            """, """
            import TagRuntime

            func box<T>(_ value: T) -> UnsafeMutablePointer<T> {
                let p = withAllocTag(&$T1) { UnsafeMutablePointer<T>.allocate(capacity: 1) }
                p.initialize(to: value)
                return p
            }
            extension Array where Element: Equatable {
                func scratch() -> UnsafeMutableBufferPointer<Element> {
                    withAllocTag(&$T2) { .allocate(capacity: count) }
                }
            }
            """)
    }

    func testClosuresAndDefer() throws {
        try assertAnnotation("""
            func run(_ items: [Int]) {
                let copies = items.map { n in strdup("\\(n)") }
                var p = malloc(8)
                defer {
                    free(p)
                    p = malloc(1)
                }
                DispatchQueue.global().async { _ = calloc(1, 2) }
            }
            """, """
            import TagRuntime

            func run(_ items: [Int]) {
                let copies = items.map { n in withAllocTag(&$T1) { strdup("\\(n)") } }
                var p = withAllocTag(&$T2) { malloc(8) }
                defer {
                    free(p)
                    p = withAllocTag(&$T3) { malloc(1) }
                }
                DispatchQueue.global().async { _ = withAllocTag(&$T4) { calloc(1, 2) } }
            }
            """)
    }

    func testAsyncFunctionsAndAwaitInsideASite() throws {
        try assertAnnotation("""
            actor Cache {
                func fill(count: Int) async -> UnsafeMutableRawPointer? {
                    let p = malloc(count)
                    await Task.yield()
                    _ = 1️⃣Packet(await size())
                    return p
                }
                func size() async -> Int { 1 }
            }
            """, """
            import TagRuntime

            actor Cache {
                func fill(count: Int) async -> UnsafeMutableRawPointer? {
                    let p = withAllocTag(&$T1) { malloc(count) }
                    await Task.yield()
                    _ = Packet(await size())
                    return p
                }
                func size() async -> Int { 1 }
            }
            """, refused: ["1️⃣"], types: ["Packet"])
    }

    func testInitializersCaptureStoredPropertiesByValue() throws {
        try assertAnnotation("""
            struct Ring {
                let count: Int
                let slots: UnsafeMutablePointer<Int>
                let spare: UnsafeMutableRawPointer?
                init(count: Int) {
                    self.count = count
                    slots = .allocate(capacity: count)
                    spare = malloc(self.count * 2)
                }
            }
            final class Table {
                var width: Int
                var cells: UnsafeMutableRawPointer
                init(n: Int) {
                    width = n
                    cells = malloc(width)!
                }
            }
            """, """
            import TagRuntime

            struct Ring {
                let count: Int
                let slots: UnsafeMutablePointer<Int>
                let spare: UnsafeMutableRawPointer?
                init(count: Int) {
                    self.count = count
                    slots = withAllocTag(&$T1) { .allocate(capacity: count) }
                    spare = withAllocTag(&$T2) { [count = self.count] in malloc(count * 2) }
                }
            }
            final class Table {
                var width: Int
                var cells: UnsafeMutableRawPointer
                init(n: Int) {
                    width = n
                    cells = withAllocTag(&$T3) { [width = self.width] in malloc(width) }!
                }
            }
            """)
    }

    func testInitializerThatWritesSelfIsRefused() throws {
        try assertAnnotation("""
            struct Aligned {
                var raw: UnsafeMutableRawPointer?
                let n: Int
                init(n: Int) {
                    self.n = n
                    _ = 1️⃣posix_memalign(&self.raw, 64, self.n)
                }
            }
            """, """
            struct Aligned {
                var raw: UnsafeMutableRawPointer?
                let n: Int
                init(n: Int) {
                    self.n = n
                    _ = posix_memalign(&self.raw, 64, self.n)
                }
            }
            """, refused: ["1️⃣"])
    }

    func testPropertyInitializers() throws {
        try assertAnnotation("""
            let globalBuffer = malloc(64)
            final class Session {
                static let shared = Session()
                let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)
                lazy var name: UnsafeMutablePointer<CChar>? = strdup("session")
                var table: UnsafeMutableRawPointer? = {
                    calloc(4, 4)
                }()
            }
            """, """
            import TagRuntime

            let globalBuffer = withAllocTag(&$T1) { malloc(64) }
            final class Session {
                static let shared = withAllocTag(&$T2) { Session() }
                let scratch = withAllocTag(&$T3) { UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8) }
                lazy var name: UnsafeMutablePointer<CChar>? = withAllocTag(&$T4) { strdup("session") }
                var table: UnsafeMutableRawPointer? = {
                    withAllocTag(&$T5) { calloc(4, 4) }
                }()
            }
            """, types: ["Session"])
    }

    func testNestedAllocationsGetATagEach() throws {
        try assertAnnotation("""
            func grow() -> UnsafeMutableRawPointer? {
                realloc(malloc(8), 16)
            }
            """, """
            import TagRuntime

            func grow() -> UnsafeMutableRawPointer? {
                withAllocTag(&$T1) { realloc(withAllocTag(&$T2) { malloc(8) }, 16) }
            }
            """)
    }

    func testConditionsTryAndManagedBuffer() throws {
        try assertAnnotation("""
            final class Node { init(_ v: Int) throws {} }
            func load() throws -> Int { 1 }
            func use() throws {
                if let p = malloc(4) { free(p) }
                guard let q = strdup("x") else { return }
                while let r = calloc(1, 1) { free(r); break }
                let a = try Node(1)
                let b = try? Node(try load())
                let c = Node(try load())
                let d = ManagedBuffer<Int, Int>.create(minimumCapacity: 4) { _ in 0 }
                _ = (q, a, b, c, d)
            }
            """, """
            import TagRuntime

            final class Node { init(_ v: Int) throws {} }
            func load() throws -> Int { 1 }
            func use() throws {
                if let p = withAllocTag(&$T1, { malloc(4) }) { free(p) }
                guard let q = withAllocTag(&$T2, { strdup("x") }) else { return }
                while let r = withAllocTag(&$T3, { calloc(1, 1) }) { free(r); break }
                let a = try withAllocTag(&$T4) { try Node(1) }
                let b = try? withAllocTag(&$T5) { Node(try load()) }
                let c = try withAllocTag(&$T6) { Node(try load()) }
                let d = withAllocTag(&$T7) { ManagedBuffer<Int, Int>.create(minimumCapacity: 4) { _ in 0 } }
                _ = (q, a, b, c, d)
            }
            """, types: ["Node"])
    }

    func testRuntimeImportGoesAfterTheLastImport() throws {
        try assertAnnotation("""
            // Copyright header stays first.
            import Foundation
            #if canImport(Glibc)
            import Glibc
            #endif

            let p = malloc(1)
            """, """
            // Copyright header stays first.
            import Foundation
            #if canImport(Glibc)
            import Glibc
            #endif
            import TagRuntime

            let p = withAllocTag(&$T1) { malloc(1) }
            """)
    }

    func testSitesInsideStringInterpolationsAreSeenByBothScans() throws {
        try assertAnnotation("""
            func describe(_ s: String) -> String {
                "copy: \\(String(cString: strdup(s)!)) and \\("nested \\(malloc(2) != nil)")"
            }
            """, """
            import TagRuntime

            func describe(_ s: String) -> String {
                "copy: \\(String(cString: withAllocTag(&$T1) { strdup(s) }!)) and \\("nested \\(withAllocTag(&$T2) { malloc(2) } != nil)")"
            }
            """)
    }
}
