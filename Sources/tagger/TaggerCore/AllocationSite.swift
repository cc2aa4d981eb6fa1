/// One allocation call site found by a front end (C or Swift).
///
/// Invariant: `tagged == true` exactly when the site's allocation is charged to a static tag
/// of its own line (directly hooked, or reached through a `_noprof` helper whose callers are
/// hooked); `reason` then is nil. An untagged site always carries a reason a user can act on.
public struct AllocationSite: Hashable, Codable, Sendable {
    public enum Language: String, Codable, Sendable { case c, swift }

    public var location: SourceLocation
    public var language: Language
    /// The allocator called: `malloc`, `strdup`, `UnsafeMutablePointer.allocate`, a user allocator…
    public var callee: String
    /// The enclosing function, or nil at file scope.
    public var function: String?
    public var tagged: Bool
    /// Why the site is not tagged (nil when tagged).
    public var reason: String?
    /// Set when the call is spelled inside a macro body: the macro's name.
    public var macro: String?

    public init(location: SourceLocation, language: Language, callee: String, function: String?,
                tagged: Bool, reason: String? = nil, macro: String? = nil) {
        self.location = location
        self.language = language
        self.callee = callee
        self.function = function
        self.tagged = tagged
        self.reason = reason
        self.macro = macro
    }
}
