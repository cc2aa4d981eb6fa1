import Glibc

/// A report file that could not be opened or read.
public struct ReportReadError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): error: cannot read: \(reason)" }
}

extension AllocinfoReport {
    /// Reads and parses a report file; `-` is standard input. /proc/allocinfo works too: its
    /// size reads as 0, so the file is read until EOF rather than by its size.
    public static func read(path: String) throws -> AllocinfoReport {
        let source = path == "-" ? "<stdin>" : path
        return try AllocinfoReport(parsing: try readAll(path: path), source: source)
    }

    static func readAll(path: String) throws(ReportReadError) -> [UInt8] {
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReportReadError(path: path, reason: String(cString: strerror(errno))) }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { result.append(contentsOf: buffer[0..<n]); continue }
            if n == 0 { return result }
            if errno == EINTR { continue }
            throw ReportReadError(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
