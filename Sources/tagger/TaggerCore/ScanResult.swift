import Foundation

/// A call through a function pointer: an allocation site when every function that can reach
/// the pointer is an allocator or an allocation helper.
public struct IndirectCall: Codable, Sendable {
    public var location: SourceLocation
    public var callee: String
    public var function: String?
    public var decided: Bool
    public var reason: String

    public init(location: SourceLocation, callee: String, function: String?, decided: Bool, reason: String) {
        self.location = location
        self.callee = callee
        self.function = function
        self.decided = decided
        self.reason = reason
    }
}

/// What a front end found: every allocation site, the findings, and (C) the helpers and calls
/// through function pointers. Every provider returns one; the driver merges them. It lives in
/// TaggerCore so the driver and the build plugin's generator need no front end to name it.
public struct ScanResult: Codable, Sendable {
    public var sites: [AllocationSite]
    public var findings: [Finding]
    public var helpers: [HelperInfo]
    /// Every call through a function pointer, and whether it was decided to allocate.
    public var indirectCalls: [IndirectCall]
    /// Files analysed (inputs and the project headers they include).
    public var files: [String]
    /// Generated tags (`allocTag_...`) referenced in the code, in file order, when the front
    /// end reports them (the token scan does: the build plugin declares them). nil is "not
    /// reported", which keeps `tagger scan --json` unchanged.
    public var tagReferences: [TagReference]?

    public init(sites: [AllocationSite] = [], findings: [Finding] = [], helpers: [HelperInfo] = [],
                indirectCalls: [IndirectCall] = [], files: [String] = [], tagReferences: [TagReference]? = nil) {
        self.sites = sites
        self.findings = findings
        self.helpers = helpers
        self.indirectCalls = indirectCalls
        self.files = files
        self.tagReferences = tagReferences
    }

    public var hasErrors: Bool { findings.contains { $0.severity == .error } }

    /// One result for a run over several front ends (Swift and C inputs together).
    public mutating func append(_ other: ScanResult) {
        sites += other.sites
        findings += other.findings
        helpers += other.helpers
        indirectCalls += other.indirectCalls
        files += other.files
        if let references = other.tagReferences { tagReferences = (tagReferences ?? []) + references }
    }
}

/// A function that hands allocator memory to its callers (`xmalloc`-style).
public struct HelperInfo: Hashable, Codable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// The allocator or helper whose result it returns.
    public var returns: String
    /// The `_noprof` recipe is (or, for `scan`, can be) in place.
    public var recipe: Bool
    /// Why the recipe cannot be applied (nil when it can).
    public var reason: String?
    /// Already renamed `name_noprof` with its `#define` by an earlier run.
    public var alreadyApplied: Bool

    public init(name: String, location: SourceLocation, returns: String, recipe: Bool, reason: String?, alreadyApplied: Bool) {
        self.name = name
        self.location = location
        self.returns = returns
        self.recipe = recipe
        self.reason = reason
        self.alreadyApplied = alreadyApplied
    }
}

/// A reference to a generated tag (`&allocTag_...`): what the build plugin declares.
public struct TagReference: Codable, Sendable, Equatable {
    public var name: String
    /// The enclosing declaration, as the tag record names it.
    public var function: String
    public var location: SourceLocation

    public init(name: String, function: String, location: SourceLocation) {
        self.name = name
        self.function = function
        self.location = location
    }
}
