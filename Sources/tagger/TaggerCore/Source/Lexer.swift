/// A token of Swift or C source, as far as a site scan or the C front end needs one.
///
/// Invariant: comments and whitespace produce no tokens, nor does a C line splice
/// (backslash-newline, translation phase 2); a string or character literal is one token however
/// many lines it spans, so nothing inside a literal is ever taken for a call. A Swift
/// interpolation `\(expr)` is code: its tokens follow the string's token, between `(` and `)`
/// tokens, at their own lines and columns. Every punctuation character is a token of its own
/// (`->` is `-`, `>`), which keeps generic-argument matching (`<`, `>`) simple.
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

/// A C preprocessor directive: a `#` first on a logical line, up to the end of that line
/// (continuation lines and comments included; a `#` inside a comment or literal is none).
public struct LexDirective: Sendable, Equatable {
    /// The identifier (or number, as in `# 1 "file.c"`) after `#`: `define`, `include`, `if`,
    /// … ; "" when none follows.
    public var keyword: String
    /// Offset of the start of the physical line holding the `#`.
    public var start: Int
    /// Offset of the `#`.
    public var hash: Int
    /// Offset past the newline that ends the logical line (or the end of the input).
    public var end: Int
    /// Offset of the first token after the keyword (a macro's name, an included path), if any;
    /// of the first token after `#` when that is not a keyword.
    public var nameStart: Int?

    public init(keyword: String, start: Int, hash: Int, end: Int, nameStart: Int?) {
        self.keyword = keyword
        self.start = start
        self.hash = hash
        self.end = end
        self.nameStart = nameStart
    }
}

/// Splits Swift or C source into tokens, comments and (C) preprocessor directives: the one
/// lexer of the token scan, the build plugin's generator, the coverage gate's suppression
/// comments and the C front end's reading of macro bodies and directive lines, so they never
/// disagree about what is code. Never fails: unterminated comments or literals run to the end.
///
/// C rules: a backslash-newline (`\` LF or `\` CR LF) is a line splice: no token, not the end
/// of a logical line, and it continues a `//` comment; block comments do not nest; `'` quotes
/// a character literal; a `#` first on a logical line starts a directive. Swift rules: block
/// comments nest, `$0` and `#"raw"#` strings and `"""` blocks are single tokens, a backslash
/// is punctuation.
public struct Lexer {
    public enum Dialect: Sendable { case swift, c }

    /// How a C directive comes out of `tokenize`: one `.directive` token spanning it (what the
    /// token scan wants: a directive is never a call), or its own tokens, `#` first (what the
    /// C front end wants when it reads macro bodies and inactive branches).
    public enum DirectiveTokens: Sendable { case whole, split }

    private let bytes: [UInt8]
    private let dialect: Dialect
    private var directiveTokens: DirectiveTokens = .whole
    /// False when only comments or directives are wanted: tokens are then neither spelled nor
    /// kept (building a `String` per token is most of the lexer's time).
    private var keepsTokens = true
    private var i = 0
    private var end: Int
    private var line = 1
    private var lineStart = 0
    /// Interpolations of the string being read: code to tokenize after the string's token.
    private var interpolations: [(start: Int, end: Int, line: Int, lineStart: Int)] = []
    private var nestedInString = false
    /// Comments in source order of their openers' lexing (interpolations after their string).
    private var comments: [LexComment] = []
    private var directives: [LexDirective] = []

    // MARK: Entry points

    public static func tokenize(_ source: String, dialect: Dialect) -> [LexToken] {
        tokenize(SourceFile(text: source), dialect: dialect)
    }

    /// The tokens of `file`, or of those that start in `range` (scanning stops at its end; a
    /// range that starts inside a comment or literal is read as if it were code).
    public static func tokenize(_ file: SourceFile, dialect: Dialect, in range: Range<Int>? = nil,
                                directives: DirectiveTokens = .whole) -> [LexToken] {
        var lexer = Lexer(file, dialect: dialect, from: range?.lowerBound ?? 0, to: range?.upperBound)
        lexer.directiveTokens = directives
        return lexer.run()
    }

    /// The comments of `source`, in the order they appear.
    public static func comments(in source: String, dialect: Dialect) -> [LexComment] {
        comments(in: SourceFile(text: source), dialect: dialect)
    }

    public static func comments(in file: SourceFile, dialect: Dialect) -> [LexComment] {
        var lexer = Lexer(file, dialect: dialect)
        lexer.keepsTokens = false
        _ = lexer.run()
        return lexer.comments.sorted { ($0.bodyLine, $0.bodyColumn) < ($1.bodyLine, $1.bodyColumn) }
    }

    /// Every preprocessor directive of a C file, in order.
    public static func directives(in file: SourceFile) -> [LexDirective] {
        var lexer = Lexer(file, dialect: .c)
        lexer.keepsTokens = false
        _ = lexer.run()
        return lexer.directives
    }

    /// The C tokens from `offset` to the end of its logical line (a macro's name and
    /// replacement list, read from the name on).
    public static func lineTokens(in file: SourceFile, from offset: Int) -> [LexToken] {
        var lexer = Lexer(file, dialect: .c, from: offset)
        return lexer.restOfLogicalLine()
    }

    /// The first offset at or after `offset` (and at most `limit`) that is not whitespace, a
    /// comment or (C) a line splice.
    public static func skipTrivia(in file: SourceFile, from offset: Int, limit: Int? = nil, dialect: Dialect = .c) -> Int {
        var lexer = Lexer(file, dialect: dialect, from: offset, to: limit)
        _ = lexer.skipTrivia(stopAtNewline: false)
        return lexer.i
    }

    private init(_ file: SourceFile, dialect: Dialect, from start: Int = 0, to limit: Int? = nil) {
        bytes = file.bytes
        self.dialect = dialect
        end = min(limit ?? bytes.count, bytes.count)
        i = max(0, min(start, end))
        if i > 0 {
            line = file.line(of: i)
            lineStart = file.lineStarts[line - 1]
        }
    }

    // MARK: The token loop

    private func peek(_ k: Int = 0) -> UInt8 { i + k < end ? bytes[i + k] : 0 }

    private mutating func advance() {
        if bytes[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1 }
        i += 1
    }

    /// The length of a C line splice at `position` (2 for `\` LF, 3 for `\` CR LF), else 0.
    private func spliceLength(at position: Int) -> Int {
        guard dialect == .c, position < end, bytes[position] == UInt8(ascii: "\\") else { return 0 }
        if position + 1 < end, bytes[position + 1] == UInt8(ascii: "\n") { return 2 }
        if position + 2 < end, bytes[position + 1] == UInt8(ascii: "\r"), bytes[position + 2] == UInt8(ascii: "\n") { return 3 }
        return 0
    }

    /// Skips whitespace, comments and splices; with `stopAtNewline`, stops at a newline that
    /// ends the logical line (one inside a block comment does not). Returns whether a newline
    /// outside comments was crossed, i.e. whether what follows starts a logical line (as far as
    /// the tokens before it on its line are concerned: comments are blanks, as in phase 3).
    private mutating func skipTrivia(stopAtNewline: Bool) -> Bool {
        var crossed = false
        while i < end {
            let c = bytes[i]
            if c == UInt8(ascii: "\n") {
                if stopAtNewline { break }
                advance(); crossed = true
                continue
            }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == 0x0C || c == 0x0B {
                advance(); continue
            }
            if c == UInt8(ascii: "\\") {
                let splice = spliceLength(at: i)
                guard splice > 0 else { break }
                for _ in 0..<splice { advance() }
                continue
            }
            if c == UInt8(ascii: "/") {
                if peek(1) == UInt8(ascii: "/") { skipLineComment(); continue }
                if peek(1) == UInt8(ascii: "*") { skipBlockComment(); continue }
            }
            break
        }
        return crossed
    }

    private mutating func run() -> [LexToken] {
        var tokens: [LexToken] = []
        // A range that starts mid-line starts mid-line for directives too.
        var atLineStart = i == lineStart
        while true {
            if skipTrivia(stopAtNewline: false) { atLineStart = true }
            guard i < end else { break }
            if dialect == .c && bytes[i] == UInt8(ascii: "#") && atLineStart {
                directive(into: &tokens)
                atLineStart = false
                continue
            }
            atLineStart = false
            let token = token()
            if keepsTokens { tokens.append(token) }
            for piece in interpolations {
                var inner = self
                inner.interpolations = []
                inner.comments = []
                inner.i = piece.start
                inner.end = piece.end
                inner.line = piece.line
                inner.lineStart = piece.lineStart
                func punct(_ s: String, at offset: Int) -> LexToken {
                    LexToken(kind: .punct, text: s, start: offset, end: offset + 1, line: piece.line, column: offset - piece.lineStart + 1)
                }
                let code = inner.run()
                comments += inner.comments
                guard keepsTokens else { continue }
                tokens.append(punct("(", at: piece.start - 1))
                tokens += code
                var close = punct(")", at: piece.end)
                close.line = inner.line
                close.column = piece.end - inner.lineStart + 1
                tokens.append(close)
            }
            interpolations = []
        }
        return tokens
    }

    /// At a `#` that starts a logical line: records the directive and emits it as one token or
    /// as its own tokens. The directive's contents are lexed as code, so a quote or comment
    /// opener inside a literal (`#define GLOB "*/"`) does not end or extend it.
    private mutating func directive(into tokens: inout [LexToken]) {
        let hash = i, physicalLineStart = lineStart, startLine = line, startColumn = i - lineStart + 1
        let inner = restOfLogicalLine()
        var keyword = ""
        var nameStart: Int?
        if inner.count > 1 {
            if inner[1].kind == .identifier || inner[1].kind == .number {
                keyword = text(inner[1].start, inner[1].end)
                nameStart = inner.count > 2 ? inner[2].start : nil
            } else {
                nameStart = inner[1].start
            }
        }
        directives.append(LexDirective(keyword: keyword, start: physicalLineStart, hash: hash,
                                       end: i < end ? i + 1 : i, nameStart: nameStart))
        switch directiveTokens {
        case _ where !keepsTokens: break
        case .split: tokens += inner
        case .whole:
            tokens.append(LexToken(kind: .directive, text: text(hash, i), start: hash, end: i, line: startLine, column: startColumn))
        }
    }

    /// Tokens up to the newline that ends the current logical line (left unread).
    private mutating func restOfLogicalLine() -> [LexToken] {
        var tokens: [LexToken] = []
        while true {
            _ = skipTrivia(stopAtNewline: true)
            guard i < end, bytes[i] != UInt8(ascii: "\n") else { break }
            tokens.append(token())
        }
        return tokens
    }

    /// One token at `i` (never at trivia).
    private mutating func token() -> LexToken {
        let c = bytes[i]
        let start = i, startLine = line, startColumn = i - lineStart + 1
        var kind: LexToken.Kind
        if isIdentifierStart(c) || (dialect == .swift && c == UInt8(ascii: "$")) {
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
        } else if dialect == .swift && c == UInt8(ascii: "#"), let hashes = rawStringHashes() {
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
        return LexToken(kind: kind, text: keepsTokens ? text(start, i) : "", start: start, end: i, line: startLine, column: startColumn)
    }

    // MARK: Comments

    /// At `//`: up to the end of the line, which a C splice continues.
    private mutating func skipLineComment() {
        i += 2
        let bodyStart = i, bodyLine = line, bodyColumn = i - lineStart + 1
        while i < end && bytes[i] != UInt8(ascii: "\n") {
            let splice = spliceLength(at: i)
            for _ in 0..<max(splice, 1) { advance() }
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

    // MARK: Literals

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

    /// At the opening quote; an escaped character (a newline included) never closes it, an
    /// unescaped newline does (unterminated: the token stops before the newline).
    private mutating func skipCString(quote: UInt8) {
        i += 1
        while i < end && bytes[i] != quote && bytes[i] != UInt8(ascii: "\n") {
            if bytes[i] == UInt8(ascii: "\\") { advance() }
            if i < end { advance() }
        }
        if i < end && bytes[i] == quote { i += 1 }
    }
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
@inline(__always) private func isIdentifierStart(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
        || c == UInt8(ascii: "_") || c >= 0x80
}
@inline(__always) private func isIdentifierContinue(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }
