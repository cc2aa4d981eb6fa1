import AllocSiteRules
/// What `tagger allocinfo` and the example server's `/debug/alloctag/allocinfo` do to one
/// report, in this order: merge, filter, sort, keep the top N. One place, so a query gives the
/// same sites whether it is typed on the command line or in a URL.
///
/// Invariant: the text view keeps the report's own lines (duplicates of one site too, as the
/// kernel prints them); every other view has one entry per site, so it is merged before ranking.
public struct ReportQuery: Hashable, Sendable {
    public var filter: ReportFilter
    /// Nil keeps the report's order, unless `top` is set: then the order is by bytes.
    public var sort: ReportSort?
    public var top: Int?
    /// True for the text view: no merge.
    public var keepsLines: Bool

    public init(filter: ReportFilter = ReportFilter(), sort: ReportSort? = nil, top: Int? = nil, keepsLines: Bool = false) {
        self.filter = filter
        self.sort = sort
        self.top = top
        self.keepsLines = keepsLines
    }

    public func apply(to report: AllocinfoReport) -> AllocinfoReport {
        var result = (keepsLines ? report : report.merged()).filtered(filter)
        if let key = sort ?? (top != nil ? .bytes : nil) { result = result.sorted(by: key) }
        if let top { result = result.prefix(top) }
        return result
    }
}

extension ReportQuery {
    /// The query a URL spells, as the example server's `/debug/alloctag/allocinfo` reads it:
    /// `module`, `function`, `file` (globs), `line`, `min_size`, `max_size` (as `--min-size`:
    /// `4K`, `1.5M`), `inaccurate=1`, `sort=bytes|calls`, `top=N` — `tagger allocinfo`'s options.
    /// A value that does not parse is ignored, as if it were absent.
    public init(parameters q: [String: String], keepsLines: Bool) {
        let filter = ReportFilter(module: q["module"], function: q["function"], file: q["file"], line: q["line"].flatMap { Int($0) },
                                  minBytes: q["min_size"].flatMap(parseSize), maxBytes: q["max_size"].flatMap(parseSize),
                                  inaccurateOnly: q["inaccurate"] == "1")
        self.init(filter: filter, sort: q["sort"].flatMap(ReportSort.init(rawValue:)), top: q["top"].flatMap { Int($0) }.map { max(0, $0) },
                  keepsLines: keepsLines)
    }
}
