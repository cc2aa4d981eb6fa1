/// Marked-text fixtures, the one helper every rewriter and scanner test uses: `1️⃣`…`9️⃣`
/// stand where a site, an edit or a finding is expected; they are removed from the text, and
/// each marker's 1-based line and UTF-8 byte column (as compilers print them) is recorded.
public struct MarkedText {
    public static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    /// The text without its markers.
    public var text: String
    /// Each marker's position in `text`: the line and byte column of the character after it.
    public var positions: [String: (line: Int, column: Int)] = [:]

    public init(_ marked: String) {
        var out = ""
        var line = 1, column = 1
        var rest = Substring(marked)
        outer: while let c = rest.first {
            for m in MarkedText.markers where rest.hasPrefix(m) {
                positions[m] = (line, column)
                rest = rest.dropFirst(m.count)
                continue outer
            }
            out.append(c)
            if c == "\n" { line += 1; column = 1 } else { column += String(c).utf8.count }
            rest = rest.dropFirst()
        }
        text = out
    }
}
