import CAllocTag

/// The tag of a whole synchronous body, as `tagger annotate` inserts it at the top of each
/// function, initializer, accessor, `deinit` and multi-statement closure that can allocate:
/// ```swift
/// func parse() throws -> Document {
///     let __allocScope = AllocTagScope(&allocTag_Parser_parse_1f2e3d4c5b6a); defer { __allocScope.end() }
///     ...
/// }
/// ```
/// Every allocation the body makes, implicit ones included (class instances, array,
/// dictionary and string storage, closure contexts, boxes), is charged to the tag until the
/// body exits, however it exits (`return`, `throw`, the end). Explicit sites
/// (`withAllocTag`) and the scopes of called functions nest inside it: the innermost wins.
///
/// Invariant: `end()` runs exactly once, on the thread that made the scope, after every scope
/// and site opened inside it has ended; `defer` guarantees it in synchronous code. The tag is
/// per thread, so this type is for bodies that cannot suspend (async bodies get
/// `AllocTagTaskScope`).
///
/// Cost: the swap and the restore of `withAllocTag` (two thread-local stores, one compare),
/// inlined into the body; see docs/performance.md for the measured cost per annotated call.
@frozen
public struct AllocTagScope {
    @usableFromInline let tag: UnsafeMutableRawPointer
    @usableFromInline let previous: UnsafeMutableRawPointer?

    @inlinable @inline(__always)
    public init(_ tag: UnsafeMutableRawPointer) {
        self.tag = tag
        previous = alloc_tag_swap_raw(tag)
    }

    @inlinable @inline(__always)
    public func end() {
        alloc_tag_restore_raw(tag, previous)
    }
}
