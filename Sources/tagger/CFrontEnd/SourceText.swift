import Foundation

/// A C source file as bytes (offsets are byte offsets, as libclang reports them).
struct SourceText: Sendable {
    let path: String
    let bytes: [UInt8]
    /// Offsets where each line starts; lineStarts[0] == 0.
    let lineStarts: [Int]

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        lineStarts = starts
    }

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CFrontEndError.unreadable(path)
        }
        self.init(path: path, bytes: [UInt8](data))
    }

    var count: Int { bytes.count }

    /// 1-based line of an offset.
    func line(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    func column(of offset: Int) -> Int { offset - lineStarts[line(of: offset) - 1] + 1 }

    func lineStart(of offset: Int) -> Int { lineStarts[line(of: offset) - 1] }

    /// Offset just past the end of the line holding offset (after its newline, if any).
    func lineEnd(of offset: Int) -> Int {
        var i = offset
        while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
        return min(i + 1, bytes.count)
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[max(0, range.lowerBound) ..< min(bytes.count, range.upperBound)], as: UTF8.self)
    }

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

    /// First offset at or after `offset` that is not blank, a comment or a line splice.
    func skipTrivia(from offset: Int, limit: Int? = nil) -> Int {
        let end = limit ?? bytes.count
        var i = offset
        while i < end {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B { i += 1; continue }
            if b == UInt8(ascii: "\\"), i + 1 < end, bytes[i + 1] == 0x0A { i += 2; continue }
            if b == UInt8(ascii: "/"), i + 1 < end, bytes[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < end, !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
                continue
            }
            if b == UInt8(ascii: "/"), i + 1 < end, bytes[i + 1] == UInt8(ascii: "/") {
                while i < end, bytes[i] != 0x0A { i += 1 }
                continue
            }
            break
        }
        return min(i, end)
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

/// Why the C front end could not do its job (each names the file and the fix).
public enum CFrontEndError: Error, CustomStringConvertible {
    case unreadable(String)
    case libclang(String)
    case parseFailed(String, String)
    case usage(String)
    case conflictingEdits(String, Int)
    case wouldNotCompile([String])

    public var description: String {
        switch self {
        case .unreadable(let p): return "\(p): cannot read file"
        case .libclang(let m): return m
        case .parseFailed(let p, let m): return "\(p): libclang could not parse the file: \(m)"
        case .usage(let m): return m
        case .wouldNotCompile(let errors):
            return errors.joined(separator: "\n") + "\nnothing was written: the annotated code would not compile (a tagger bug: please report it with the lines above; annotate the other files without this one meanwhile)"
        case .conflictingEdits(let p, let o):
            return "\(p): two annotations disagree at byte \(o) (a header included with different flags?); annotate the files separately"
        }
    }
}
