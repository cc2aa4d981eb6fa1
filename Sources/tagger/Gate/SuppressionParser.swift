import TaggerCore
import TaggerLexScan

/// Reads the suppression directives out of a file's comments (see `Suppression` for spellings).
/// A directive it cannot understand suppresses nothing and becomes an `invalid-suppression`
/// finding, so a typo never silently hides or un-hides findings.
enum SuppressionParser {
    struct Result {
        var suppressions: [Suppression] = []
        var invalid: [Finding] = []
    }

    static let marker = "alloc-tag:"

    static func parse(_ source: SourceFile, file: String, language: SourceLanguage) -> Result {
        var result = Result()
        for comment in Lexer.comments(in: source, dialect: language == .swift ? .swift : .c) {
            let body = Array(comment.body.utf8)
            for offset in occurrences(of: marker, in: body) {
                parseAllocTag(body, at: offset, comment: comment, file: file, into: &result)
            }
            if language == .c {
                for offset in occurrences(of: "NOLINT", in: body) {
                    parseNolint(body, at: offset, comment: comment, file: file, into: &result)
                }
            }
        }
        return result
    }

    // MARK: alloc-tag:

    private static func parseAllocTag(_ body: [UInt8], at start: Int, comment: LexComment,
                                      file: String, into result: inout Result) {
        let location = position(of: start, in: body, comment: comment, file: file)
        var i = start + marker.utf8.count
        while i < body.count, body[i] == UInt8(ascii: " ") || body[i] == UInt8(ascii: "\t") { i += 1 }
        let wordStart = i
        while i < body.count, isWordByte(body[i]) { i += 1 }
        let word = String(decoding: body[wordStart..<i], as: UTF8.self)
        let scope: Suppression.Scope
        switch word {
        case "ignore": scope = .line(location.line)
        case "ignore-next-line": scope = .line(comment.endLine + 1)
        case "ignore-file": scope = .file
        default:
            let shown = word.isEmpty ? "nothing" : "'\(word)'"
            result.invalid.append(Finding(rule: Rules.invalidSuppression,
                                          message: "expected 'ignore', 'ignore-next-line' or 'ignore-file' after 'alloc-tag:', found \(shown)",
                                          location: location))
            return
        }
        var entries: [Suppression.Entry]?
        var listText = ""
        var j = i
        while j < body.count, body[j] == UInt8(ascii: " ") { j += 1 }
        if j < body.count, body[j] == UInt8(ascii: "(") {
            guard let close = body[j...].firstIndex(of: UInt8(ascii: ")")) else {
                result.invalid.append(Finding(rule: Rules.invalidSuppression,
                                              message: "rule list of 'alloc-tag: \(word)' has no closing ')'",
                                              location: location))
                return
            }
            let ids = splitList(body[(j + 1)..<close])
            let unknown = ids.filter { Rules.rule(id: $0) == nil }
            guard !ids.isEmpty, unknown.isEmpty else {
                let what = ids.isEmpty ? "an empty rule list" : "unknown rule \(unknown.map { "'\($0)'" }.joined(separator: ", "))"
                result.invalid.append(Finding(
                    rule: Rules.invalidSuppression,
                    message: "'alloc-tag: \(word)' has \(what); known rules: \(Rules.all.map(\.id).joined(separator: ", "))",
                    location: location))
                return
            }
            entries = ids.map { Suppression.Entry(pattern: $0) }
            listText = "(" + ids.joined(separator: ", ") + ")"
        }
        result.suppressions.append(Suppression(scope: scope, entries: entries, spelling: "alloc-tag: \(word)\(listText)",
                                               location: location, reportsUnused: true))
    }

    // MARK: NOLINT

    private static func parseNolint(_ body: [UInt8], at start: Int, comment: LexComment,
                                    file: String, into result: inout Result) {
        if start > 0, isIdentifierByte(body[start - 1]) { return }
        var i = start + 6
        var nextLine = false
        if body[i...].starts(with: Array("NEXTLINE".utf8)) {
            nextLine = true
            i += 8
        }
        // NOLINTBEGIN/NOLINTEND and other identifiers are not this directive.
        if i < body.count, isIdentifierByte(body[i]) { return }
        let location = position(of: start, in: body, comment: comment, file: file)
        let name = nextLine ? "NOLINTNEXTLINE" : "NOLINT"
        let scope: Suppression.Scope = .line(nextLine ? comment.endLine + 1 : location.line)
        guard i < body.count, body[i] == UInt8(ascii: "(") else {
            result.suppressions.append(Suppression(scope: scope, entries: nil, spelling: name,
                                                   location: location, reportsUnused: false))
            return
        }
        // clang-tidy ignores a list without its ')'; so do we.
        guard let close = body[i...].firstIndex(of: UInt8(ascii: ")")) else { return }
        let ours = splitList(body[(i + 1)..<close]).filter { pattern in
            Rules.all.contains { Suppression.Entry(pattern: pattern).matches($0.id) }
        }
        guard !ours.isEmpty else { return }
        result.suppressions.append(Suppression(scope: scope, entries: ours.map { Suppression.Entry(pattern: $0) },
                                               spelling: "\(name)(\(ours.joined(separator: ", ")))",
                                               location: location, reportsUnused: true))
    }

    // MARK: Helpers

    private static func occurrences(of needle: String, in body: [UInt8]) -> [Int] {
        let n = Array(needle.utf8)
        guard body.count >= n.count else { return [] }
        return (0...(body.count - n.count)).filter { body[$0..<($0 + n.count)].elementsEqual(n) }
    }

    private static func splitList(_ bytes: ArraySlice<UInt8>) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: ",")
            .map { String($0.trimmingWhitespace()) }
            .filter { !$0.isEmpty }
    }

    /// File position of a byte offset in a comment's body.
    private static func position(of offset: Int, in body: [UInt8], comment: LexComment,
                                 file: String) -> SourceLocation {
        var line = comment.bodyLine, column = comment.bodyColumn
        for byte in body[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "-")
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        isWordByte(b) && b != UInt8(ascii: "-") || b == UInt8(ascii: "_") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}
