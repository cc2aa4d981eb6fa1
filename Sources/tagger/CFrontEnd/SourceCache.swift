import Foundation
import TaggerCore

/// Source files read once per run; paths are canonical (absolute, symlinks resolved) so a
/// header reached through two spellings is one file.
final class SourceCache: @unchecked Sendable {
    private var texts: [String: SourceFile] = [:]
    private let lock = NSLock()

    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else {
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func text(_ path: String) -> SourceFile? {
        lock.lock(); defer { lock.unlock() }
        if let t = texts[path] { return t }
        guard let t = SourceFile(contentsOf: path) else { return nil }
        texts[path] = t
        return t
    }
}
