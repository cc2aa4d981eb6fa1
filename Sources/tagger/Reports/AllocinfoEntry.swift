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

    public static func < (a: AllocSiteKey, b: AllocSiteKey) -> Bool {
        if (a.module ?? "") != (b.module ?? "") { return (a.module ?? "") < (b.module ?? "") }
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return a.line < b.line }
        return a.function < b.function
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

    public init(site: AllocSiteKey, bytes: Int64, calls: Int64, accurate: Bool = true) {
        self.site = site
        self.bytes = bytes
        self.calls = calls
        self.accurate = accurate
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
