import Foundation

/// What one `tagger cc` process has already read, for a command compiling many sources
/// (`cc -c a.c b.c ...`, each unit its own compile in this process): each project file's
/// content hash and each cached summary are read once, not once per unit.
///
/// Invariant: a value is reused only while the file it came from has the size and modification
/// time it had when read (`UnitFactsCache.stamp`); a rewritten file is read again.
final class ProcessMemo: @unchecked Sendable {
    static let shared = ProcessMemo()

    private let lock = NSLock()
    private var hashes: [String: (stamp: String, hash: UInt64)] = [:]
    private var entries: [String: (stamp: String, entry: ProgramIndex.Entry)] = [:]

    func hash(_ path: String) -> UInt64? {
        guard let stamp = UnitFactsCache.stamp(path) else { return nil }
        if let known = lock.withLock({ hashes[path] }), known.stamp == stamp { return known.hash }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let h = ProgramIndex.hash(data)
        lock.withLock { hashes[path] = (stamp, h) }
        return h
    }

    /// The summary entry stored in `file` (decoded once while the file is unchanged).
    func entry(_ file: String) -> ProgramIndex.Entry? {
        guard let stamp = UnitFactsCache.stamp(file) else { return nil }
        if let known = lock.withLock({ entries[file] }), known.stamp == stamp { return known.entry }
        guard let data = FileManager.default.contents(atPath: file),
              let entry = try? JSONDecoder().decode(ProgramIndex.Entry.self, from: data) else { return nil }
        lock.withLock { entries[file] = (stamp, entry) }
        return entry
    }
}
