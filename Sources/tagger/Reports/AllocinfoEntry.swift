import TaggerCore

/// Where an allocation was charged: the identity of one tag as the report prints it.
///
/// Two tags with equal keys are one site for every derived view (the kernel prints such
/// duplicates for `static inline` allocators in headers; each translation unit owns a tag).
public struct AllocSiteKey: Hashable, Comparable, Sendable {
    /// The shared library (`[module]` in the report); nil for the main executable.
    public var module: String?
    public var file: String
    public var line: Int
    public var function: String

    public init(module: String? = nil, file: String, line: Int, function: String) {
        self.module = module
        self.file = file
        self.line = line
        self.function = function
    }

    /// The synthetic site of allocations made with no current tag.
    public static let untagged = AllocSiteKey(file: "<untagged>", line: 0, function: "<untagged>")

    public var isUntagged: Bool { self == .untagged }

    /// `file:line [module] func:name`, exactly the report's tag info.
    public var tagInfo: String {
        if let module { return "\(file):\(line) [\(module)] func:\(function)" }
        return "\(file):\(line) func:\(function)"
    }

    /// `file:line`, the form editors jump to.
    public var location: String { "\(file):\(line)" }

    /// `SiteRanking.siteOrder`: module ("" for none), file, line, function.
    public static func < (a: AllocSiteKey, b: AllocSiteKey) -> Bool {
        SiteRanking.siteOrder((a.module, a.file, a.line, a.function), (b.module, b.file, b.line, b.function))
    }
}

/// What the extended report adds to a site's line: cumulative counts and peaks.
public struct AllocinfoHistory: Hashable, Sendable {
    /// The highest live bytes the site reached (sampled: see `AllocinfoPeak.interval`).
    public var peakBytes: Int64
    /// Bytes ever allocated at the site (a realloc counts once, its new size).
    public var totalBytes: Int64
    /// Allocations ever made at the site.
    public var totalCalls: Int64
    /// The site's live bytes when the process's live total was highest.
    public var bytesAtPeak: Int64

    public init(peakBytes: Int64, totalBytes: Int64, totalCalls: Int64, bytesAtPeak: Int64) {
        self.peakBytes = peakBytes
        self.totalBytes = totalBytes
        self.totalCalls = totalCalls
        self.bytesAtPeak = bytesAtPeak
    }

    /// Two tags of one site: totals add; peaks add too, an upper bound (they may not coincide).
    func adding(_ other: AllocinfoHistory) -> AllocinfoHistory {
        AllocinfoHistory(peakBytes: peakBytes &+ other.peakBytes, totalBytes: totalBytes &+ other.totalBytes,
                         totalCalls: totalCalls &+ other.totalCalls, bytesAtPeak: bytesAtPeak &+ other.bytesAtPeak)
    }
}

/// A Swift class type whose instances a site allocated, from the extended report's `+ type`
/// lines (version 2): instances and bytes ever allocated there (`swift_allocObject`'s size).
/// `name` is `<other types>` for the site's types past the runtime's bound (8 per site).
public struct AllocinfoTypeCount: Hashable, Sendable {
    public static let otherTypes = "<other types>"
    public var name: String
    public var instances: Int64
    public var bytes: Int64

    public init(name: String, instances: Int64, bytes: Int64) {
        self.name = name
        self.instances = instances
        self.bytes = bytes
    }

    /// Two tags of one site: counts of the same name add; most instances first (ties: by name),
    /// `<other types>` last, as the runtime orders them.
    static func merging(_ a: [AllocinfoTypeCount], _ b: [AllocinfoTypeCount]) -> [AllocinfoTypeCount] {
        var merged = a
        for t in b {
            if let i = merged.firstIndex(where: { $0.name == t.name }) {
                merged[i].instances &+= t.instances
                merged[i].bytes &+= t.bytes
            } else {
                merged.append(t)
            }
        }
        return merged.sorted { x, y in
            let xOther = x.name == otherTypes, yOther = y.name == otherTypes
            if xOther != yOther { return yOther }
            return (x.instances, y.name) > (y.instances, x.name)
        }
    }
}

/// One line of an allocinfo report: live bytes and live allocations of one tag.
public struct AllocinfoEntry: Hashable, Sendable {
    public var site: AllocSiteKey
    /// Live bytes (`%12lli`: signed, as the kernel prints it).
    public var bytes: Int64
    /// Live allocations. Never negative in a report read from a process; a diff's deltas can be.
    public var calls: Int64
    /// False when the runtime lost track of some allocations of this site (` accurate:no`).
    public var accurate: Bool
    /// Cumulative counts and peaks: only in an extended report, nil in a v2.0 one.
    public var history: AllocinfoHistory?
    /// The Swift class types allocated here: from an extended report a list (empty for a site
    /// that allocated none, every site of a version 1 report); nil when not known (a v2.0
    /// report, or entries built from the runtime's Swift API, which carries no types).
    public var types: [AllocinfoTypeCount]?

    public init(site: AllocSiteKey, bytes: Int64, calls: Int64, accurate: Bool = true, history: AllocinfoHistory? = nil,
                types: [AllocinfoTypeCount]? = nil) {
        self.site = site
        self.bytes = bytes
        self.calls = calls
        self.accurate = accurate
        self.history = history
        self.types = types
    }

    /// The line exactly as /proc/allocinfo prints it, newline included:
    /// `printf("%12lli %8llu ", bytes, calls)`, the tag info, ` accurate:no` when set, `" \n"`.
    public var allocinfoLine: String {
        var line = pad(String(bytes), 12) + " " + pad(String(calls), 8) + " " + site.tagInfo
        if !accurate { line += " accurate:no" }
        return line + " \n"
    }
}

/// Right-aligns `s` in `width` columns, as printf's `%Nd` does (never truncates).
func pad(_ s: String, _ width: Int) -> String {
    let n = s.utf8.count
    return n >= width ? s : String(repeating: " ", count: width - n) + s
}

/// Left-aligns `s` in `width` columns.
func padRight(_ s: String, _ width: Int) -> String {
    let n = s.utf8.count
    return n >= width ? s : s + String(repeating: " ", count: width - n)
}

/// `+12`, `-3`, `0`: a delta as `%+lli` prints it (zero is printed as `+0`).
func signed(_ v: Int64) -> String { v < 0 ? String(v) : "+" + String(v) }
