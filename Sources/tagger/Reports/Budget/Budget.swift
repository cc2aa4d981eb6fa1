import TaggerCore

/// Per-site allocation budgets: `{"sites": [{"file": "peak.c", "line": 7, "max_bytes": 1048576}]}`.
///
/// An entry selects sites by `file`, `function` and `module` (globs: `*`, `?`) and `line`, or,
/// as `--write-budget` records it, by `text`: the trimmed source line of the site, which keeps
/// matching when the line moves (as the coverage gate's baselines do); `line` is then only the
/// line it was recorded at. Limits, each optional: `max_bytes` and `max_calls` (live),
/// `max_total_bytes` and `max_total_calls` (cumulative), `max_peak_bytes`. Every matching site
/// is checked on its own. `tolerance` (a fraction: 0.1 = 10 %, per entry or for the whole
/// file) raises each limit to floor(limit x (1 + tolerance)).
public struct Budget: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var file: String?
        public var line: Int?
        public var function: String?
        public var module: String?
        public var text: String?
        public var limits: [Metric: Int64]
        public var tolerance: Double?
        /// Line of the entry in the budget file (0 when built in code).
        public var sourceLine: Int

        public init(file: String? = nil, line: Int? = nil, function: String? = nil, module: String? = nil, text: String? = nil,
                    limits: [Metric: Int64], tolerance: Double? = nil, sourceLine: Int = 0) {
            self.file = file
            self.line = line
            self.function = function
            self.module = module
            self.text = text
            self.limits = limits
            self.tolerance = tolerance
            self.sourceLine = sourceLine
        }
    }

    /// What a limit bounds, with its key in the budget file.
    public enum Metric: String, CaseIterable, Hashable, Sendable, Comparable {
        case bytes = "max_bytes"
        case calls = "max_calls"
        case totalBytes = "max_total_bytes"
        case totalCalls = "max_total_calls"
        case peakBytes = "max_peak_bytes"

        /// `4194304 live bytes`: the value and what it counts, as findings print them.
        public func describe(_ value: Int64) -> String {
            switch self {
            case .bytes: "\(value) live bytes"
            case .calls: "\(value) live \(value == 1 ? "allocation" : "allocations")"
            case .totalBytes: "\(value) bytes allocated in total"
            case .totalCalls: "\(value) \(value == 1 ? "allocation" : "allocations") in total"
            case .peakBytes: "\(value) peak live bytes"
            }
        }

        /// The site's value; nil when the report does not carry it (a v2.0 report has no totals).
        public func value(of entry: AllocinfoEntry) -> Int64? {
            switch self {
            case .bytes: entry.bytes
            case .calls: entry.calls
            case .totalBytes: entry.history?.totalBytes
            case .totalCalls: entry.history?.totalCalls
            case .peakBytes: entry.history?.peakBytes
            }
        }

        public static func < (a: Metric, b: Metric) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var entries: [Entry]
    public var tolerance: Double?

    public init(entries: [Entry], tolerance: Double? = nil) {
        self.entries = entries
        self.tolerance = tolerance
    }

    /// A budget file that cannot be used: `path:line: error: message`.
    public struct FileError: Error, Hashable, Sendable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var message: String
        public var description: String { "\(path):\(line): error: \(message)" }

        public init(path: String, line: Int, message: String) {
            self.path = path
            self.line = line
            self.message = message
        }
    }

    /// Parses a budget file strictly: unknown keys, wrong types, negative limits and entries
    /// without a limit are errors naming their line.
    public static func parse(_ bytes: [UInt8], path: String) throws(FileError) -> Budget {
        let root: LinedJSON
        do { root = try LinedJSON.parse(bytes) } catch { throw FileError(path: path, line: error.line, message: "invalid JSON: \(error.message)") }
        func fail(_ at: LinedJSON, _ message: String) -> FileError { FileError(path: path, line: at.line, message: message) }
        guard case .object(let top) = root.value else { throw fail(root, "expected an object {\"sites\": [...]}") }
        var budget = Budget(entries: [])
        var sites: [LinedJSON]?
        for (key, value) in top {
            switch key {
            case "version":
                guard case .number("1") = value.value else { throw fail(value, "budget version must be 1") }
            case "tolerance": budget.tolerance = try fraction(value, fail)
            case "sites":
                guard case .array(let items) = value.value else { throw fail(value, "\"sites\" must be an array of entries") }
                sites = items
            default: throw fail(value, "unknown key \"\(key)\" (expected sites, tolerance, version)")
            }
        }
        guard let sites else { throw fail(root, "missing \"sites\": the list of budget entries") }
        for site in sites {
            guard case .object(let members) = site.value else { throw fail(site, "a budget entry must be an object") }
            var entry = Entry(limits: [:], sourceLine: site.line)
            for (key, value) in members {
                func string() throws(FileError) -> String {
                    guard case .string(let s) = value.value, !s.isEmpty else { throw fail(value, "\"\(key)\" must be a non-empty string") }
                    return s
                }
                if let metric = Metric(rawValue: key) {
                    guard case .number(let text) = value.value, let n = Int64(text), n >= 0 else {
                        throw fail(value, "\"\(key)\" must be a whole number of 0 or more")
                    }
                    entry.limits[metric] = n
                    continue
                }
                switch key {
                case "file": entry.file = try string()
                case "function": entry.function = try string()
                case "module": entry.module = try string()
                case "text": entry.text = try string()
                case "line":
                    guard case .number(let text) = value.value, let n = Int(text), n >= 0 else { throw fail(value, "\"line\" must be a line number") }
                    entry.line = n
                case "tolerance": entry.tolerance = try fraction(value, fail)
                default:
                    throw fail(value, "unknown key \"\(key)\" (expected file, line, function, module, text, tolerance, "
                        + Metric.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                }
            }
            guard !entry.limits.isEmpty else {
                throw fail(site, "the entry sets no limit (" + Metric.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            guard entry.file != nil || entry.function != nil || entry.module != nil else {
                throw fail(site, "the entry selects no site: give \"file\", \"function\" or \"module\"")
            }
            budget.entries.append(entry)
        }
        return budget
    }

    private static func fraction(_ value: LinedJSON, _ fail: (LinedJSON, String) -> FileError) throws(FileError) -> Double {
        guard case .number(let text) = value.value, let d = Double(text), d >= 0, d.isFinite else {
            throw fail(value, "\"tolerance\" must be a fraction of 0 or more (0.1 = 10%)")
        }
        return d
    }

    /// The limit an entry allows after its tolerance (the entry's, else the file's).
    public func allowed(_ entry: Entry, _ metric: Metric) -> Int64? {
        guard let limit = entry.limits[metric] else { return nil }
        let tolerance = entry.tolerance ?? self.tolerance ?? 0
        guard tolerance > 0 else { return limit }
        let raised = (Double(limit) * (1 + tolerance)).rounded(.down)
        return raised >= Double(Int64.max) ? Int64.max : Int64(raised)
    }
}
