import TaggerCore
import TaggerLexScan

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

/// A file's text split into lines, as the gate needs it: suppression comments and the line
/// text that baselines match on.
struct SourceText {
    let lines: [String]
    let comments: [LexComment]

    init(_ text: String, language: SourceLanguage) {
        // Split on "\n" only; a "\r" before it belongs to the line and is trimmed with the
        // other whitespace, so CRLF files match the baselines written for LF checkouts.
        // (Split on the byte: Swift's Character "\r\n" is one grapheme and never equals "\n".)
        lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        comments = Lexer.comments(in: text, dialect: language == .swift ? .swift : .c)
    }

    /// A 1-based byte column of a line in UTF-16 code units (SARIF's default column kind).
    func utf16Column(line: Int, byteColumn: Int) -> Int {
        guard line >= 1, line <= lines.count, byteColumn >= 1 else { return byteColumn }
        let bytes = Array(lines[line - 1].utf8)
        guard byteColumn - 1 <= bytes.count else { return byteColumn }
        let prefix = String(decoding: bytes[..<(byteColumn - 1)], as: UTF8.self)
        return prefix.utf16.count + 1
    }

    /// The 1-based line's text without leading and trailing whitespace ("" past the end).
    func trimmedLine(_ number: Int) -> String {
        guard number >= 1, number <= lines.count else { return "" }
        return String(lines[number - 1].trimmingWhitespace())
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
