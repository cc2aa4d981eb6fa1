import Foundation

/// One source file as the front ends, the token scan and the coverage gate read it: its bytes
/// and a line index. Offsets are UTF-8 byte offsets (as libclang and swift-syntax report them);
/// lines and columns are 1-based, columns in bytes, as compilers print them.
///
/// Invariant: `lineStarts[0] == 0` and `lineStarts[k]` is the offset just past the k-th `"\n"`,
/// so a file has one more line than it has newlines (a trailing newline ends with an empty line)
/// and a `"\r"` before a newline belongs to its line.
public struct SourceFile: Sendable {
    /// Where the bytes came from ("" for text built in memory); only carried, never read again.
    public let path: String
    public let bytes: [UInt8]
    public let lineStarts: [Int]

    public init(path: String = "", bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        lineStarts = starts
    }

    public init(path: String = "", text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The file's contents; nil when it cannot be read.
    public init?(contentsOf path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        self.init(path: path, bytes: [UInt8](data))
    }

    public var count: Int { bytes.count }
    public var lineCount: Int { lineStarts.count }

    /// 1-based line holding `offset` (the last line for offsets at or past the end).
    public func line(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    /// 1-based byte column of `offset` on its line.
    public func column(of offset: Int) -> Int { offset - lineStarts[line(of: offset) - 1] + 1 }

    public func lineStart(of offset: Int) -> Int { lineStarts[line(of: offset) - 1] }

    /// Offset just past the end of the line holding `offset` (after its newline, if any).
    public func lineEnd(of offset: Int) -> Int {
        var i = offset
        while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
        return min(i + 1, bytes.count)
    }

    /// The offset of a 1-based line and byte column; nil when the line does not exist or the
    /// column lies past its end (the column just past the last byte, at the newline, is valid).
    public func offset(line: Int, column: Int) -> Int? {
        guard line >= 1, line <= lineStarts.count, column >= 1 else { return nil }
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        let offset = start + column - 1
        return offset <= end ? offset : nil
    }

    /// The bytes of `range` (clamped to the file) as text.
    public func text(_ range: Range<Int>) -> String {
        let lower = max(0, min(range.lowerBound, bytes.count))
        let upper = max(lower, min(range.upperBound, bytes.count))
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }

    /// The 1-based line's text without its `"\n"` (a `"\r"` before it stays); "" past the end.
    public func lineText(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
        return text(lineStarts[number - 1]..<end)
    }

    /// A 1-based byte column of a line as UTF-16 code units (SARIF's default column kind);
    /// the byte column itself when the line or column is out of range.
    public func utf16Column(line: Int, byteColumn: Int) -> Int {
        guard line >= 1, line <= lineStarts.count, byteColumn >= 1 else { return byteColumn }
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        guard byteColumn - 1 <= end - start else { return byteColumn }
        return String(decoding: bytes[start..<(start + byteColumn - 1)], as: UTF8.self).utf16.count + 1
    }
}
