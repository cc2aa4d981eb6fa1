import Foundation
import TaggerCore
import TaggerLexScan

/// What `scan`, `annotate` and `check` share from their command line: the inputs and the
/// settings every front end reads. The CLI fills it in; the driver never parses arguments.
public struct WorkspaceSettings: Sendable {
    /// Files and directories named on the command line, as given.
    public var paths: [String]
    /// `-p BUILD_DIR`: compile flags from BUILD_DIR/compile_commands.json (and, with no paths, its files).
    public var buildDirectory: String?
    /// The words after `--`, for every C file.
    public var compilerFlags: [String]
    /// Added to `compilerFlags` (not to a compilation database's): `check --target`'s include folders.
    public var extraCompilerFlags: [String] = []
    public var allocators: [String]
    public var noprof: [String]
    /// `--root`: only files under it are edited; `--output` mirrors the paths below it.
    public var root: String?
    /// `--config FILE`; nil: the nearest `.alloctag.json` above the inputs.
    public var configFile: String?
    public var inferHelpers: Bool
    public var workingDirectory: String

    public init(paths: [String] = [], buildDirectory: String? = nil, compilerFlags: [String] = [],
                allocators: [String] = [], noprof: [String] = [], root: String? = nil, configFile: String? = nil,
                inferHelpers: Bool = true, workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.paths = paths
        self.buildDirectory = buildDirectory
        self.compilerFlags = compilerFlags
        self.allocators = allocators
        self.noprof = noprof
        self.root = root
        self.configFile = configFile
        self.inferHelpers = inferHelpers
        self.workingDirectory = workingDirectory
    }

    /// `path` made absolute against the working directory.
    public func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : workingDirectory + "/" + path
    }

    /// The C front end's settings: the command line's, then `--config`'s.
    public func cConfig() throws -> CConfig {
        var c = CConfig(allocators: allocators, noprof: noprof, root: root, inferHelpers: inferHelpers)
        if let configFile { c = c.merged(with: try loadConfig { try AllocTagConfig.load(path: configFile).c }) }
        return c
    }

    public var flagSource: FlagSource {
        buildDirectory.map { .compilationDatabase($0) } ?? .fixed(compilerFlags + extraCompilerFlags)
    }

    /// The Swift front end's settings: the `swift` section of `--config` and of every input's
    /// nearest `.alloctag.json` (`AllocTagConfig.resolve`, the one lookup).
    public func swiftConfig(files: [String]) throws -> AllocTagConfig {
        try loadConfig { try AllocTagConfig.resolve(explicit: configFile, files: files) }
    }

    /// `--config`'s settings alone, without the search: the build plugin's generator reads the
    /// file the plugin names (and declares as the command's input, so a change reruns it).
    public func namedConfig() throws -> AllocTagConfig {
        guard let configFile else { return AllocTagConfig() }
        return try loadConfig { try AllocTagConfig.load(path: configFile) }
    }

    /// A bad settings file is bad input (65), its diagnostic already in compiler form.
    private func loadConfig<T>(_ load: () throws -> T) throws -> T {
        do { return try load() } catch {
            throw WorkspaceExit(TaggerExit.dataError, "\(error)")
        }
    }
}

/// How a driver operation ends other than cleanly: the exit status, and the line for
/// standard error (nil when everything was already printed).
public struct WorkspaceExit: Error, Sendable {
    public var status: Int32
    public var message: String?

    public init(_ status: Int32, _ message: String? = nil) {
        self.status = status
        self.message = message
    }
}
