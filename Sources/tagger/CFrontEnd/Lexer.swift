/// Just enough of C's lexical structure to read macro bodies and preprocessor lines:
/// comments and literals are never mistaken for code.
struct Token: Equatable, Sendable {
    enum Kind: Sendable { case identifier, punctuation, literal }
    var kind: Kind
    var start: Int
    var end: Int
}

extension SourceText {
    /// Tokens in [start, end); comments and line splices are skipped.
    func tokens(_ start: Int, _ end: Int) -> [Token] {
        var out: [Token] = []
        var i = start
        while true {
            i = skipTrivia(from: i, limit: end)
            guard i < end else { break }
            let b = bytes[i]
            if Self.isIdentifierByte(b) {
                var j = i
                while j < end, Self.isIdentifierByte(bytes[j]) || bytes[j] == UInt8(ascii: ".") && b >= 0x30 && b <= 0x39 { j += 1 }
                let isNumber = b >= 0x30 && b <= 0x39
                out.append(Token(kind: isNumber ? .literal : .identifier, start: i, end: j))
                i = j
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                var j = i + 1
                while j < end, bytes[j] != b, bytes[j] != 0x0A {
                    if bytes[j] == UInt8(ascii: "\\") { j += 1 }
                    j += 1
                }
                j = min(j + 1, end)
                out.append(Token(kind: .literal, start: i, end: j))
                i = j
            } else {
                out.append(Token(kind: .punctuation, start: i, end: i + 1))
                i += 1
            }
        }
        return out
    }

    func spelling(_ t: Token) -> String { text(t.start ..< t.end) }
}

/// A preprocessor directive line (continuations included).
struct Directive: Sendable {
    var keyword: String  // if, ifdef, ifndef, elif, else, endif, include, define, ...
    var start: Int       // offset of the line start
    var end: Int         // offset past the directive's last newline
    var nameStart: Int?  // for define/include: offset of the first token after the keyword
}

extension SourceText {
    /// Every directive of the file, in order; `#` inside comments or literals is ignored.
    func directives() -> [Directive] {
        var out: [Directive] = []
        var i = 0
        var atLineStart = true
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0A { atLineStart = true; i += 1; continue }
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0C { i += 1; continue }
            if b == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < n, !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
                continue
            }
            if b == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "/") {
                while i < n, bytes[i] != 0x0A { i += 1 }
                continue
            }
            if b == UInt8(ascii: "#"), atLineStart {
                let lineStart = self.lineStart(of: i)
                var j = skipTrivia(from: i + 1, limit: lineEndLogical(from: i))
                var k = j
                while k < n, Self.isIdentifierByte(bytes[k]) { k += 1 }
                let keyword = text(j ..< k)
                let end = lineEndLogical(from: i)
                j = skipTrivia(from: k, limit: end)
                out.append(Directive(keyword: keyword, start: lineStart, end: end, nameStart: j < end ? j : nil))
                i = end
                atLineStart = true
                continue
            }
            atLineStart = false
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                var j = i + 1
                while j < n, bytes[j] != b, bytes[j] != 0x0A {
                    if bytes[j] == UInt8(ascii: "\\") { j += 1 }
                    j += 1
                }
                i = j + 1
                continue
            }
            i += 1
        }
        return out
    }

    /// Offset past the newline that ends the logical line containing `offset`
    /// (backslash continuations and block comments spanning lines are followed).
    func lineEndLogical(from offset: Int) -> Int {
        var i = offset
        let n = bytes.count
        while i < n {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < n, bytes[i + 1] == 0x0A { i += 2; continue }
            if bytes[i] == UInt8(ascii: "\\"), i + 2 < n, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { i += 3; continue }
            if bytes[i] == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < n, !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
                continue
            }
            if bytes[i] == 0x0A { return i + 1 }
            i += 1
        }
        return n
    }
}
