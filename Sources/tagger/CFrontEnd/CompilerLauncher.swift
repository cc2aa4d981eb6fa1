import Foundation

/// `tagger cc COMPILER ARGS...`: compiles C translation units annotated on the fly and links
/// the runtime. Invariant: the user's build never breaks because of tagger: anything that
/// cannot be annotated, or whose annotated copy does not compile, is compiled as written
/// (with a warning), and everything that is not a C compile passes through untouched.
public enum CompilerLauncher {
    static let warningPrefix = "tagger cc: warning: "

    public static func run(_ command: [String]) -> Int32 {
        var command = command
        if command.first?.hasPrefix("-") == true { command.insert("cc", at: 0) }  // CC="tagger cc"
        guard let compiler = command.first else {
            FileHandle.standardError.write(Data("tagger cc: error: usage: tagger cc COMPILER [ARGS...]\n".utf8))
            return 64
        }
        var args = Array(command.dropFirst())
        let env = ProcessInfo.processInfo.environment
        if env["ALLOCTAG_CC_DISABLE"] == "1" { return Subprocess.run(command) }
        let scan = scanArguments(args)
        if scan.preprocessOnly { return Subprocess.run(command) }
        if scan.sources.count > 1, !scan.links, scan.languageIsC {
            // `cc -c a/x.c b/y.c`: one compile per source, so each annotated copy finds its own
            // directory's headers first (two directories may both hold a "static_init.h").
            for index in scan.sources {
                let others = Set(scan.sources).subtracting([index])
                let status = run([compiler] + args.indices.filter { !others.contains($0) }.map { args[$0] })
                if status != 0 { return status }
            }
            return 0
        }
        if scan.sources.count > 1, scan.links, scan.languageIsC {
            // `cc -o prog a.c b.c`: each source compiled on its own (its own copies and mirror:
            // one unit's annotated headers must not be another's), then one link.
            let objects = makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: objects) }
            var linkArgs = args
            for (n, index) in scan.sources.enumerated() {
                let object = "\(objects)/\(n)-" + URL(fileURLWithPath: args[index]).deletingPathExtension().lastPathComponent + ".o"
                let status = run([compiler] + compileOnly(args, source: index, sources: Set(scan.sources)) + ["-c", "-o", object])
                if status != 0 { return status }
                linkArgs[index] = object
            }
            return run([compiler] + linkArgs)
        }

        var runtime: RuntimeLocator.Runtime?
        do { runtime = try RuntimeLocator.locate(compiler: compiler) } catch {
            warn("not instrumenting: \(error)")
            return Subprocess.run(command)
        }
        let workDir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: workDir) }
        let cwd = FileManager.default.currentDirectoryPath
        var replaced: [(original: String, copy: String, mirror: String)] = []
        var mirrors: [HeaderMirror] = []
        if scan.languageIsC {
            for index in scan.sources {
                let source = args[index]
                do {
                    let config = try configuration(for: source, cwd: cwd)
                    let annotation = try CFrontEnd.annotateForCompile(file: source, arguments: args, directory: cwd, config: config)
                    let result = annotation.scan
                    if result.hasErrors {
                        let first = result.findings.first { $0.severity == .error }!
                        warn("\(source): not instrumented: \(first.compilerStyle)")
                        continue
                    }
                    if let keep = env["ALLOCTAG_CC_KEEP"], !keep.isEmpty {  // what was decided, and why
                        let lines = result.helpers.map { "\($0.location.description): helper \($0.name): recipe=\($0.recipe) \($0.reason ?? "")" }
                            + result.indirectCalls.map { "\($0.location.description): \($0.callee): \($0.decided) \($0.reason)" }
                        try? Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: keep).appendingPathComponent(URL(fileURLWithPath: source).lastPathComponent + ".facts"))
                    }
                    for (header, reason) in annotation.skipped {
                        warn("\(header): its sites stay untagged in \(source): \(reason)")
                    }
                    let original = SourceCache.canonical(CompileFlags.absolute(source, in: cwd))
                    let instrumented = annotation.text != nil || !annotation.headers.isEmpty
                    CompileLog.unit(source, reusedFacts: annotation.reusedFacts, sites: result.sites.count, instrumented: instrumented)
                    guard instrumented else {
                        if env["ALLOCTAG_CC_KEEP"] != nil { warn("\(source): nothing to annotate") }
                        continue
                    }
                    var mirror = HeaderMirror(root: "\(workDir)/\(index)")
                    let text = annotation.text ?? Array("#line 1 \"\(LineMarker.escape(original))\"\n".utf8) + (FileManager.default.contents(atPath: original).map(Array.init) ?? [])
                    try mirror.build(unit: original, text: text, headers: annotation.headers, included: annotation.included,
                                     includeDirectories: CompileFlags.includeDirectories(args, cwd: cwd),
                                     projectRoot: ProgramIndex.root(for: original))
                    for (header, reason) in mirror.skipped { warn("\(header): its sites stay untagged in \(source): \(reason)") }
                    if let keep = env["ALLOCTAG_CC_KEEP"], !keep.isEmpty {  // inspect what was compiled
                        for path in [original] + annotation.headers.keys {
                            try? FileManager.default.copyItem(atPath: mirror.path(path), toPath: URL(fileURLWithPath: keep).appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path)
                        }
                    }
                    mirrors.append(mirror)
                    args[index] = mirror.path(original)
                    replaced.append((CompileFlags.absolute(source, in: cwd), mirror.path(original), mirror.root))
                } catch {
                    warn("\(source): not instrumented: \(error)")
                }
            }
        }
        // After the loop: the sources' indices above must not move.
        for mirror in mirrors { args = CompileFlags.preferMirror(args, mirror, cwd: cwd) }
        var instrumented = args
        if !replaced.isEmpty || scan.links {
            // The original directory last: the mirror links its entries, so a quoted include
            // is found there first, as in the original compile; this only catches what the
            // mirror leaves out (#include_next headers), never before an annotated copy.
            let originalDirs = Set(replaced.map { URL(fileURLWithPath: $0.original).deletingLastPathComponent().path })
            instrumented += originalDirs.sorted().flatMap { ["-idirafter", $0] }
            // A renamed function reached by a call the analysis missed must fail the compile
            // (and so fall back), not become an implicit declaration and a link error.
            instrumented += ["-I", runtime!.includeDirectory, "-Werror=implicit-function-declaration"]
        }
        var prefixMap: String?
        if !scan.sources.isEmpty {
            // Tags name their file by `__FILE__`, which is the absolute path of the original
            // (the annotated copy's `#line`). The kernel prints `mm/slub.c:123`: map the project
            // root away, so two machines' reports of one build diff cleanly (gcc >= 8, clang >= 10).
            // `command` holds the sources as written (`args` may name the annotated copies).
            let root = ProgramIndex.root(for: SourceCache.canonical(CompileFlags.absolute(command[1 + scan.sources[0]], in: cwd)))
            if !root.contains("=") { prefixMap = "-fmacro-prefix-map=\(root)/=" }  // OLD=NEW: no '=' in OLD
        }
        if scan.links { instrumented += runtime!.linkArguments }
        if replaced.isEmpty && !scan.links { return Subprocess.run(command) }

        let log = "\(workDir)/stderr"
        // -H lists every header the compile opens: an annotated copy read from its original
        // path (an include route the mirror does not cover) is said, not silently untagged.
        let trace = mirrors.contains { !$0.copies.isEmpty } ? ["-H"] : []
        var status = Subprocess.run([compiler] + instrumented + trace + (prefixMap.map { [$0] } ?? []), stderrTo: log)
        if status != 0, let prefixMap, Subprocess.run([compiler] + instrumented + trace, stderrTo: log) == 0 {
            // A compiler without the option (gcc < 8, clang < 10): still instrumented, paths absolute.
            warn("\(compiler) does not take \(prefixMap.prefix { $0 != "=" }); report paths stay absolute")
            status = 0
        }
        if status == 0 {
            var output = FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if !trace.isEmpty {
                let (rest, opened) = HeaderMirror.splitHeaderTrace(output, cwd: cwd)
                output = rest
                for mirror in mirrors {
                    for header in mirror.readFromOriginals(opened) {
                        warn("\(header): read from its original path, not its annotated copy (an include route tagger cc does not mirror); its sites stay untagged")
                    }
                }
            }
            FileHandle.standardError.write(Data(output.utf8))
            fixDependencyFiles(args: args, replaced: replaced, cwd: cwd)
            return 0
        }
        // Fall back: the build must not break because of the annotation.
        if !replaced.isEmpty {
            let errors = (FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? "")
                .split(separator: "\n").filter { $0.contains("error") }.prefix(5).joined(separator: "\n")
            warn("instrumented compile failed; compiling \(replaced.map(\.original).joined(separator: " ")) without instrumentation (this is a tagger bug; please report it with these lines)\n\(errors)")
            var plain = Array(command.dropFirst())
            if scan.links { plain += runtime!.linkArguments }
            return Subprocess.run([compiler] + plain)
        }
        if let data = FileManager.default.contents(atPath: log) { FileHandle.standardError.write(data) }
        return status
    }

    /// `args` for compiling the source at `source` alone: the other sources, the output, the
    /// linker's inputs and options left out (the caller adds `-c -o OBJECT`).
    static func compileOnly(_ args: [String], source: Int, sources: Set<Int>) -> [String] {
        var out: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if i != source, sources.contains(i) { i += 1; continue }
            if a == "-o" || a == "-Xlinker" || a == "-L" || a == "-l" { i += 2; continue }
            if a.hasPrefix("-o") || a.hasPrefix("-Wl,") || a.hasPrefix("-l") || a.hasPrefix("-L") { i += 1; continue }
            if !a.hasPrefix("-"), [".o", ".a", ".so"].contains(where: { a.hasSuffix($0) }) || a.contains(".so.") { i += 1; continue }
            if CompileFlags.takesValue.contains(a), i + 1 < args.count { out += [a, args[i + 1]]; i += 2; continue }
            out.append(a)
            i += 1
        }
        return out
    }

    public struct ArgumentScan {
        public var sources: [Int] = []
        public var preprocessOnly = false
        public var links = true
        public var languageIsC = true
    }

    public static func scanArguments(_ args: [String]) -> ArgumentScan {
        var s = ArgumentScan()
        var dependencyOnly = false, hasMD = false
        var i = 0
        while i < args.count {
            let a = args[i]
            switch a {
            case "-c", "-S": s.links = false
            case "-E": s.preprocessOnly = true
            case "-M", "-MM": dependencyOnly = true
            case "-MD", "-MMD": hasMD = true
            case "-x":
                if i + 1 < args.count, args[i + 1] != "c" { s.languageIsC = false }
                i += 1
            default:
                if CompileFlags.takesValue.contains(a) { i += 1 }
                else if !a.hasPrefix("-"), a.hasSuffix(".c") { s.sources.append(i) }
            }
            i += 1
        }
        if dependencyOnly && !hasMD { s.preprocessOnly = true }
        if args.contains("-v") && args.count == 1 || args.contains("--version") || args.contains("-dumpversion") || args.contains("-dumpmachine") {
            s.preprocessOnly = true
        }
        if args.isEmpty { s.preprocessOnly = true }
        return s
    }

    /// The nearest `.alloctag.json` above the source plus ALLOCTAG_ALLOCATORS / ALLOCTAG_NOPROF
    /// (comma-separated names).
    static func configuration(for source: String, cwd: String) throws -> CConfig {
        let env = ProcessInfo.processInfo.environment
        func list(_ key: String) -> [String] {
            (env[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let base = CConfig(allocators: list("ALLOCTAG_ALLOCATORS"), noprof: list("ALLOCTAG_NOPROF"))
        let dir = URL(fileURLWithPath: CompileFlags.absolute(source, in: cwd)).deletingLastPathComponent().path
        var config = base.merged(with: try AllocTagConfig.discover(from: dir)?.c)
        config.root = nil  // only the translation unit itself is edited
        return config
    }

    /// Make-style dependency files must name the original sources, not the temporary copies.
    static func fixDependencyFiles(args: [String], replaced: [(original: String, copy: String, mirror: String)], cwd: String) {
        guard !replaced.isEmpty, args.contains("-MD") || args.contains("-MMD") else { return }
        var candidates: [String] = []
        if let i = args.firstIndex(of: "-MF"), i + 1 < args.count { candidates.append(args[i + 1]) }
        if let i = args.firstIndex(of: "-o"), i + 1 < args.count {
            candidates.append(URL(fileURLWithPath: args[i + 1]).deletingPathExtension().path + ".d")
        }
        for r in replaced { candidates.append(URL(fileURLWithPath: r.copy).deletingPathExtension().lastPathComponent + ".d") }
        for c in Set(candidates) {
            let path = CompileFlags.absolute(c, in: cwd)
            guard var text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            for r in replaced {
                text = text.replacingOccurrences(of: r.copy, with: r.original).replacingOccurrences(of: r.mirror + "/", with: "/")
            }
            try? AtomicFileWrite.write(text, path)
        }
    }

    static func makeTemporaryDirectory() -> String {
        var template = Array("\(NSTemporaryDirectory())/tagger-cc-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { p in
            guard let r = mkdtemp(p.baseAddress!) else { return NSTemporaryDirectory() + "/tagger-cc-\(getpid())" }
            return String(cString: r)
        }
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data((warningPrefix + message + "\n").utf8))
    }
}

import TaggerCore
enum AtomicFileWrite {
    static func write(_ text: String, _ path: String) throws { try AtomicFile.write(text, to: path) }
}
