import TaggerCore

/// Which comment and suppression syntax a file uses.
public enum SourceLanguage: Sendable, Equatable {
    case c, swift

    /// By extension; anything that is not Swift is read as C (headers, `.i`, `.inc`, …).
    public init(path: String) {
        self = path.hasSuffix(".swift") ? .swift : .c
    }
}

/// Where the gate gets file contents (the real file system in the CLI, a dictionary in tests).
/// Returns nil when the file cannot be read; the gate then applies no suppressions for it and
/// matches its baseline entries against empty line text.
public typealias SourceReader = @Sendable (_ path: String) -> String?

extension SourceFile {
    /// The 1-based line's text without leading and trailing whitespace ("" past the end): what
    /// baselines match on. Lines end at "\n" only; a "\r" before it is trimmed with the other
    /// whitespace, so CRLF files match the baselines written for LF checkouts.
    func trimmedLine(_ number: Int) -> String {
        String(lineText(number).trimmingWhitespace())
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\u{0C}" || $0 == "\u{0B}" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
