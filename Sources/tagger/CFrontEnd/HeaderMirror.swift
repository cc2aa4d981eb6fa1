import Foundation
import TaggerCore

/// Where `tagger cc` compiles an annotated unit whose project headers are annotated too: a
/// mirror of the project's directories under a temporary directory (`mirror + path` stands for
/// `path`), holding the annotated copies and a link to every other entry of those directories.
///
/// Invariants:
/// - Every directory on the way from the project root to the unit or to a header the unit reads
///   is a real directory in the mirror; every other entry of it is a link to the original
///   (a link to a directory that is itself mirrored points into the mirror). A quoted include is
///   looked up beside the file that names it, as opened, so lookups from the unit, from a copy or
///   from a link stay in the mirror and find the copies, whichever directory they come from.
/// - A header using `#include_next` is neither copied nor linked: `#include_next` from the mirror
///   would find the original of the same header next and its guard would hide what it wraps.
///   The lookup falls through to the original (through `-idirafter` and the include path).
/// - What the compile read is checked afterwards (`-H`): a copy read from its original path
///   (an include path this mirror does not cover) is reported, never silently untagged.
struct HeaderMirror {
    /// The temporary directory standing for `/`.
    let root: String
    /// Copies (canonical original path → annotated text) actually written.
    private(set) var copies: Set<String> = []
    /// Headers whose annotated copy was not used, with why.
    private(set) var skipped: [(path: String, reason: String)] = []
    private(set) var mirroredDirectories: Set<String> = []

    init(root: String) { self.root = root }

    func path(_ original: String) -> String { root + original }

    /// Writes the unit's copy and its headers' copies, and links the rest of their directories
    /// up to `projectRoot`.
    /// `includeDirectories` (canonical) inside the project are mirrored too: a header reached
    /// through one (`-Iinclude`, `include/lib -> ../src`) must lead back into the mirror.
    mutating func build(unit: String, text: [UInt8], headers: [String: [UInt8]], included: [String],
                        includeDirectories: [String], projectRoot: String) throws {
        let fm = FileManager.default
        var files: [(String, [UInt8])] = [(unit, text)]
        for (header, bytes) in headers.sorted(by: { $0.key < $1.key }) {
            if Self.usesIncludeNext(bytes) {
                skipped.append((header, "it uses #include_next, which its copy would resolve to the original"))
            } else {
                files.append((header, bytes))
            }
        }
        var directories: Set<String> = []
        for p in [unit] + headers.keys + included + includeDirectories.map({ $0 + "/." }) {
            var dir = (p as NSString).deletingLastPathComponent
            while dir == projectRoot || dir.hasPrefix(projectRoot + "/"), directories.insert(dir).inserted {
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
        for dir in directories { try fm.createDirectory(atPath: path(dir), withIntermediateDirectories: true) }
        for (p, bytes) in files {
            try fm.createDirectory(atPath: (path(p) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path(p)))
            copies.insert(p)
        }
        copies.remove(unit)
        for dir in directories {
            for entry in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] {
                let original = dir + "/" + entry
                if directories.contains(original) || fm.fileExists(atPath: path(original)) { continue }
                var target = original
                if let resolved = try? fm.destinationOfSymbolicLink(atPath: original) {
                    let canonical = SourceCache.canonical(resolved.hasPrefix("/") ? resolved : dir + "/" + resolved)
                    if directories.contains(canonical) { target = path(canonical) }  // a linked directory that is mirrored
                }
                if entry.hasSuffix(".h"), let data = fm.contents(atPath: original), Self.usesIncludeNext(Array(data)) { continue }
                try? fm.createSymbolicLink(atPath: path(original), withDestinationPath: target)
            }
        }
        mirroredDirectories = directories
    }

    /// Whether a header has an `#include_next` directive (a mention in a comment or string does
    /// not count). Every header of a mirrored directory is asked on every compile, so a byte
    /// search without allocation goes first and the lexer reads only the headers it finds.
    static func usesIncludeNext(_ bytes: [UInt8]) -> Bool {
        let needle = Array("include_next".utf8)
        let found = bytes.withUnsafeBufferPointer { b -> Bool in
            guard b.count >= needle.count else { return false }
            var i = 0
            while i + needle.count <= b.count {
                if b[i] == needle[0] {
                    var j = 1
                    while j < needle.count, b[i + j] == needle[j] { j += 1 }
                    if j == needle.count { return true }
                }
                i += 1
            }
            return false
        }
        return found && Lexer.directives(in: SourceFile(bytes: bytes)).contains { $0.keyword == "include_next" }
    }

    /// `-H`'s lines (`. path`, `.. path`) removed from a compile's standard error, with the
    /// paths they name (absolute against `cwd`).
    static func splitHeaderTrace(_ stderr: String, cwd: String) -> (rest: String, opened: [String]) {
        var rest: [Substring] = []
        var opened: [String] = []
        var inTrailer = false
        for line in stderr.split(separator: "\n", omittingEmptySubsequences: false) {
            if let space = line.firstIndex(of: " "), space > line.startIndex, line[..<space].allSatisfy({ $0 == "." }) {
                opened.append(CompileFlags.absolute(String(line[line.index(after: space)...]), in: cwd))
                continue
            }
            // gcc's trailer: this line, then one path per line.
            if line == "Multiple include guards may be useful for:" { inTrailer = true; continue }
            if inTrailer, !line.contains(": ") { continue }
            inTrailer = false
            rest.append(line)
        }
        return (rest.joined(separator: "\n"), opened)
    }

    /// The annotated headers the compile read from their original paths.
    func readFromOriginals(_ opened: [String]) -> [String] {
        // A copy is a real file in the mirror; a link resolves to an original that is no copy.
        let originals = Set(opened.map(SourceCache.canonical))
        return copies.filter { originals.contains($0) }.sorted()
    }
}
