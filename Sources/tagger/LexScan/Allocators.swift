import TaggerCore

/// What counts as an allocation site, and the spelling of the Swift hook. Both front ends
/// (swift-syntax for annotate, the token scan for every build) read these, so they agree.
public enum AllocatorNames {
    /// C allocators callable from Swift (and the malloc family a C scan looks for): `Vocabulary.mallocFamily` as a set.
    public static let cFunctions = Set(Vocabulary.mallocFamily)
    /// Modules through which Swift may spell a C allocator, as in `Glibc.malloc(8)`.
    public static let cModules: Set<String> = ["Glibc", "Darwin", "Musl", "Foundation", "Android", "ucrt", "WinSDK"]
    /// First argument labels of `allocate(capacity:)` and `allocate(byteCount:alignment:)`.
    public static let allocateLabels: Set<String> = ["capacity", "byteCount"]

    /// The runtime's Swift hook and scopes (`Vocabulary`'s words, named here for the Swift front ends).
    public static let hook = Vocabulary.swiftHook
    public static let scopeTypes = Vocabulary.swiftScopeTypes
    public static let scopeVariable = Vocabulary.swiftScopeVariable
    /// In a comment before a declaration (or inside a closure), keeps `annotate` from scoping it.
    public static let noScopeMarker = "alloctag:no-scope"
    /// Tags whose names start with this are declared by the build plugin; others are the user's.
    public static let generatedTagPrefix = "allocTag_"

    /// `Unsafe[Mutable][Raw]Pointer` and `Unsafe[Mutable][Raw]BufferPointer`.
    public static func isUnsafePointerType(_ name: String) -> Bool {
        guard name.hasPrefix("Unsafe"), name.hasSuffix("Pointer") else { return false }
        var rest = name.dropFirst("Unsafe".count).dropLast("Pointer".count)
        if rest.hasPrefix("Mutable") { rest = rest.dropFirst("Mutable".count) }
        if rest.hasPrefix("Raw") { rest = rest.dropFirst("Raw".count) }
        return rest.isEmpty || rest == "Buffer"
    }

    /// Spelled as a type: a capital first letter (after leading underscores when they are allowed,
    /// as in `_HashNode.Storage`). Both front ends decide `Type.create(...)` bases with it.
    public static func isTypeName(_ name: String, leadingUnderscores: Bool = false) -> Bool {
        let rest = leadingUnderscores ? name.drop { $0 == "_" } : Substring(name)
        return rest.unicodeScalars.first?.properties.isUppercase == true
    }
}
