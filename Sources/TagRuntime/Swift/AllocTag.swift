import CAllocTag

// Tags reach the runtime only through the `alloc_tags` section, which `@section` (Swift 6.3)
// writes. An older compiler would build every tag outside the section, where the runtime
// never sees it: every site silently untagged. So the package refuses such a compiler, and
// nothing it generates carries a fallback for one.
#if !compiler(>=6.3)
#error("alloctag needs Swift 6.3 or later: static tags are placed in the alloc_tags section with @section")
#endif

/// A function returning one of a tag's strings. Swift cannot place a string pointer in a
/// constant record, but it can place a non-capturing `@convention(c)` closure that returns
/// `StaticString.utf8Start`.
public typealias AllocTagString = @convention(c) () -> UnsafePointer<UInt8>?

/// A call site's static tag, laid out exactly as C's `struct codetag` (40 bytes):
/// `(magic, flags, line, index, module, function, file)`.
///
/// Declare one per call site at file scope, in the `alloc_tags` section:
/// ```swift
/// @section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
/// var parseTag: AllocTagRecord = (0x3147_4154, 1, 42, 0,
///     { nil }, { StaticString("parse()").utf8Start }, { StaticString("Parser.swift").utf8Start })
/// ```
/// The initializer must be a compile-time constant, so the magic (``allocTagMagic``) and
/// the flag (``allocTagFlagStringFunctions``) are spelled as literals; `index` must start
/// at 0: the runtime writes it. `@exclusivity(unchecked)` keeps
/// `&tag` at a call site a plain address (no `swift_beginAccess` in release builds).
public typealias AllocTagRecord = (
    UInt32, UInt32, UInt32, UInt32, AllocTagString, AllocTagString, AllocTagString
)

/// The record's first word; the runtime skips anything else in the section.
public let allocTagMagic: UInt32 = 0x3147_4154
/// Flag telling the runtime the three string fields are functions (always set from Swift).
public let allocTagFlagStringFunctions: UInt32 = 1

/// Runs `body` with `tag` as the thread's current allocation tag: every allocation `body`
/// makes (class instances, arrays, strings, unsafe buffers, malloc) is charged to it.
/// Nesting works; the innermost tag wins.
///
/// `body` must be synchronous: a tag is per thread, and an `await` inside would let other
/// work run on this thread under it. Wrap the allocating expression itself.
///
/// The swap and restore are inline C with compiler barriers: a plain Swift thread-local
/// store around the allocation was seen removed by the optimizer in release builds.
///
/// `Result` may be noncopyable (swift-collections wraps `_UnsafeDequeHandle.allocate(...)`,
/// a `~Copyable` handle, in `withAllocTag`).
@inline(__always)
public func withAllocTag<Result: ~Copyable>(
    _ tag: UnsafeMutableRawPointer, _ body: () throws -> Result
) rethrows -> Result {
    let previous = alloc_tag_swap_raw(tag)
    defer { alloc_tag_restore_raw(tag, previous) }
    return try body()
}
