/// A position in a user's source file, 1-based as compilers print it.
public struct SourceLocation: Hashable, Codable, Comparable, Sendable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }

    /// `path:line:col`, the form editors and CI annotators jump to.
    public var description: String { "\(file):\(line):\(column)" }
}
