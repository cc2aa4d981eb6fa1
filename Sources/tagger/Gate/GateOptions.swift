import TaggerCore

/// What the front ends found.
public struct GateInput: Sendable {
    public var sites: [AllocationSite]
    public var findings: [Finding]
    /// Every file the front ends analysed, including files with nothing to report: suppressions
    /// in them are checked for use, and their baseline entries can go stale.
    public var files: [String]

    public init(sites: [AllocationSite], findings: [Finding], files: [String] = []) {
        self.sites = sites
        self.findings = findings
        self.files = files
    }
}

public struct GateOptions: Sendable {
    /// Warnings fail the run (and print as errors); unused suppressions are reported.
    public var strict = false
    public var baseline: Baseline?
    /// Baseline entries that no finding matched fail the run.
    public var strictBaseline = false
    /// Percent of sites that must be tagged, 0...100.
    public var minimumCoverage: Double?
    /// Paths are reported relative to this directory (absolute) when they are inside it.
    public var root: String
    /// Relative paths from the front ends are relative to this directory (absolute).
    public var workingDirectory: String

    public init(root: String, workingDirectory: String? = nil) {
        self.root = root
        self.workingDirectory = workingDirectory ?? root
    }
}
