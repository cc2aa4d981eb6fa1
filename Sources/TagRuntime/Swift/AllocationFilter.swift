import AllocSiteRules

/// The kernel's allocinfo filters, for reading this process's own report: every set field
/// must match (module, function and file as whole-name globs, `*` and `?` wildcards, so a
/// plain name matches exactly; `line`; live bytes within the inclusive bounds; only sites that
/// lost track). The matching is `SiteFilter`'s, the same as `tagger allocinfo`'s filters.
public struct AllocationFilter: Sendable, Equatable {
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

    public var siteFilter: SiteFilter {
        SiteFilter(module: module, function: function, file: file, line: line, minBytes: minBytes, maxBytes: maxBytes, inaccurateOnly: inaccurateOnly)
    }

    public func matches(_ entry: AllocationEntry) -> Bool {
        siteFilter.matches(module: entry.module, function: entry.function, file: entry.file, line: entry.line,
                           bytes: entry.bytes, accurate: entry.accurate)
    }
}

extension AllocationReport {
    /// The entries `filter` keeps, with the text re-made from them (same header, same lines).
    public func filtered(_ filter: AllocationFilter) -> AllocationReport {
        let rule = filter.siteFilter
        let kept = entries.filter {
            rule.matches(module: $0.module, function: $0.function, file: $0.file, line: $0.line, bytes: $0.bytes, accurate: $0.accurate)
        }
        return AllocationReport(text: AllocationReport.header + kept.map(\.allocinfoLine).joined(), entries: kept, peakBytes: peakBytes, peakInterval: peakInterval)
    }

    /// Live inspection of this process: `AllocProfiling.report(filter)`.
    public static func current(_ filter: AllocationFilter) -> AllocationReport {
        current().filtered(filter)
    }
}
