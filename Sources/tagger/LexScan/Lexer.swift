/// A token of Swift or C source, as far as a site scan needs one.
///
/// Invariant: comments and whitespace produce no tokens; a string or character literal is one
/// token however many lines it spans, so nothing inside a literal is ever taken for a call.
/// A Swift interpolation `\(expr)` is code: its tokens follow the string's token, between
/// `(` and `)` tokens, at their own lines and columns. Every punctuation character is a token of its own (`->` is `-`, `>`),
/// which keeps generic-argument matching (`<`, `>`) simple.
public struct LexToken: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case identifier, number, string, punct, directive }
    public var kind: Kind
    public var text: String
    /// UTF-8 offsets into the source, `end` exclusive.
    public var start: Int
    public var end: Int
    /// 1-based, columns in UTF-8 bytes as compilers print them.
    public var line: Int
    public var column: Int
}

/// A comment, as the coverage gate reads suppressions from it.
public struct LexComment: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case line, block }
    public var kind: Kind
    /// The text between the opener (`//`, `/*`) and the closer (`*/` or end of line).
    public var body: String
    /// 1-based line and byte column of the body's first character (just after the opener).
    public var bodyLine: Int
    public var bodyColumn: Int
    /// 1-based line of the comment's last character.
    public var endLine: Int
}

/// Splits source into tokens and comments: the one lexer of the token scan, the build
/// plugin's generator and the coverage gate's suppression comments, so they never disagree
/// about what is code. Never fails: unterminated comments or literals run to the end.
/// C line comments continue over a backslash-newline (translation phase 2), Swift's do not.
public struct Lexer {
    public enum Dialect: Sendable { case swift, c }

    private let bytes: [UInt8]
    private let dialect: Dialect
    private var i = 0
    private var end: Int
    private var line = 1
    private var lineStart = 0
    /// Interpolations of the string being read: code to tokenize after the string's token.
    private var interpolations: [(start: Int, end: Int, line: Int, lineStart: Int)] = []
    private var nestedInString = false
    /// Comments in source order of their openers' lexing (interpolations after their string).
    private var comments: [LexComment] = []

    public static func tokenize(_ source: String, dialect: Dialect) -> [LexToken] {
        var lexer = Lexer(bytes: Array(source.utf8), dialect: dialect)
        return lexer.run()
    }

    /// The comments of `source`, in the order they appear.
    public static func comments(in source: String, dialect: Dialect) -> [LexComment] {
        var lexer = Lexer(bytes: Array(source.utf8), dialect: dialect)
        _ = lexer.run()
        return lexer.comments.sorted { ($0.bodyLine, $0.bodyColumn) < ($1.bodyLine, $1.bodyColumn) }
    }

    private init(bytes: [UInt8], dialect: Dialect) {
        self.bytes = bytes
        self.dialect = dialect
        end = bytes.count
    }

    private func peek(_ k: Int = 0) -> UInt8 { i + k < end ? bytes[i + k] : 0 }

    private mutating func advance() {
        if bytes[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1 }
        i += 1
    }

    private mutating func run() -> [LexToken] {
        var tokens: [LexToken] = []
        var atLineStart = true
        while i < end {
            let c = bytes[i]
            if c == UInt8(ascii: "\n") { advance(); atLineStart = true; continue }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == 0x0C { advance(); continue }
            if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") { skipLineComment(); continue }
            if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") { skipBlockComment(); continue }
            let start = i, startLine = line, startColumn = i - lineStart + 1
            var kind: LexToken.Kind
            if dialect == .c && c == UInt8(ascii: "#") && atLineStart {
                // A preprocessor directive, continuation lines included, is one token.
                while i < end {
                    if bytes[i] == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "\n") { advance(); advance(); continue }
                    if bytes[i] == UInt8(ascii: "\n") { break }
                    if bytes[i] == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") { skipBlockComment(); continue }
                    if bytes[i] == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                        skipLineComment()
                        break
                    }
                    advance()
                }
                kind = .directive
            } else if isIdentifierStart(c) || (dialect == .swift && c == UInt8(ascii: "$")) {
                // `$` starts `$0` and `$wrapped` but does not continue an identifier: take it first.
                i += 1
                while i < end && isIdentifierContinue(bytes[i]) { i += 1 }
                kind = .identifier
            } else if dialect == .swift && c == UInt8(ascii: "`") {
                advance()
                while i < end && bytes[i] != UInt8(ascii: "`") && bytes[i] != UInt8(ascii: "\n") { i += 1 }
                if i < end && bytes[i] == UInt8(ascii: "`") { i += 1 }
                kind = .identifier
            } else if isDigit(c) {
                while i < end && (isIdentifierContinue(bytes[i]) || bytes[i] == UInt8(ascii: ".") && isDigit(peek(1))) { i += 1 }
                kind = .number
            } else if c == UInt8(ascii: "\"") || (dialect == .c && c == UInt8(ascii: "'")) {
                if dialect == .swift { skipSwiftString(hashes: 0) } else { skipCString(quote: c) }
                kind = .string
            } else if dialect == .swift && c == UInt8(ascii: "#") && rawStringHashes() != nil {
                let hashes = rawStringHashes()!
                i += hashes
                skipSwiftString(hashes: hashes)
                kind = .string
            } else if dialect == .swift && c == UInt8(ascii: "#") && isIdentifierStart(peek(1)) {
                i += 1
                while i < end && isIdentifierContinue(bytes[i]) { i += 1 }
                kind = .identifier
            } else {
                advance()
                kind = .punct
            }
            // Every step consumes input: a branch that read nothing (a lexer bug, as `$` once
            // was) would loop forever, so it becomes a one-byte punctuation token instead.
            if i == start { advance(); kind = .punct }
            atLineStart = false
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            tokens.append(LexToken(kind: kind, text: text, start: start, end: i, line: startLine, column: startColumn))
            for piece in interpolations {
                var inner = Lexer(bytes: bytes, dialect: dialect)
                inner.i = piece.start
                inner.end = piece.end
                inner.line = piece.line
                inner.lineStart = piece.lineStart
                func punct(_ s: String, at offset: Int) -> LexToken {
                    LexToken(kind: .punct, text: s, start: offset, end: offset + 1, line: piece.line, column: offset - piece.lineStart + 1)
                }
                tokens.append(punct("(", at: piece.start - 1))
                tokens += inner.run()
                comments += inner.comments
                var close = punct(")", at: piece.end)
                close.line = inner.line
                close.column = piece.end - inner.lineStart + 1
                tokens.append(close)
            }
            interpolations = []
        }
        return tokens
    }

    /// At `//`: up to the end of the line, which a C backslash-newline continues.
    private mutating func skipLineComment() {
        i += 2
        let bodyStart = i, bodyLine = line, bodyColumn = i - lineStart + 1
        while i < end && bytes[i] != UInt8(ascii: "\n") {
            if dialect == .c && bytes[i] == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "\n") { advance() }
            advance()
        }
        comments.append(LexComment(kind: .line, body: text(bodyStart, i), bodyLine: bodyLine,
                                   bodyColumn: bodyColumn, endLine: line))
    }

    /// At `/*`. Swift block comments nest; C ones do not.
    private mutating func skipBlockComment() {
        i += 2
        let bodyStart = i, bodyLine = line, bodyColumn = i - lineStart + 1
        var depth = 1
        var bodyEnd = end
        while i < end {
            if dialect == .swift && bytes[i] == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                depth += 1; i += 2
                continue
            }
            if bytes[i] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                depth -= 1
                if depth == 0 { bodyEnd = i; i += 2; break }
                i += 2
                continue
            }
            advance()
        }
        comments.append(LexComment(kind: .block, body: text(bodyStart, bodyEnd), bodyLine: bodyLine,
                                   bodyColumn: bodyColumn, endLine: line))
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: bytes[from..<max(from, min(to, end))], as: UTF8.self)
    }

    private func rawStringHashes() -> Int? {
        var k = 0
        while peek(k) == UInt8(ascii: "#") { k += 1 }
        return peek(k) == UInt8(ascii: "\"") ? k : nil
    }

    /// At the opening quote (after any `#`s). Handles `"""` blocks, escapes and `\(...)`
    /// interpolations (whose own strings may nest).
    private mutating func skipSwiftString(hashes: Int) {
        let multiline = peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")
        i += multiline ? 3 : 1
        while i < end {
            let c = bytes[i]
            if c == UInt8(ascii: "\\") && hashesFollow(at: i + 1, count: hashes) {
                i += 1 + hashes
                if peek() == UInt8(ascii: "(") { skipInterpolation(); continue }
                if i < end { advance() }
                continue
            }
            if c == UInt8(ascii: "\"") {
                if multiline {
                    if peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"") && hashesFollow(at: i + 3, count: hashes) {
                        i += 3 + hashes; return
                    }
                } else if hashesFollow(at: i + 1, count: hashes) {
                    i += 1 + hashes; return
                }
            }
            if c == UInt8(ascii: "\n") && !multiline { return }
            advance()
        }
    }

    private func hashesFollow(at position: Int, count: Int) -> Bool {
        guard count > 0 else { return true }
        guard position + count <= end else { return false }
        return bytes[position..<position + count].allSatisfy { $0 == UInt8(ascii: "#") }
    }

    private mutating func skipInterpolation() {
        var depth = 0
        let start = i + 1, startLine = line, startLineStart = lineStart
        while i < end {
            let c = bytes[i]
            if c == UInt8(ascii: "(") { depth += 1 } else if c == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 {
                    if !nestedInString { interpolations.append((start, i, startLine, startLineStart)) }
                    i += 1
                    return
                }
            } else if c == UInt8(ascii: "\"") {
                // A string inside the interpolation: its own interpolations are found when
                // the interpolation itself is tokenized.
                let saved = nestedInString
                nestedInString = true
                skipSwiftString(hashes: 0)
                nestedInString = saved
                continue
            }
            advance()
        }
    }

    private mutating func skipCString(quote: UInt8) {
        i += 1
        while i < end && bytes[i] != quote && bytes[i] != UInt8(ascii: "\n") {
            if bytes[i] == UInt8(ascii: "\\") { advance() }
            if i < end { advance() }
        }
        if i < end && bytes[i] == quote { i += 1 }
    }
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
@inline(__always) func isIdentifierStart(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
        || c == UInt8(ascii: "_") || c >= 0x80
}
@inline(__always) func isIdentifierContinue(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }
