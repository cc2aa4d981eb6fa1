import CLibclang
import Foundation
import TaggerCore

/// A translation unit's full facts, kept next to the program summaries (`ProgramIndex`), so a
/// unit parsed while gathering program facts is not parsed a second time when it is compiled.
///
/// Invariants:
/// - Facts are reused only for the same canonical path, the very same libclang arguments (as
///   libclang gets them), the same libclang library and the same tagger executable,
///   and only while every file the parse read is unchanged: project files by content hash (as
///   the summaries), every other file (system and outside headers) by size and modification
///   time. Anything else parses again: a reuse is exactly the facts a parse would give now.
/// - Facts whose parse reported errors are never stored: such a unit parses itself, and says why.
/// - The facts are produced by `ProgramIndex.analyzer`, the one analyzer both the gathering and
///   the compile use, so which files are edited and recorded cannot differ between the two.
enum UnitFactsCache {
    struct Entry: Codable {
        var path: String
        var arguments: [String]
        /// Project files by content hash.
        var hashes: [String: UInt64]
        /// Other files read, by "size:mtime-nanoseconds".
        var stamps: [String: String]
        var facts: TranslationUnitFacts
    }

    static func file(for path: String, in directory: String) -> String {
        directory + "/" + FNV1a.hash(path).description + ".unit.json"
    }

    /// Stores `facts` of `path` parsed with `arguments`; `hash` gives project files' content hashes.
    static func store(_ facts: TranslationUnitFacts, path: String, arguments: [String], root: String,
                      directory: String, hash: (String) -> UInt64?) {
        guard facts.errors.isEmpty else { return }
        var hashes: [String: UInt64] = [:], stamps: [String: String] = [:]
        for seen in facts.seenFiles.union([path]) {
            if seen == path || seen.hasPrefix(root + "/") {
                guard let h = hash(seen) else { return }
                hashes[seen] = h
            } else {
                guard let s = stamp(seen) else { return }
                stamps[seen] = s
            }
        }
        let entry = Entry(path: path, arguments: key(arguments), hashes: hashes, stamps: stamps, facts: facts)
        guard let data = try? JSONEncoder().encode(entry) else { return }
        try? AtomicFile.write(data, to: file(for: path, in: directory))
    }

    /// The facts stored for `path` when they are what parsing it with `arguments` would give now.
    static func load(path: String, arguments: [String], directory: String) -> TranslationUnitFacts? {
        guard let data = FileManager.default.contents(atPath: file(for: path, in: directory)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data),
              entry.path == path, entry.arguments == key(arguments),
              entry.stamps.allSatisfy({ stamp($0.key) == $0.value }),
              entry.hashes.allSatisfy({ ProcessMemo.shared.hash($0.key) == $0.value })
        else { return nil }
        return entry.facts
    }

    /// What the facts depend on besides the files: the arguments libclang was really given
    /// (resource directory and runtime headers included), which libclang, and which tagger
    /// (an analyzer changed by a new build must not read an older one's facts).
    static func key(_ arguments: [String]) -> [String] {
        TranslationUnitAnalyzer.parseArguments(arguments) + [
            "libclang=" + (tagger_clang_library_path().map { String(cString: $0) } ?? ""),
            "tagger=" + (stamp("/proc/self/exe") ?? ""),
        ]
    }

    static func stamp(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }
}
