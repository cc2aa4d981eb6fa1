import TaggerCore
import TaggerTestSupport
@testable import TaggerLexScan
import XCTest
@testable import TaggerSwift

/// Bodies that can allocate get a scope line; explicit sites still get their own tag inside.
final class ScopeTests: XCTestCase {
    func testBodiesThatCanAllocateGetOneScopeLine() throws {
        let names = try assertAnnotation("""
            import TagRuntime

            final class Parser<T> {
                var items: [String] = []
                var count: Int { items.count }
                var names: [String] { items.map { $0.uppercased() } }
                init(text: String) {
                    items = text.split(separator: " ").map(String.init)
                }
                func parse(_ n: inout Int) throws -> [Int] {
                    guard n > 0 else { throw Failure() }
                    var out: [Int] = []
                    for i in 0..<n { out.append(i) }
                    n = 0
                    return out
                }
                func label(_ i: Int) -> String { "item \\(i)" }
                func raw() -> UnsafeMutableRawPointer? { malloc(8) }
                func visit() {
                    items.forEach { item in
                        let s = "<\\(item)>"
                        print(s)
                    }
                }
                deinit { print("bye") }
            }
            """, """
            import TagRuntime

            final class Parser<T> {
                var items: [String] = []
                var count: Int { items.count }
                var names: [String] { let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }; return items.map { $0.uppercased() } }
                init(text: String) {
                    let __allocScope = AllocTagScope(&$T2); defer { __allocScope.end() }
                    items = text.split(separator: " ").map(String.init)
                }
                func parse(_ n: inout Int) throws -> [Int] {
                    let __allocScope = AllocTagScope(&$T3); defer { __allocScope.end() }
                    guard n > 0 else { throw Failure() }
                    var out: [Int] = []
                    for i in 0..<n { out.append(i) }
                    n = 0
                    return out
                }
                func label(_ i: Int) -> String { let __allocScope = AllocTagScope(&$T4); defer { __allocScope.end() }; return "item \\(i)" }
                func raw() -> UnsafeMutableRawPointer? { let __allocScope = AllocTagScope(&$T5); defer { __allocScope.end() }; return withAllocTag(&$T6) { malloc(8) } }
                func visit() {
                    let __allocScope = AllocTagScope(&$T7); defer { __allocScope.end() }
                    items.forEach { item in
                        let __allocScope = AllocTagScope(&$T8); defer { __allocScope.end() }
                        let s = "<\\(item)>"
                        print(s)
                    }
                }
                deinit { let __allocScope = AllocTagScope(&$T9); defer { __allocScope.end() }; print("bye") }
            }
            """, scopes: true)
        XCTAssertTrue(names["T1"]!.hasPrefix("allocTag_Pool_names_"))
        XCTAssertTrue(names["T8"]!.hasPrefix("allocTag_Pool_visit_"))
        // The records the build declares: the body's `{` line and the declaration's name.
        let annotated = try SwiftFrontEnd.annotate(source: MarkedText("""
            struct S {
                func visit() {
                    [1].forEach { item in
                        print(item); print(item)
                    }
                }
            }
            """).text, path: "S.swift", config: .init(), scopes: true).source
        XCTAssertEqual(try SwiftFrontEnd.scopeRecords(source: annotated, path: "S.swift").map { "\($0.function) \($0.line)" },
                       ["S.visit() 4", "S.visit() 6"])
    }

    func testWhatIsNotScoped() throws {
        try assertAnnotation("""
            struct Fast {
                var x = 0
                var doubled: Int { x * 2 }
                var y: Int { get { x } set { x = newValue } }
                // alloctag:no-scope
                func hot() -> [Int] { [x] }
                func never() -> Int { fatalError("no") }
                func work() async -> Int { 1 }
                func short() -> [Int] { [1, 2].map { $0 + 1 } }
            }
            """, """
            import TagRuntime

            struct Fast {
                var x = 0
                var doubled: Int { x * 2 }
                var y: Int { get { x } set { x = newValue } }
                // alloctag:no-scope
                func hot() -> [Int] { [x] }
                func never() -> Int { fatalError("no") }
                func work() async -> Int { 1 }
                func short() -> [Int] { let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }; return [1, 2].map { $0 + 1 } }
            }
            """, unscoped: [], scopes: true)
    }

    /// A body that is one `#if` block returns the value of each clause's only expression (as
    /// swift-collections' `_withUnsafeTemporaryAllocation`): each gets `return`, a `Never` call
    /// and a clause that returns explicitly stay as they are. `#if` conditions and `#error`
    /// are no allocations: a body of constants under them gets no scope.
    func testIfConfigBodiesReturnInEachClause() throws {
        try assertAnnotation("""
            func make<R>(_ body: () -> R) -> R {
            #if compiler(>=6.3)
              body()
            #elseif DEBUG
              fatalError("old")
            #else
              let r = body()
              return r
            #endif
            }
            var shift: Int {
            #if _pointerBitWidth(_64)
              6
            #elseif compiler(>=6.3)
              5
            #else
              #error("Unsupported architecture")
            #endif
            }
            """, """
            import TagRuntime

            func make<R>(_ body: () -> R) -> R {
            let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }
            #if compiler(>=6.3)
              return body()
            #elseif DEBUG
              fatalError("old")
            #else
              let r = body()
              return r
            #endif
            }
            var shift: Int {
            #if _pointerBitWidth(_64)
              6
            #elseif compiler(>=6.3)
              5
            #else
              #error("Unsupported architecture")
            #endif
            }
            """, unscoped: [], scopes: true)
    }

    /// Swift 6.4's `borrow`/`mutate` accessors (swift-collections' `UniqueBox`, under
    /// `#if compiler(>=6.4)`) parse; one that can allocate is named, as it takes no scope.
    func testBorrowAndMutateAccessorsParse() throws {
        try assertAnnotation("""
            struct Box {
                var p: UnsafeMutablePointer<Int>
            #if compiler(>=6.4)
                var value: Int {
                    borrow 1️⃣{ p.advanced(by: 0).pointee }
                    mutate { &p.pointee }
                }
            #endif
                func copy() -> [Int] { [p.pointee] }
            }
            """, """
            import TagRuntime

            struct Box {
                var p: UnsafeMutablePointer<Int>
            #if compiler(>=6.4)
                var value: Int {
                    borrow { p.advanced(by: 0).pointee }
                    mutate { &p.pointee }
                }
            #endif
                func copy() -> [Int] { let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }; return [p.pointee] }
            }
            """, unscoped: ["1️⃣"], scopes: true)
    }

    /// swift-collections' style: `@inlinable`, `@_alwaysEmitIntoClient` and `@_transparent`
    /// bodies are scoped like others (the generated tags are `@usableFromInline`, so the scope
    /// line compiles there and, inlined into a client, still names this module's tag), with
    /// `#if`, `consuming`/`borrowing` parameters and `~Copyable` types untouched. Coroutine
    /// accessors, result-builder bodies, task-group closures and bodies that some configuration
    /// compiles empty (`#if DEBUG` checks, where a lone `defer` would warn) get an
    /// `unscoped-body` finding at their `{` instead when they can allocate.
    func testInlinableBodiesAreScopedAndUnscopableOnesAreNamed() throws {
        try assertAnnotation("""
            public struct Box<Element: ~Copyable>: ~Copyable {
                @usableFromInline var storage: UnsafeMutablePointer<Element>
                @inlinable
                public init(_ element: consuming Element) {
                    storage = .allocate(capacity: 1)
                    storage.initialize(to: element)
                }
                @inlinable @inline(__always)
                public func peek<R>(_ body: (borrowing Element) -> R) -> R {
                    #if DEBUG
                    precondition(Int(bitPattern: storage) != 0)
                    #endif
                    return body(storage.pointee)
                }
                @_alwaysEmitIntoClient
                public var count: Int { [1].count }
                @_transparent
                public func twice() -> [Int] { [1, 1] }
                @inlinable
                public var element: Element {
                    _read { yield storage.pointee }
                    _modify 1️⃣{ var copy = [0]; copy.append(1); yield &storage.pointee }
                }
                @inlinable @inline(__always)
                func ensureValid() 4️⃣{
                #if DEBUG
                    precondition(Int(bitPattern: storage) != 0)
                #endif
                }
            }
            @resultBuilder enum LinesBuilder {
                static func buildBlock(_ parts: String...) -> [String] { parts }
            }
            @LinesBuilder func lines() -> [String] 2️⃣{
                String(1)
                String(2)
            }
            func total() async -> Int {
                await withTaskGroup(of: Int.self) 3️⃣{ group in
                    group.addTask { 1 }
                    return await group.reduce(0, +)
                }
            }
            """, """
            import TagRuntime

            public struct Box<Element: ~Copyable>: ~Copyable {
                @usableFromInline var storage: UnsafeMutablePointer<Element>
                @inlinable
                public init(_ element: consuming Element) {
                    let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }
                    storage = withAllocTag(&$T2) { .allocate(capacity: 1) }
                    storage.initialize(to: element)
                }
                @inlinable @inline(__always)
                public func peek<R>(_ body: (borrowing Element) -> R) -> R {
                    let __allocScope = AllocTagScope(&$T3); defer { __allocScope.end() }
                    #if DEBUG
                    precondition(Int(bitPattern: storage) != 0)
                    #endif
                    return body(storage.pointee)
                }
                @_alwaysEmitIntoClient
                public var count: Int { let __allocScope = AllocTagScope(&$T4); defer { __allocScope.end() }; return [1].count }
                @_transparent
                public func twice() -> [Int] { let __allocScope = AllocTagScope(&$T5); defer { __allocScope.end() }; return [1, 1] }
                @inlinable
                public var element: Element {
                    _read { yield storage.pointee }
                    _modify { var copy = [0]; copy.append(1); yield &storage.pointee }
                }
                @inlinable @inline(__always)
                func ensureValid() {
                #if DEBUG
                    precondition(Int(bitPattern: storage) != 0)
                #endif
                }
            }
            @resultBuilder enum LinesBuilder {
                static func buildBlock(_ parts: String...) -> [String] { parts }
            }
            @LinesBuilder func lines() -> [String] {
                String(1)
                String(2)
            }
            func total() async -> Int {
                let __allocScope = AllocTagTaskScope(&$T6); defer { __allocScope.end() }
                return await withTaskGroup(of: Int.self) { group in
                    group.addTask { 1 }
                    return await group.reduce(0, +)
                }
            }
            """, unscoped: ["1️⃣", "2️⃣", "3️⃣", "4️⃣"], scopes: true)
    }

    /// A body that is one `if` or `switch` expression returns it implicitly: the scope line
    /// makes it two statements, so it gets `return`; an `if`/`switch` statement does not.
    func testIfAndSwitchExpressionBodiesKeepTheirValue() throws {
        try assertAnnotation("""
            enum Kind { case a, b }
            struct Labels {
                var k: Kind
                var n: Int
                var label: String { switch k { case .a: "a\\(n)" case .b: "b" } }
                func pick(_ f: Bool) -> String { if f { "yes \\(n)" } else if n > 0 { "pos" } else { "no" } }
                func stated(_ f: Bool) -> String { if f { return "yes \\(n)" } else { return "no" } }
            }
            """, """
            import TagRuntime

            enum Kind { case a, b }
            struct Labels {
                var k: Kind
                var n: Int
                var label: String { let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }; return switch k { case .a: "a\\(n)" case .b: "b" } }
                func pick(_ f: Bool) -> String { let __allocScope = AllocTagScope(&$T2); defer { __allocScope.end() }; return if f { "yes \\(n)" } else if n > 0 { "pos" } else { "no" } }
                func stated(_ f: Bool) -> String { let __allocScope = AllocTagScope(&$T3); defer { __allocScope.end() }; if f { return "yes \\(n)" } else { return "no" } }
            }
            """, scopes: true)
    }

    /// Async bodies follow the task (`AllocTagTaskScope`); sync closures inside them the thread;
    /// closures given to a task group are left alone (the runtime forbids a binding there).
    func testAsyncBodiesGetTaskScopes() throws {
        try assertAnnotation("""
            func fetch(_ urls: [String]) async throws -> [Int] {
                var sizes: [Int] = []
                for url in urls { sizes.append(try await load(url)) }
                let names = urls.map { url in
                    let s = "<\\(url)>"
                    return s
                }
                await withTaskGroup(of: Int.self) { group in
                    group.addTask { await size(names) }
                    for await n in group { sizes.append(n) }
                }
                Task {
                    let more = try await load("x")
                    print(more)
                }
                return sizes
            }
            """, """
            import TagRuntime

            func fetch(_ urls: [String]) async throws -> [Int] {
                let __allocScope = AllocTagTaskScope(&$T1); defer { __allocScope.end() }
                var sizes: [Int] = []
                for url in urls { sizes.append(try await load(url)) }
                let names = urls.map { url in
                    let __allocScope = AllocTagScope(&$T2); defer { __allocScope.end() }
                    let s = "<\\(url)>"
                    return s
                }
                await withTaskGroup(of: Int.self) { group in
                    group.addTask { await size(names) }
                    for await n in group { sizes.append(n) }
                }
                Task {
                    let __allocScope = AllocTagTaskScope(&$T3); defer { __allocScope.end() }
                    let more = try await load("x")
                    print(more)
                }
                return sizes
            }
            """, scopes: true)
    }

    /// A task's body runs later, in a task of its own, where the creator's thread scope is not
    /// current (a detached task inherits no task scope either): one expression gets a scope too,
    /// its value returned. `async let` is awaited where its scope ends: a task scope.
    func testTaskBodiesAreScopedEvenAsOneExpression() throws {
        let names = try assertAnnotation("""
            struct Starter {
                func numbers(_ n: Int) -> Task<[Int], Never> {
                    Task { Array(repeating: n, count: n) }
                }
                func detached(_ n: Int) -> Task<String, Never> {
                    Task.detached(priority: .low) { "\\(n) items" }
                }
                func typed() -> Task<Void, Never> {
                    Task<Void, Never>(priority: .high) { await work() }
                }
                func plain(_ items: [Int]) -> [Int] { items.map { $0 + 1 } }
                func assign() { Task { self.items = makeItems() }; Task { total += count() } }
                func later() {
                    run {
                        async let a = work()
                        consume()
                    }
                }
            }
            """, """
            import TagRuntime

            struct Starter {
                func numbers(_ n: Int) -> Task<[Int], Never> {
                    let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }
                    return Task { let __allocScope = AllocTagScope(&$T2); defer { __allocScope.end() }; return Array(repeating: n, count: n) }
                }
                func detached(_ n: Int) -> Task<String, Never> {
                    let __allocScope = AllocTagScope(&$T3); defer { __allocScope.end() }
                    return Task.detached(priority: .low) { let __allocScope = AllocTagScope(&$T4); defer { __allocScope.end() }; return "\\(n) items" }
                }
                func typed() -> Task<Void, Never> {
                    let __allocScope = AllocTagScope(&$T5); defer { __allocScope.end() }
                    return Task<Void, Never>(priority: .high) { let __allocScope = AllocTagTaskScope(&$T6); defer { __allocScope.end() }; return await work() }
                }
                func plain(_ items: [Int]) -> [Int] { let __allocScope = AllocTagScope(&$T7); defer { __allocScope.end() }; return items.map { $0 + 1 } }
                func assign() { let __allocScope = AllocTagScope(&$T8); defer { __allocScope.end() }; Task { let __allocScope = AllocTagScope(&$T9); defer { __allocScope.end() }; self.items = makeItems() }; Task { let __allocScope = AllocTagScope(&$T10); defer { __allocScope.end() }; total += count() } }
                func later() {
                    let __allocScope = AllocTagScope(&$T11); defer { __allocScope.end() }
                    run {
                        let __allocScope = AllocTagTaskScope(&$T12); defer { __allocScope.end() }
                        async let a = work()
                        consume()
                    }
                }
            }
            """, scopes: true)
        XCTAssertTrue(names["T2"]!.hasPrefix("allocTag_Pool_numbers_"))
        XCTAssertTrue(names["T4"]!.hasPrefix("allocTag_Pool_detached_"))
    }

    /// `import TagRuntime` goes above the first declaration's doc comment, which stays attached
    /// to the declaration; a header comment stays above the import.
    func testImportGoesAboveTheFirstDocComment() throws {
        try assertAnnotation("""
            // Header comment.

            /// A point.
            final class P {
                func make() -> [Int] { [1] }
            }
            """, """
            // Header comment.

            import TagRuntime

            /// A point.
            final class P {
                func make() -> [Int] { let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }; return [1] }
            }
            """, scopes: true)
    }

    /// Names the corpus test found spelled differently by the two front ends; assertAnnotation
    /// holds their scope records equal.
    func testScopeNamesAgreeOnCorpusConstructs() throws {
        try assertAnnotation("""
            extension Rope<Chunk>.Builder {
                func `as`(_ t: Int.Type) -> [Int] { [t.zero] }
            }
            extension Deiniter? {
                func take() -> [Int] { [1] }
            }
            #if os(Linux)
            var errno: [Int32] {
                [CNIO_errno()]
            }
            #endif
            """, """
            import TagRuntime

            extension Rope<Chunk>.Builder {
                func `as`(_ t: Int.Type) -> [Int] { let __allocScope = AllocTagScope(&$T1); defer { __allocScope.end() }; return [t.zero] }
            }
            extension Deiniter? {
                func take() -> [Int] { let __allocScope = AllocTagScope(&$T2); defer { __allocScope.end() }; return [1] }
            }
            #if os(Linux)
            var errno: [Int32] {
                let __allocScope = AllocTagScope(&$T3); defer { __allocScope.end() }
                return [CNIO_errno()]
            }
            #endif
            """, scopes: true)
    }
}
