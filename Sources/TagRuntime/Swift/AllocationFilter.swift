/// The kernel's allocinfo filters, for reading this process's own report: every set field
/// must match (module, function and file exactly; `line`; live bytes within the bounds;
/// only sites that lost track).
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

    public func matches(_ entry: AllocationEntry) -> Bool {
        if let module, entry.module != module { return false }
        if let function, entry.function != function { return false }
        if let file, entry.file != file { return false }
        if let line, entry.line != line { return false }
        if let minBytes, entry.bytes < minBytes { return false }
        if let maxBytes, entry.bytes > maxBytes { return false }
        if inaccurateOnly && entry.accurate { return false }
        return true
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
