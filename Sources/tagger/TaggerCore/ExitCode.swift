/// Exit statuses shared by every tagger command (sysexits-style where it applies).
public enum TaggerExit {
    /// Nothing to report.
    public static let clean: Int32 = 0
    /// Findings at the failing severity.
    public static let findings: Int32 = 1
    /// Bad command line (EX_USAGE).
    public static let usage: Int32 = 64
    /// Input could not be read or parsed (EX_DATAERR).
    public static let dataError: Int32 = 65
}
