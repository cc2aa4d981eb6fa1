/// The words every front end shares, in one place: what is an allocator and how the hooks are
/// spelled. The C front end, the token scan and the Swift front ends read these lists; the
/// runtime's `override.h` defines one macro per `mallocFamily` name, and
/// `VocabularyTests` fails when the two drift apart.
public enum Vocabulary {
    /// The C allocation functions the runtime interposes, always allocators, in `override.h`'s order.
    public static let mallocFamily: [String] = [
        "malloc", "calloc", "realloc", "reallocarray", "strdup", "strndup", "aligned_alloc",
        "posix_memalign", "memalign", "valloc", "pvalloc",
    ]

    /// C's hooks: `alloc_hooks(expr)` and `alloc_hooks_tag(&tag, expr)` evaluate `expr` with a tag current.
    public static let cHookMacros: Set<String> = ["alloc_hooks", "alloc_hooks_tag"]
}
