import Foundation
import TaggerCore

/// Where `tagger cc` finds the runtime's headers and shared library.
///
/// Headers: `$ALLOCTAG_INCLUDE`, else the package's `Sources/TagRuntime/Core/include`.
/// Library: `$ALLOCTAG_RUNTIME` (a `libTagRuntimePreload.so` or the directory holding it), else
/// a copy built once from the package's runtime sources with the project's compiler and cached
/// under `${XDG_CACHE_HOME:-~/.cache}/alloctag/runtime/<hash of the sources>/`, else the
/// `libTagRuntimePreload.so` SwiftPM built next to the tagger executable.
/// A shared library, so a C library and the program using it share one copy of the counters.
public enum RuntimeLocator {
    public struct Runtime: Sendable {
        public var includeDirectory: String
        public var libraryDirectory: String
        public static let libraryName = "TagRuntimePreload"
        public var linkArguments: [String] {
            ["-L\(libraryDirectory)", "-Wl,-rpath,\(libraryDirectory)",
             "-Wl,--push-state,--no-as-needed", "-l\(Self.libraryName)", "-Wl,--pop-state"]
        }
    }

    public struct NotFound: Error, CustomStringConvertible { public var description: String }

    /// The package this tagger was built from (its sources are found from here).
    static var packageRoot: String {
        URL(fileURLWithPath: SourceCache.canonical(#filePath)).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    static var runtimeSources: String { packageRoot + "/Sources/TagRuntime/Core" }

    public static func includeDirectory() throws -> String {
        let env = ProcessInfo.processInfo.environment
        let dir = env["ALLOCTAG_INCLUDE"] ?? runtimeSources + "/include"
        guard FileManager.default.fileExists(atPath: dir + "/alloc_tag/alloc_tag.h") else {
            throw NotFound(description: "alloc_tag/alloc_tag.h not found under \(dir); set ALLOCTAG_INCLUDE to the runtime's include directory")
        }
        return dir
    }

    /// Finds or builds the runtime; `compiler` builds the cached copy.
    public static func locate(compiler: String) throws -> Runtime {
        let include = try includeDirectory()
        let env = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        let file = "lib\(Runtime.libraryName).so"
        if let given = env["ALLOCTAG_RUNTIME"], !given.isEmpty {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: given, isDirectory: &isDir) else {
                throw NotFound(description: "ALLOCTAG_RUNTIME=\(given) does not exist")
            }
            let dir = isDir.boolValue ? given : URL(fileURLWithPath: given).deletingLastPathComponent().path
            guard fm.fileExists(atPath: dir + "/" + file) else { throw NotFound(description: "no \(file) in \(dir) (ALLOCTAG_RUNTIME)") }
            return Runtime(includeDirectory: include, libraryDirectory: dir)
        }
        if let built = try? cachedBuild(compiler: compiler, include: include) {
            return Runtime(includeDirectory: include, libraryDirectory: built)
        }
        let exeDir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        if fm.fileExists(atPath: exeDir + "/" + file) { return Runtime(includeDirectory: include, libraryDirectory: exeDir) }
        throw NotFound(description: "the alloctag runtime was not found: set ALLOCTAG_RUNTIME to libTagRuntimePreload.so (swift build --product TagRuntimePreload builds it)")
    }

    private static func cachedBuild(compiler: String, include: String) throws -> String {
        let fm = FileManager.default
        let sources = (try fm.contentsOfDirectory(atPath: runtimeSources)).filter { $0.hasSuffix(".c") }.sorted()
        guard !sources.isEmpty else { throw NotFound(description: "no runtime sources") }
        var hash = FNV1a()
        let headers = ((try? fm.contentsOfDirectory(atPath: include + "/alloc_tag")) ?? []).sorted().map { include + "/alloc_tag/" + $0 }
        let internals = ((try? fm.contentsOfDirectory(atPath: runtimeSources)) ?? []).filter { $0.hasSuffix(".h") }.sorted().map { runtimeSources + "/" + $0 }
        for path in sources.map({ runtimeSources + "/" + $0 }) + headers + internals {
            hash.add(fm.contents(atPath: path) ?? Data())
            hash.add(path)
        }
        let env = ProcessInfo.processInfo.environment
        let cacheHome = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"] ?? "/tmp") + "/.cache"
        let dir = "\(cacheHome)/alloctag/runtime/\(String(hash.value, radix: 16))"
        let lib = "\(dir)/lib\(Runtime.libraryName).so"
        if fm.fileExists(atPath: lib) { return dir }
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temporary = "\(lib).\(getpid()).tmp"
        let args = ["-shared", "-fPIC", "-O2", "-g", "-D_GNU_SOURCE", "-I", include, "-I", runtimeSources]
            + sources.map { runtimeSources + "/" + $0 } + ["-o", temporary, "-lpthread", "-ldl"]
        let status = Subprocess.run([compiler] + args, stderrTo: "\(dir)/build.log")
        guard status == 0, rename(temporary, lib) == 0 else {
            unlink(temporary)
            throw NotFound(description: "building the runtime failed (see \(dir)/build.log)")
        }
        return dir
    }
}

/// Runs a command with inherited stdio (or stderr to a file); returns its exit status.
enum Subprocess {
    static func run(_ argv: [String], stderrTo path: String? = nil) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        if let path {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            p.standardError = FileHandle(forWritingAtPath: path)
        }
        do { try p.run() } catch { return 127 }
        p.waitUntilExit()
        return p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
    }
}
