import AllocSiteRules
import TaggerCore

/// The kernel's allocinfo filters (module, function, file, line, live-byte bounds, inaccurate
/// only) are `SiteFilter`'s, the one predicate the runtime's `AllocationFilter` uses too: a
/// filter keeps the same sites whichever model it is given. Byte bounds compare live bytes
/// (a diff's growth, when filtering a diff).
public typealias ReportFilter = SiteFilter

extension SiteFilter {
    public var isEmpty: Bool { self == SiteFilter() }

    public func matches(_ site: AllocSiteKey, bytes: Int64, accurate: Bool) -> Bool {
        matches(module: site.module, function: site.function, file: site.file, line: site.line, bytes: bytes, accurate: accurate)
    }

    public func matches(_ entry: AllocinfoEntry) -> Bool {
        matches(entry.site, bytes: entry.bytes, accurate: entry.accurate)
    }
}

/// Order of a report's lines. Largest first; ties by site so the output is deterministic.
public enum ReportSort: String, CaseIterable, Sendable {
    case bytes, calls

    /// The order of reports, diffs and series alike (`SiteRanking`, which the metrics' top N
    /// uses too): the sort key largest first, then the other count largest first; nil when both
    /// are equal (the caller breaks the tie by site).
    public func precedes(bytes xb: Int64, calls xc: Int64, _ yb: Int64, _ yc: Int64) -> Bool? {
        self == .bytes ? SiteRanking.precedes(key: xb, other: xc, yb, yc) : SiteRanking.precedes(key: xc, other: xb, yc, yb)
    }
}

extension AllocinfoReport {
    public func filtered(_ filter: ReportFilter) -> AllocinfoReport {
        guard !filter.isEmpty else { return self }
        return AllocinfoReport(entries: entries.filter(filter.matches), source: source, peak: peak, typesNotRecorded: typesNotRecorded)
    }

    public func sorted(by key: ReportSort) -> AllocinfoReport {
        let ordered = entries.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if let first = key.precedes(bytes: x.bytes, calls: x.calls, y.bytes, y.calls) { return first }
            if x.site != y.site { return x.site < y.site }
            return a.offset < b.offset
        }
        return AllocinfoReport(entries: ordered.map(\.element), source: source, peak: peak, typesNotRecorded: typesNotRecorded)
    }

    /// The first `n` entries (after sorting, when the caller sorted).
    public func prefix(_ n: Int) -> AllocinfoReport {
        AllocinfoReport(entries: Array(entries.prefix(max(0, n))), source: source, peak: peak, typesNotRecorded: typesNotRecorded)
    }
}

/// Parses a size bound: `4096`, `4K`, `1.5M`, `2GiB`, `3kb` (powers of 1024, as `numfmt --to=iec`).
public func parseSize(_ text: String) -> Int64? {
    var s = Substring(text.trimmingSpaces())
    guard !s.isEmpty else { return nil }
    for suffix in ["iB", "ib", "B", "b"] where s.hasSuffix(suffix) && s.count > suffix.count {
        s = s.dropLast(suffix.count)
        break
    }
    var multiplier: Double = 1
    if let upper = s.last?.uppercased(), upper.count == 1, let power = "KMGTP".firstIndex(of: Character(upper)) {
        multiplier = Double(1 << (10 * ("KMGTP".distance(from: "KMGTP".startIndex, to: power) + 1)))
        s = s.dropLast()
    }
    if multiplier == 1, let whole = Int64(s) { return whole }
    guard let number = Double(s), number.isFinite, number >= 0 else { return nil }
    let value = (number * multiplier).rounded()
    return value < 9.2e18 ? Int64(value) : nil
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
