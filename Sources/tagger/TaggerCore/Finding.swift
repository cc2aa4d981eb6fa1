/// A problem a front end or the coverage gate reports at a place in the user's source.
public struct Finding: Hashable, Codable, Sendable {
    public enum Severity: String, Codable, Sendable, Comparable {
        case note, warning, error
        private var rank: Int { self == .note ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// Stable identifier, e.g. `untagged-site`; baselines and suppressions match on it.
    public var ruleID: String
    public var severity: Severity
    public var message: String
    public var location: SourceLocation

    public init(ruleID: String, severity: Severity, message: String, location: SourceLocation) {
        self.ruleID = ruleID
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `path:line:col: warning: message [rule-id]`, the compiler form.
    public var compilerStyle: String {
        "\(location.file):\(location.line):\(location.column): \(severity.rawValue): \(message) [\(ruleID)]"
    }
}
