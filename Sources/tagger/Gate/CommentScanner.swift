/// Finds the comments of a C or Swift source file, skipping string and character literals, so
/// that `"// alloc-tag: ignore"` inside a string is never taken for a suppression.
///
/// It is a lexer for comments only: it knows just enough of each language's literals to step
/// over them (C escapes and character literals; Swift multi-line, raw `#"…"#` and interpolated
/// strings, whose `\( … )` may hold further strings and comments; nested Swift block comments).
enum CommentScanner {
    struct Comment: Equatable {
        enum Kind: Equatable { case line, block }
        var kind: Kind
        /// The text between the opener (`//`, `/*`) and the closer (`*/` or end of line).
        var body: String
        /// 1-based line and byte column of the body's first character (just after the opener).
        var bodyLine: Int
        var bodyColumn: Int
        /// 1-based line of the comment's last character.
        var endLine: Int
    }

    static func comments(in text: String, language: SourceLanguage) -> [Comment] {
        var lexer = Lexer(bytes: Array(text.utf8), swift: language == .swift)
        lexer.scanCode(closingParen: false)
        return lexer.comments
    }

    private struct Lexer {
        let bytes: [UInt8]
        let swift: Bool
        var index = 0
        var line = 1
        /// Byte offset of the current line's first byte.
        var lineStart = 0
        var comments: [Comment] = []

        init(bytes: [UInt8], swift: Bool) {
            self.bytes = bytes
            self.swift = swift
        }

        private func peek(_ offset: Int = 0) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        private mutating func advance() {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }

        /// Code up to the end of input, or (inside a Swift interpolation) up to the `)` that
        /// closes it, which is consumed.
        mutating func scanCode(closingParen: Bool) {
            var depth = 0
            while let c = peek() {
                switch c {
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                    lineComment()
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                    blockComment()
                case UInt8(ascii: "\""):
                    string(hashes: 0)
                case UInt8(ascii: "#") where swift && rawStringHashes() != nil:
                    let hashes = rawStringHashes()!
                    index += hashes
                    string(hashes: hashes)
                case UInt8(ascii: "'") where !swift:
                    characterLiteral()
                case UInt8(ascii: "(") where closingParen:
                    depth += 1
                    advance()
                case UInt8(ascii: ")") where closingParen:
                    advance()
                    if depth == 0 { return }
                    depth -= 1
                default:
                    advance()
                }
            }
        }

        /// The number of `#` before a `"` at the current position, if they open a raw string.
        private func rawStringHashes() -> Int? {
            var n = 0
            while peek(n) == UInt8(ascii: "#") { n += 1 }
            return peek(n) == UInt8(ascii: "\"") ? n : nil
        }

        private mutating func lineComment() {
            index += 2
            let bodyStart = index, start = line, column = index - lineStart + 1
            while let c = peek(), c != UInt8(ascii: "\n") {
                // A C line comment continues over a backslash-newline.
                if !swift, c == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "\n") { advance() }
                advance()
            }
            comments.append(Comment(kind: .line, body: text(bodyStart, index), bodyLine: start, bodyColumn: column, endLine: line))
        }

        private mutating func blockComment() {
            index += 2
            let bodyStart = index, start = line, column = index - lineStart + 1
            var depth = 1
            var bodyEnd = bytes.count
            while peek() != nil {
                if peek() == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                    depth -= 1
                    if depth == 0 || !swift {
                        bodyEnd = index
                        index += 2
                        break
                    }
                    index += 2
                } else if swift, peek() == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                    depth += 1
                    index += 2
                } else {
                    advance()
                }
            }
            let endLine = line
            comments.append(Comment(kind: .block, body: text(bodyStart, min(bodyEnd, bytes.count)),
                                    bodyLine: start, bodyColumn: column, endLine: endLine))
        }

        /// At the opening `"` of a string with `hashes` leading `#` already consumed.
        private mutating func string(hashes: Int) {
            let multiline = swift && peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")
            index += multiline ? 3 : 1
            while let c = peek() {
                if c == UInt8(ascii: "\\"), hashesFollow(hashes, from: index + 1) {
                    index += 1 + hashes
                    if swift, peek() == UInt8(ascii: "(") {
                        index += 1
                        scanCode(closingParen: true)
                    } else if peek() != nil {
                        advance()
                    }
                    continue
                }
                if c == UInt8(ascii: "\"") {
                    let quotes = multiline ? 3 : 1
                    if (0..<quotes).allSatisfy({ peek($0) == UInt8(ascii: "\"") }),
                       hashesFollow(hashes, from: index + quotes) {
                        index += quotes + hashes
                        return
                    }
                }
                // An unterminated single-line literal ends at the newline (the compiler reports it).
                if c == UInt8(ascii: "\n"), !multiline { return }
                advance()
            }
        }

        private func hashesFollow(_ n: Int, from position: Int) -> Bool {
            (0..<n).allSatisfy { position + $0 < bytes.count && bytes[position + $0] == UInt8(ascii: "#") }
        }

        private mutating func characterLiteral() {
            index += 1
            while let c = peek(), c != UInt8(ascii: "\n") {
                if c == UInt8(ascii: "\\") {
                    index += 1
                    if peek() != nil { advance() }
                    continue
                }
                index += 1
                if c == UInt8(ascii: "'") { return }
            }
        }

        private func text(_ from: Int, _ to: Int) -> String {
            String(decoding: bytes[from..<max(from, to)], as: UTF8.self)
        }
    }
}
