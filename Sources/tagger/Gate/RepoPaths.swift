/// Turns the paths front ends report into the repository-relative paths every reporter and the
/// baseline use, and back into paths the reader can open.
///
/// Lexical only (no symlink resolution): the same spelling must give the same key on every
/// machine that checks out the repository.
struct RepoPaths {
    let root: String
    let workingDirectory: String

    init(root: String, workingDirectory: String) {
        self.root = Self.normalize(root)
        self.workingDirectory = Self.normalize(workingDirectory)
    }

    /// `root`-relative when inside `root`, else absolute.
    func display(_ path: String) -> String {
        let absolute = Self.normalize(path.hasPrefix("/") ? path : workingDirectory + "/" + path)
        if root == "/" { return String(absolute.dropFirst()) }
        if absolute.hasPrefix(root + "/") { return String(absolute.dropFirst(root.count + 1)) }
        return absolute
    }

    /// The absolute path of a display path.
    func absolute(_ display: String) -> String {
        display.hasPrefix("/") ? display : Self.normalize(root + "/" + display)
    }

    /// Removes `.`, empty components and `..` (not above `/`).
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
