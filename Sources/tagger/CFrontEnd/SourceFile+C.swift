import TaggerCore

/// Byte-level questions the C front end asks about the text around an offset libclang gave
/// it. Lexing (tokens, directives, trivia) is `Lexer`'s; these only look at neighbouring bytes.
extension SourceFile {
    static func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b >= 0x80
    }

    /// The identifier that starts at offset (empty when none does).
    func identifier(at offset: Int) -> String {
        guard offset >= 0, offset < bytes.count, Self.isIdentifierByte(bytes[offset]),
              !(bytes[offset] >= 0x30 && bytes[offset] <= 0x39) else { return "" }
        if offset > 0, Self.isIdentifierByte(bytes[offset - 1]) { return "" }
        var end = offset
        while end < bytes.count, Self.isIdentifierByte(bytes[end]) { end += 1 }
        return text(offset ..< end)
    }

    /// Last offset before `offset` that holds a non-blank byte (comments are not skipped).
    func previousNonBlank(before offset: Int) -> Int? {
        var i = offset - 1
        while i >= 0 {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B { i -= 1; continue }
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == 0x0A { i -= 1; continue }
            return i
        }
        return nil
    }

    /// The identifier that ends just before `offset` (after skipping blanks).
    func identifier(endingBefore offset: Int) -> (name: String, start: Int)? {
        guard let last = previousNonBlank(before: offset), Self.isIdentifierByte(bytes[last]) else { return nil }
        var start = last
        while start > 0, Self.isIdentifierByte(bytes[start - 1]) { start -= 1 }
        return (text(start ..< last + 1), start)
    }
}
