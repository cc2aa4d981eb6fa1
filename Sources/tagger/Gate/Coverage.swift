import TaggerCore

/// Sites found and sites tagged, per file and in total.
///
/// Suppressions and baselines do not change it: it measures what the profiler will attribute,
/// not what the gate tolerates.
public struct Coverage: Equatable, Sendable, Codable {
    public struct Figure: Equatable, Sendable, Codable {
        public var sites: Int
        public var tagged: Int

        public init(sites: Int, tagged: Int) {
            self.sites = sites
            self.tagged = tagged
        }

        /// Truncated to one decimal (never rounded up): 2 of 3 is 66.6, and 999 of 1000 is 99.9,
        /// so a figure printed as 100.0 is never below 100. No sites count as 100.
        public var percentText: String {
            guard sites > 0 else { return "100.0" }
            let tenths = tagged * 1000 / sites
            return "\(tenths / 10).\(tenths % 10)"
        }

        public var percent: Double { sites == 0 ? 100 : Double(tagged) * 100 / Double(sites) }

        /// Exact comparison, without rounding the figure first.
        public func isBelow(_ minimum: Double) -> Bool {
            sites > 0 && Double(tagged) * 100 < minimum * Double(sites)
        }
    }

    public struct FileFigure: Equatable, Sendable, Codable {
        public var file: String
        public var figure: Figure
    }

    /// Files with at least one site, sorted by path.
    public var files: [FileFigure]
    public var total: Figure

    public init(sites: [AllocationSite]) {
        var byFile: [String: Figure] = [:]
        for site in sites {
            byFile[site.location.file, default: Figure(sites: 0, tagged: 0)].sites += 1
            if site.tagged { byFile[site.location.file]!.tagged += 1 }
        }
        files = byFile.map { FileFigure(file: $0.key, figure: $0.value) }.sorted { $0.file < $1.file }
        total = Figure(sites: sites.count, tagged: sites.filter(\.tagged).count)
    }
}
