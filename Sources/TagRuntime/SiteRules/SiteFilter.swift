/// The kernel's allocinfo filters as one predicate: module, function, file, line, live-byte
/// bounds, inaccurate only. The runtime's `AllocationFilter` and the reports' `ReportFilter`
/// both match through it, so a filter keeps the same sites whichever model it is given.
///
/// String fields are `Glob` patterns over the whole name (a name without `*` or `?` matches
/// exactly, as the kernel's filter does; any name, even one holding `*`, matches itself).
/// Every set field must match; a `module` pattern never matches the main executable's sites
/// (they have no module). Byte bounds are inclusive.
public struct SiteFilter: Hashable, Sendable {
    public var module: String?
    public var function: String?
    public var file: String?
    public var line: Int?
    public var minBytes: Int64?
    public var maxBytes: Int64?
    public var inaccurateOnly: Bool

    public init(module: String? = nil, function: String? = nil, file: String? = nil, line: Int? = nil,
                minBytes: Int64? = nil, maxBytes: Int64? = nil, inaccurateOnly: Bool = false) {
        self.module = module
        self.function = function
        self.file = file
        self.line = line
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.inaccurateOnly = inaccurateOnly
    }

    public func matches(module siteModule: String?, function siteFunction: String, file siteFile: String, line siteLine: Int,
                        bytes: Int64, accurate: Bool) -> Bool {
        if let module {
            guard let siteModule, Glob.matches(module, siteModule) else { return false }
        }
        if let function, !Glob.matches(function, siteFunction) { return false }
        if let file, !Glob.matches(file, siteFile) { return false }
        if let line, siteLine != line { return false }
        if let minBytes, bytes < minBytes { return false }
        if let maxBytes, bytes > maxBytes { return false }
        if inaccurateOnly, accurate { return false }
        return true
    }
}
