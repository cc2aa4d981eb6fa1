import Foundation
import TaggerCore

public struct AnnotateResult: Sendable {
    /// The state after annotation.
    public var scan: ScanResult
    /// Files whose contents changed, as (source, where the result was written).
    public var changed: [(source: String, written: String)]
}

/// Every analysed file's annotated text, in memory: what `annotate` would write.
public struct CAnnotationPlan: Sendable {
    public struct File: Sendable {
        /// Canonical path of the source.
        public var path: String
        public var contents: [UInt8]
        public var changed: Bool
    }

    /// The state after annotation; with errors, `files` is empty.
    public var scan: ScanResult
    /// Each analysed file (inputs and the project headers they include), sorted by path.
    public var files: [File]
}

/// libclang-based analysis and annotation of C sources.
public enum CFrontEnd {
    /// File extensions this front end handles.
    public static let extensions: Set<String> = ["c", "h"]

    /// Lists allocation sites and findings without changing anything.
    public static func scan(files: [String], flags: FlagSource, config: CConfig) throws -> ScanResult {
        let (facts, sources, config, _) = try analyse(files: files, flags: flags, config: config)
        var planner = Planner(facts: facts, config: config, sources: sources, applying: false)
        planner.run()
        return result(planner, facts)
    }

    /// Rewrites the files in place so every site is tagged. Nothing is written when a file
    /// fails to parse. (`tagger annotate` writes through its workspace driver instead, which
    /// mirrors `--output` and writes the Swift files in the same all-or-nothing step.)
    public static func annotate(files: [String], flags: FlagSource, config: CConfig) throws -> AnnotateResult {
        let plan = try planAnnotation(files: files, flags: flags, config: config)
        let changed = plan.files.filter(\.changed)
        try AtomicFile.writeAll(changed.map { ($0.path, Data($0.contents)) })
        return AnnotateResult(scan: plan.scan, changed: changed.map { ($0.path, $0.path) })
    }

    /// Annotates the files in memory, writing nothing; the rewritten translation units are
    /// checked to compile (throws `wouldNotCompile` otherwise).
    public static func planAnnotation(files: [String], flags: FlagSource, config: CConfig) throws -> CAnnotationPlan {
        let (facts, sources, config, units) = try analyse(files: files, flags: flags, config: config)
        var planner = Planner(facts: facts, config: config, sources: sources, applying: true)
        planner.run()
        let scan = result(planner, facts)
        guard !scan.hasErrors else { return CAnnotationPlan(scan: scan, files: []) }
        var outputs: [CAnnotationPlan.File] = []
        for file in facts.analysedFiles.sorted() {
            guard let text = sources.text(file) else { continue }
            let rewritten = try Rewriter.rewrite(text, edits: planner.edits[file] ?? [], topLevel: facts.topLevel[file] ?? [])
            outputs.append(.init(path: file, contents: rewritten ?? text.bytes, changed: rewritten != nil && rewritten! != text.bytes))
        }
        var rewritten: [String: [UInt8]] = [:]
        for file in outputs where file.changed { rewritten[file.path] = file.contents }
        if !rewritten.isEmpty {
            let clang = try loadClang()
            var errors: [String] = []
            for (file, args) in units where !errors.contains(where: { $0.hasPrefix(file + ":") }) {
                errors += CompileCheck.errors(clang: clang, file: file, arguments: args, rewritten: rewritten)
            }
            if !errors.isEmpty { throw CFrontEndError.wouldNotCompile(errors) }
        }
        return CAnnotationPlan(scan: scan, files: outputs)
    }

    /// One translation unit annotated for compiling (`tagger cc`).
    public struct CompileAnnotation: Sendable {
        /// The unit's annotated text, nil when it needs no change.
        public var text: [UInt8]?
        /// Project headers it includes whose sites were annotated too (canonical path → text).
        /// The compile must find these copies in place of the originals (`CompilerLauncher`'s
        /// mirror); a header whose edits could not be applied is left out, named in `skipped`.
        public var headers: [String: [UInt8]]
        /// Headers left as written, with why (each is a warning: their sites stay untagged).
        public var skipped: [(path: String, reason: String)]
        /// Every project file the unit includes (canonical): the mirror links the unchanged
        /// ones, so an annotated header included from an unchanged one is still found.
        public var included: [String]
        public var scan: ScanResult
        /// The unit's facts came from `UnitFactsCache` (it was not parsed again for this compile).
        public var reusedFacts: Bool
    }

    /// Annotates one translation unit for compiling (`tagger cc`): the file and the project
    /// headers it includes (files under the project root: `static inline` allocators and
    /// allocation macros live there), each with `#line` directives keeping every line number
    /// as in the original. Nothing on disk is changed.
    public static func annotateForCompile(file: String, arguments: [String], directory: String,
                                          config: CConfig) throws -> CompileAnnotation {
        let path = SourceCache.canonical(CompileFlags.absolute(file, in: directory))
        var config = config
        config.root = config.root ?? URL(fileURLWithPath: path).deletingLastPathComponent().path
        let sources = SourceCache()
        let clang = try loadClang()
        let project = ProgramIndex.root(for: path)
        let inProject = { (p: String) in p.hasPrefix(project + "/") }
        let libclangArguments = CompileFlags.libclangArguments(arguments, file: path, directory: directory)
        // Facts kept when this unit was parsed with these very arguments while gathering the
        // program's facts (or by an earlier compile) and nothing it read changed: no second parse.
        let unitFacts: TranslationUnitFacts
        let reused = UnitFactsCache.load(path: path, arguments: libclangArguments, directory: ProgramIndex.directory(for: project))
        if let reused {
            unitFacts = reused
        } else {
            let analyzer = ProgramIndex.analyzer(for: path, root: project, clang: clang, sources: sources)
            try analyzer.analyse(arguments: libclangArguments)
            unitFacts = analyzer.facts
        }
        var facts = ProgramFacts()
        facts.add(unitFacts)
        if !unitFacts.errors.isEmpty {
            // Nothing is written, so nothing is cached from a translation unit that does not parse.
        } else {
            for summary in try ProgramIndex.summaries(root: project, main: path, mainFacts: unitFacts, mainReused: reused != nil,
                                                      arguments: libclangArguments, clang: clang) {
                ProgramIndex.add(summary, to: &facts)
            }
        }
        var planner = Planner(facts: facts, config: config, sources: sources, applying: true, recipeOnlyForStatic: true)
        planner.run()
        let scan = result(planner, facts)
        let included = unitFacts.seenFiles.filter { $0 != path && inProject($0) }.sorted()
        var annotation = CompileAnnotation(text: nil, headers: [:], skipped: [], included: included, scan: scan,
                                           reusedFacts: reused != nil)
        guard !scan.hasErrors, let text = sources.text(path) else { return annotation }
        annotation.text = try Rewriter.rewrite(text, edits: planner.edits[path] ?? [], topLevel: facts.topLevel[path] ?? [],
                                               lineMarkersFor: path)
        for (header, edits) in planner.edits where header != path && !edits.isEmpty {
            guard let headerText = sources.text(header) else { continue }
            do {
                if let bytes = try Rewriter.rewrite(headerText, edits: edits, topLevel: facts.topLevel[header] ?? [],
                                                    lineMarkersFor: header) {
                    annotation.headers[header] = bytes
                }
            } catch {
                annotation.skipped.append((header, "\(error)"))
            }
        }
        return annotation
    }

    // MARK: -

    static func loadClang() throws -> Clang {
        do { return try Clang() } catch { throw CFrontEndError.libclang("\(error)") }
    }

    /// The directory whose files may be edited: the configured root, else the current
    /// directory when every input is under it, else the inputs' common directory.
    static func root(for files: [String], config: CConfig) -> String {
        if let root = config.root { return SourceCache.canonical(root) }
        let cwd = SourceCache.canonical(FileManager.default.currentDirectoryPath)
        if files.allSatisfy({ $0.hasPrefix(cwd + "/") }) { return cwd }
        var common = URL(fileURLWithPath: files[0]).deletingLastPathComponent().pathComponents
        for f in files.dropFirst() {
            let parts = URL(fileURLWithPath: f).deletingLastPathComponent().pathComponents
            common = Array(zip(common, parts).prefix { $0 == $1 }.map(\.0))
        }
        return NSString.path(withComponents: common.isEmpty ? ["/"] : common)
    }

    /// The merged facts, the sources read, the settings, and each input with its libclang arguments.
    static func analyse(files: [String], flags: FlagSource, config: CConfig) throws -> (ProgramFacts, SourceCache, CConfig, [(String, [String])]) {
        guard !files.isEmpty else { throw CFrontEndError.usage("no input files") }
        var inputs: [String] = []
        for f in files {
            guard FileManager.default.fileExists(atPath: f) else { throw CFrontEndError.unreadable(f) }
            let c = SourceCache.canonical(f)
            if !inputs.contains(c) { inputs.append(c) }
        }
        // The inputs' .alloctag.json files (AllocTagConfig's one lookup) add to the command line's settings.
        var config = config.merged(with: try AllocTagConfig.resolve(explicit: nil, files: inputs).c)
        let rootDir = root(for: inputs, config: config)
        config.root = rootDir
        let database: CompilationDatabase? = try {
            if case .compilationDatabase(let dir) = flags { return try CompilationDatabase(directory: dir) }
            return nil
        }()
        let clang = try loadClang()
        let sources = SourceCache()
        var facts = ProgramFacts()
        var units: [(String, [String])] = []
        let cwd = FileManager.default.currentDirectoryPath
        for input in inputs {
            let args: [String]
            switch flags {
            case .fixed(let list):
                args = CompileFlags.libclangArguments(list, file: input, directory: cwd)
            case .compilationDatabase:
                guard let found = database!.arguments(for: input) else {
                    throw CFrontEndError.usage("\(input): no entry in \(database!.path); regenerate it or pass flags after --")
                }
                args = found
            }
            let analyzer = TranslationUnitAnalyzer(clang: clang, sources: sources, mainFile: input) { path in
                path == input || path.hasPrefix(rootDir + "/")
            }
            try analyzer.analyse(arguments: args)
            facts.add(analyzer.facts)
            units.append((input, args))
        }
        return (facts, sources, config, units)
    }

    static func result(_ planner: Planner, _ facts: ProgramFacts) -> ScanResult {
        ScanResult(sites: planner.sites, findings: planner.findings,
                   helpers: planner.inference.helpers.values.sorted { ($0.location, $0.name) < ($1.location, $1.name) },
                   indirectCalls: planner.indirectCalls,
                   files: facts.analysedFiles.sorted())
    }
}
