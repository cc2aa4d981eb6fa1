import Foundation
import TaggerCore

/// Whole-program facts for `tagger cc`, which sees one translation unit per compile: what
/// every other C file of the project defines (helpers, what they return, functions whose
/// address is taken, what flows into function pointers), so a call in main.c to a helper in
/// util.c is charged to main.c.
///
/// Invariants:
/// - One summary per source file, cached under `ALLOCTAG_FACTS_DIR` (default
///   `${XDG_CACHE_HOME:-~/.cache}/alloctag/facts/<root hash>/`), valid while the file and every
///   project file it read have the content hashes recorded with it: an edited header or
///   source is parsed again, so incremental builds see current facts.
/// - The first compile of a build parses every missing file (with its own compile flags, the
///   best guess available then) under an exclusive `flock`; parallel compiles (`make -j`) wait
///   for it and then read the same summaries, so every translation unit decides the same.
/// - Facts only add `alloc_hooks` at call sites and `_noprof` spellings inside the helpers
///   themselves; no symbol is renamed across files, so a stale or missing summary can cost
///   attribution but never a link.
/// - The project is the `.c` files under the root (`ALLOCTAG_ROOT`, else the nearest directory
///   above the source holding a build file), outside hidden directories and `skippedDirectories`.
enum ProgramIndex {
    static let rootMarkers = [".git", "configure", "configure.ac", "CMakeLists.txt", "Makefile", "Makefile.am",
                              "meson.build", "setup.py", "pyproject.toml"]
    /// Test, example and fuzzing directories: not part of the library a build makes.
    static let skippedDirectories: Set<String> = ["test", "tests", "testing", "fuzz", "fuzzing", "example", "examples",
                                                  "doc", "docs", "bench", "benchmark", "benchmarks", "contrib"]

    struct Summary: Codable {
        var functions: [String: FunctionFact] = [:]
        var addressTaken: [String: SourceLocation] = [:]
        var slotSources: [String: Set<String>] = [:]
    }

    struct Entry: Codable {
        var path: String
        /// Content hashes of the file and of every project file its translation unit read.
        var dependencies: [String: UInt64]
        var summary: Summary
    }

    /// The project root for `source` (canonical).
    static func root(for source: String) -> String {
        if let r = ProcessInfo.processInfo.environment["ALLOCTAG_ROOT"], !r.isEmpty {
            return SourceCache.canonical(r)
        }
        var dir = URL(fileURLWithPath: source).deletingLastPathComponent()
        while dir.path != "/" {
            if rootMarkers.contains(where: { FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) }) {
                return SourceCache.canonical(dir.path)
            }
            dir = dir.deletingLastPathComponent()
        }
        return SourceCache.canonical(URL(fileURLWithPath: source).deletingLastPathComponent().path)
    }

    static func summary(of facts: TranslationUnitFacts) -> Summary {
        var s = Summary()
        for (key, f) in facts.functions where f.definitionFile != nil {
            var g = f
            g.definitionStart = nil; g.definitionEnd = nil; g.bodyStart = nil; g.nameOffset = nil
            g.declarations = []
            s.functions[key] = g
        }
        s.addressTaken = facts.addressTaken
        s.slotSources = facts.slotSources
        return s
    }

    static func add(_ s: Summary, to facts: inout ProgramFacts) {
        var tu = TranslationUnitFacts(mainFile: "")
        tu.functions = s.functions
        tu.addressTaken = s.addressTaken
        tu.slotSources = s.slotSources
        facts.add(tu)
    }

    /// The analyzer of one translation unit, the same for a unit compiled and for a file whose
    /// facts are gathered: the unit and the project's headers are edited (their calls recorded),
    /// every project file's definitions recorded. `UnitFactsCache` relies on the two agreeing.
    static func analyzer(for file: String, root: String, clang: Clang, sources: SourceCache) -> TranslationUnitAnalyzer {
        let inProject = { (p: String) in p.hasPrefix(root + "/") }
        return TranslationUnitAnalyzer(clang: clang, sources: sources, mainFile: file,
                                       isEditable: { $0 == file || inProject($0) && !$0.hasSuffix(".c") },
                                       recordsFacts: inProject)
    }

    /// Records `main`'s own summary (and its full facts), then returns every other project
    /// file's summary, parsing the missing or stale ones with `arguments` (libclang arguments
    /// without a file), in parallel; each parsed file's full facts are kept (`UnitFactsCache`)
    /// for its own compile. The summaries come in `sources(under:)` order whatever finishes first.
    static func summaries(root: String, main: String, mainFacts: TranslationUnitFacts, mainReused: Bool = false,
                          arguments: [String], clang: Clang) throws -> [Summary] {
        let dir = directory(for: root)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let lock = open(dir + "/lock", O_CREAT | O_RDWR, 0o644)
        guard lock >= 0 else { throw CFrontEndError.unreadable(dir + "/lock") }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }
        let hashes = ContentHashes()
        if !mainReused {
            try store(Entry(path: main, dependencies: dependencies(main, mainFacts, root, hashes.hash), summary: summary(of: mainFacts)), in: dir)
            UnitFactsCache.store(mainFacts, path: main, arguments: arguments, root: root, directory: dir, hash: hashes.hash)
        }
        let files = sources(under: root).filter { $0 != main }
        let gathered = Gathered(count: files.count)
        var missing: [Int] = []
        for (n, file) in files.enumerated() {
            let cached = dir + "/" + FNV1a.hash(file).description + ".json"
            if let entry = ProcessMemo.shared.entry(cached), entry.path == file,
               entry.dependencies.allSatisfy({ hashes.hash($0.key) == $0.value }) {
                gathered.set(n, entry.summary)
            } else {
                missing.append(n)
            }
        }
        let parse = { [missing] (m: Int) in
            let n = missing[m], file = files[n]
            let analyzer = Self.analyzer(for: file, root: root, clang: clang, sources: SourceCache())
            guard (try? analyzer.analyse(arguments: arguments)) != nil else { return }
            let entry = Entry(path: file, dependencies: dependencies(file, analyzer.facts, root, hashes.hash), summary: summary(of: analyzer.facts))
            do { try store(entry, in: dir) } catch { gathered.fail(error) }
            UnitFactsCache.store(analyzer.facts, path: file, arguments: arguments, root: root, directory: dir, hash: hashes.hash)
            gathered.set(n, entry.summary)
        }
        // libclang parses of distinct translation units (each its own index) run concurrently.
        // The process's first clang_createIndex initialises LLVM's target registry, which is
        // not thread-safe: it happens here, on this thread, before any parallel parse.
        if !missing.isEmpty { clang.api.disposeIndex(clang.api.createIndex(0, 0)) }
        nonisolated(unsafe) let parseEach = parse
        DispatchQueue.concurrentPerform(iterations: missing.count) { parseEach($0) }
        if let error = gathered.error { throw error }
        return gathered.summaries.compactMap { $0 }
    }

    /// The summaries of one gathering by position, filled from concurrent parses.
    private final class Gathered: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Summary?]
        private var firstError: Error?
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ n: Int, _ summary: Summary) { lock.withLock { slots[n] = summary } }
        func fail(_ error: Error) { lock.withLock { if firstError == nil { firstError = error } } }
        var summaries: [Summary?] { lock.withLock { slots } }
        var error: Error? { lock.withLock { firstError } }
    }

    private static func dependencies(_ file: String, _ facts: TranslationUnitFacts, _ root: String,
                                     _ hash: (String) -> UInt64?) -> [String: UInt64] {
        var deps: [String: UInt64] = [:]
        for p in facts.seenFiles.union([file]) where p == file || p.hasPrefix(root + "/") {
            if let h = hash(p) { deps[p] = h }
        }
        return deps
    }

    private static func store(_ entry: Entry, in dir: String) throws {
        let name = FNV1a.hash(entry.path).description + ".json"
        try AtomicFile.write(try JSONEncoder().encode(entry), to: dir + "/" + name)
    }

    static func directory(for root: String) -> String {
        let env = ProcessInfo.processInfo.environment
        if let d = env["ALLOCTAG_FACTS_DIR"], !d.isEmpty { return d }
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache"
        return "\(cache)/alloctag/facts/\(FNV1a.hash(root).description)"
    }

    /// The project's `.c` files (SourceWalk's rule), outside `skippedDirectories`, canonical.
    static func sources(under root: String) -> [String] {
        SourceWalk.sources(under: root).filter { path in
            path.hasSuffix(".c") && !path.dropFirst(root.count).split(separator: "/").dropLast()
                .contains { skippedDirectories.contains($0.lowercased()) }
        }.map(SourceCache.canonical)
    }

    /// Content hashes of files, each read once per gathering (shared by the parallel parses),
    /// and once per process while unchanged (`ProcessMemo`).
    final class ContentHashes: @unchecked Sendable {
        private var known: [String: UInt64] = [:]
        private let lock = NSLock()

        func hash(_ path: String) -> UInt64? {
            if let h = lock.withLock({ known[path] }) { return h }
            guard let h = ProcessMemo.shared.hash(path) else { return nil }
            lock.withLock { known[path] = h }
            return h
        }
    }

    static func hash(_ data: Data) -> UInt64 {
        var h = FNV1a()
        h.add(data)
        return h.value
    }
}
