/// A parsed allocinfo v2.0 report (the kernel's /proc/allocinfo format).
///
/// Invariant: `entries` keeps the report's order and duplicates; `merged()` gives one entry per
/// site, which is what every derived view (pprof, folded, JSON, HTML, diff) works on.
public struct AllocinfoReport: Hashable, Sendable {
    public static let header = "allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n"

    public var entries: [AllocinfoEntry]
    /// Where the report came from (a path, `pid 1234`, `<stdin>`); used in messages and outputs.
    public var source: String
    /// The process's peak: only in an extended report (then every entry has a `history`).
    public var peak: AllocinfoPeak?
    /// Swift class instances the runtime could not attribute to a site (its table of sites was
    /// full): the extended report's `# types not recorded:` line; nil when absent.
    public var typesNotRecorded: AllocinfoTypeCount?

    public init(entries: [AllocinfoEntry], source: String = "<report>", peak: AllocinfoPeak? = nil,
                typesNotRecorded: AllocinfoTypeCount? = nil) {
        self.entries = entries
        self.source = source
        self.peak = peak
        self.typesNotRecorded = typesNotRecorded
    }

    /// Parses allocinfo v2.0 text strictly; see `AllocinfoParser`.
    public init(parsing text: String, source: String = "<input>") throws(AllocinfoParseError) {
        self = try AllocinfoParser.parse(Array(text.utf8), source: source)
    }

    public init(parsing bytes: [UInt8], source: String = "<input>") throws(AllocinfoParseError) {
        self = try AllocinfoParser.parse(bytes, source: source)
    }

    public var totalBytes: Int64 { entries.reduce(0) { $0 &+ $1.bytes } }
    public var totalCalls: Int64 { entries.reduce(0) { $0 &+ $1.calls } }

    /// The report in allocinfo v2.0 text, byte-compatible with the kernel's.
    public var text: String {
        var out = Self.header
        for entry in entries { out += entry.allocinfoLine }
        return out
    }

    /// One entry per site, in order of first appearance; counts summed, inaccurate if any part was.
    public func merged() -> AllocinfoReport {
        var index: [AllocSiteKey: Int] = [:]
        var result: [AllocinfoEntry] = []
        for entry in entries {
            if let i = index[entry.site] {
                result[i].bytes &+= entry.bytes
                result[i].calls &+= entry.calls
                result[i].accurate = result[i].accurate && entry.accurate
                if let mine = result[i].history, let other = entry.history { result[i].history = mine.adding(other) }
                if let other = entry.types { result[i].types = AllocinfoTypeCount.merging(result[i].types ?? [], other) }
            } else {
                index[entry.site] = result.count
                result.append(entry)
            }
        }
        return AllocinfoReport(entries: result, source: source, peak: peak, typesNotRecorded: typesNotRecorded)
    }

    /// The sites that held memory when the process's live total was highest, most first.
    public var peakSites: [AllocinfoEntry] {
        merged().entries.filter { ($0.history?.bytesAtPeak ?? 0) > 0 }
            .sorted { ($0.history!.bytesAtPeak, $1.site) > ($1.history!.bytesAtPeak, $0.site) }
    }
}

/// The process's live bytes at their highest, from the extended report's `# peak:` line.
public struct AllocinfoPeak: Hashable, Sendable {
    public var bytes: Int64
    /// Bytes each thread allocates between samples (ALLOCTAG_PEAK_INTERVAL): the true peak is
    /// less than `interval` x (threads allocating) above `bytes`; 1 means exact for one thread.
    public var interval: Int64

    public init(bytes: Int64, interval: Int64) {
        self.bytes = bytes
        self.interval = interval
    }
}
