import AllocSiteRules

/// The kernel's allocinfo filters, for reading this process's own report: every set field
/// must match (module, function and file as whole-name globs, `*` and `?` wildcards, so a
/// plain name matches exactly; `line`; live bytes within the inclusive bounds; only sites that
/// lost track). It is `SiteFilter` itself, the rule `tagger allocinfo`'s filters match with,
/// so one filter keeps the same sites in process and in a report file.
public typealias AllocationFilter = SiteFilter

extension SiteFilter {
    public func matches(_ entry: AllocationEntry) -> Bool {
        matches(module: entry.module, function: entry.function, file: entry.file, line: entry.line,
                bytes: entry.bytes, accurate: entry.accurate)
    }
}

extension AllocationReport {
    /// The entries `filter` keeps, with the text re-made from them (same header, same lines).
    public func filtered(_ filter: AllocationFilter) -> AllocationReport {
        let kept = entries.filter(filter.matches)
        return AllocationReport(text: AllocationReport.header + kept.map(\.allocinfoLine).joined(), entries: kept, peakBytes: peakBytes, peakInterval: peakInterval)
    }

    /// Live inspection of this process: `AllocProfiling.report(filter)`.
    public static func current(_ filter: AllocationFilter) -> AllocationReport {
        current().filtered(filter)
    }
}
