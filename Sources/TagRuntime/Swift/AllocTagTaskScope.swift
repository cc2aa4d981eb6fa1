import CAllocTag

/// The tag of a whole async body, as `tagger annotate --scopes` inserts it:
/// ```swift
/// func load() async throws -> Page {
///     let __allocScope = AllocTagTaskScope(&allocTag_Loader_load_0a1b2c3d4e5f); defer { __allocScope.end() }
///     ...
/// }
/// ```
/// A thread's current tag is wrong across `await`: the task may resume on another thread, and
/// other work may run on this one meanwhile. So the tag is bound in a task-local instead, which
/// moves with the task: allocations after an `await` are charged to the scope wherever the task
/// resumes, and nothing else that runs on the thread sees it. The allocator asks for the task's
/// tag only when no thread tag is current, so sync scopes and sites inside stay innermost.
///
/// Invariant: `end()` runs once, in the same task, after every scope opened inside it ended
/// (`defer` in the async body guarantees it); the binding is the runtime's task-local push and
/// pop, as `TaskLocal.withValue` does them, without the closure a one-line scope cannot have.
/// Not for the body of a task-group closure (the runtime forbids binding there; `annotate`
/// skips those closures).
///
/// Cost: a task-local push and pop per call, and from the first task scope on, every
/// allocation under no thread tag looks the task-local up (an indirect call and a short walk).
public struct AllocTagTaskScope {
    @inline(__always)
    public init(_ tag: UnsafeMutableRawPointer) {
        _ = AllocTagTask.installed
        alloc_tag_task_push(AllocTagTask.key, UInt(bitPattern: tag), AllocTagTask.valueType)
    }

    @inline(__always)
    public func end() {
        alloc_tag_task_pop()
    }
}

enum AllocTagTask {
    /// The tag's address (a pointer is not `Sendable`; its bits are).
    @TaskLocal static var current: UInt = 0

    /// The task-local's identity, as `TaskLocal` passes it to the runtime.
    nonisolated(unsafe) static let key = UnsafeRawPointer(Unmanaged.passUnretained(AllocTagTask.$current).toOpaque())
    /// `UInt`'s type metadata: the pushed value's type.
    nonisolated(unsafe) static let valueType = unsafeBitCast(UInt.self as Any.Type, to: UnsafeRawPointer.self)

    /// Installs the allocator's lookup once. It is called first here, so that its symbols are
    /// bound before the allocator can call it (lazy binding may allocate).
    static let installed: Bool = {
        _ = allocTagTaskLookup()
        alloc_tag_set_task_lookup(allocTagTaskLookup)
        return true
    }()
}

/// What the allocator calls under no thread tag: reads the task-local, allocates nothing.
private let allocTagTaskLookup: @convention(c) () -> UnsafeMutableRawPointer? = {
    UnsafeMutableRawPointer(bitPattern: AllocTagTask.current)
}
