import Foundation

/// Where `annotate` writes each file: in place, or under `--output DIR` at the file's path
/// relative to the mirror root. One rule for every language:
/// - the mirror root is `--root`, else the working directory when every file written lies
///   under it, else the files' deepest common directory;
/// - a file outside the root (only possible with `--root`) keeps its whole absolute path
///   under DIR, so two such files never land on one name.
/// Paths are compared canonical (absolute, symlinks resolved), as the C front end names them.
struct Mirror {
    let outputDirectory: String?
    let root: String

    init(outputDirectory: String?, root explicit: String?, files: [String], workingDirectory: String) {
        self.outputDirectory = outputDirectory
        let cwd = Self.canonical(workingDirectory)
        if let explicit {
            root = Self.canonical(explicit.hasPrefix("/") ? explicit : workingDirectory + "/" + explicit)
            return
        }
        let canonical = files.map { Self.canonical($0.hasPrefix("/") ? $0 : workingDirectory + "/" + $0) }
        if canonical.isEmpty || canonical.allSatisfy({ $0.hasPrefix(cwd + "/") }) {
            root = cwd
            return
        }
        var common = URL(fileURLWithPath: canonical[0]).deletingLastPathComponent().pathComponents
        for file in canonical.dropFirst() {
            let parts = URL(fileURLWithPath: file).deletingLastPathComponent().pathComponents
            common = Array(zip(common, parts).prefix { $0 == $1 }.map(\.0))
        }
        root = NSString.path(withComponents: common.isEmpty ? ["/"] : common)
    }

    /// Where `path` is written.
    func destination(of path: String) -> String {
        guard let outputDirectory else { return path }
        let file = Self.canonical(path)
        let relative = file.hasPrefix(root + "/") ? String(file.dropFirst(root.count + 1)) : String(file.dropFirst())
        return URL(fileURLWithPath: outputDirectory).appendingPathComponent(relative).path
    }

    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
