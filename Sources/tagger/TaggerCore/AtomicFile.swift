#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes files so that a reader (or a crash) never sees half of one: the new contents go
/// to a temporary file in the same directory, which is then renamed over the target.
///
/// `writeAll` extends that to a set of files: every file is staged (written in full and
/// synced to its temporary) before the first rename, so a failure to write any of them
/// (full disk, unwritable folder, a directory in the way) leaves every target as it was.
/// The renames themselves are not undone: one failing after others succeeded (the file system
/// failing between two renames in one folder set) leaves the earlier targets replaced.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    public static func write(_ contents: String, to path: String) throws {
        try write(Data(contents.utf8), to: path)
    }

    public static func write(_ data: Data, to path: String) throws {
        try writeAll([(path, data)])
    }

    /// Writes every file or none: all are staged first; only then are they renamed into place.
    public static func writeAll(_ files: [(path: String, data: Data)]) throws {
        var staged: [(temporary: String, path: String)] = []
        do {
            for file in files { staged.append((try stage(file.data, for: file.path), file.path)) }
        } catch {
            for s in staged { unlink(s.temporary) }
            throw error
        }
        // A rename within one folder fails only when the target cannot be replaced, which
        // `stage` has ruled out (the folder is writable, the target is not a directory).
        for (i, s) in staged.enumerated() where rename(s.temporary, s.path) != 0 {
            let reason = String(cString: strerror(errno))
            for rest in staged[i...] { unlink(rest.temporary) }
            throw WriteError(path: s.path, reason: reason)
        }
    }

    /// The temporary, next to `path`, that holds `data` in full; the caller renames or unlinks it.
    private static func stage(_ data: Data, for path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).alloctag-\(getpid())-\(UInt32.random(in: 0 ... .max)).tmp"
        var mode: mode_t = 0o644
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT != S_IFDIR else { throw WriteError(path: path, reason: "is a directory") }
            mode = status.st_mode & 0o7777
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var ok = true
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; ok = false; return }
                offset += n
            }
        }
        let failed = !ok || fsync(fd) != 0
        let reason = String(cString: strerror(errno))
        close(fd)
        if failed {
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        return temporary
    }
}
