/// The words every front end shares, in one place: what is an allocator and how the hooks are
/// spelled (rule ids are `Rules`'). The C front end, the token scan and the Swift front ends
/// read these lists. The runtime cannot import them: its `override.h` defines one macro per
/// `mallocFamily` name and its Swift API declares the Swift hooks, and `VocabularyTests` fails
/// when either drifts from this file.
public enum Vocabulary {
    /// The C allocation functions the runtime interposes, always allocators, in `override.h`'s order.
    public static let mallocFamily: [String] = [
        "malloc", "calloc", "realloc", "reallocarray", "strdup", "strndup", "aligned_alloc",
        "posix_memalign", "memalign", "valloc", "pvalloc",
    ]

    /// C's hooks: `alloc_hooks(expr)`, `alloc_hooks_void(expr)` (for a call yielding no value)
    /// and `alloc_hooks_tag(&tag, expr)` evaluate `expr` with a tag current.
    public static let cHookMacros: Set<String> = ["alloc_hooks", "alloc_hooks_void", "alloc_hooks_tag"]

    /// Swift's hook: `withAllocTag(&tag) { expr }`.
    public static let swiftHook = "withAllocTag"
    /// A body's scope, as `annotate` inserts it as the body's first line:
    /// `let __allocScope = AllocTagScope(&tag); defer { __allocScope.end() }`.
    public static let swiftScopeTypes: Set<String> = ["AllocTagScope", "AllocTagTaskScope"]
    public static let swiftScopeVariable = "__allocScope"
}
