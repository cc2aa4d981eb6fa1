import Foundation
import TaggerCore

/// The one way every command turns its inputs into files and files into front ends:
/// - a file named explicitly is taken (an unknown extension is reported as unsupported);
/// - a directory is walked with `SourceWalk` (its `.c` and `.swift` files, skipping hidden
///   entries, `.build*` folders and package manifests): the same rule for PATHS and for
///   `check --target`'s folders, so `scan`, `annotate` and `check` see the same files;
/// - with no paths, `-p BUILD_DIR` names the `.c` files of its compilation database;
/// - a file reached twice (two spellings, or a file and its folder) is taken once;
/// - each file goes to the first front end that claims its extension.
public struct Routed: Sendable {
    /// Per front end (in `Workspace.frontEnds` order), its files in input order.
    public var files: [[String]]
    public var unsupported: [(path: String, reason: String)] = []

    public var isEmpty: Bool { files.allSatisfy(\.isEmpty) }
}

enum Inputs {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The files of `paths` (relative to `workingDirectory`), or of the compilation database,
    /// leaving out those already in `seen` (absolute standardized paths; updated).
    static func files(_ paths: [String], buildDirectory: String?, workingDirectory: String,
                      seen: inout Set<String>) throws -> [(path: String, named: Bool)] {
        var paths = paths
        if paths.isEmpty, let dir = buildDirectory {
            let data = FileManager.default.contents(atPath: dir + "/compile_commands.json") ?? Data()
            let list = (try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
            paths = list.compactMap { e in
                guard let f = e["file"] as? String, let d = e["directory"] as? String else { return nil }
                return f.hasPrefix("/") ? f : d + "/" + f
            }.filter { $0.hasSuffix(".c") }
        }
        var found: [(String, Bool)] = []
        for path in paths {
            let absolute = path.hasPrefix("/") ? path : workingDirectory + "/" + path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
                throw Failure(description: "\(path): no such file or directory")
            }
            let files = isDirectory.boolValue ? SourceWalk.sources(under: path) : [path]
            for file in files {
                let key = URL(fileURLWithPath: file.hasPrefix("/") ? file : workingDirectory + "/" + file).standardized.path
                if seen.insert(key).inserted { found.append((file, !isDirectory.boolValue)) }
            }
        }
        return found
    }

    /// `files` routed by extension to `frontEnds`.
    static func route(_ files: [(path: String, named: Bool)], to frontEnds: [any FrontEnd]) -> Routed {
        var routed = Routed(files: Array(repeating: [], count: frontEnds.count))
        for (file, named) in files {
            let ext = URL(fileURLWithPath: file).pathExtension
            if let i = frontEnds.firstIndex(where: { $0.extensions.contains(ext) }) {
                routed.files[i].append(file)
            } else if named {
                let known = frontEnds.map { "\($0.language) (\($0.extensions.sorted().map { "." + $0 }.joined(separator: ", ")))" }
                routed.unsupported.append((file, "not a \(known.joined(separator: " or ")) source"))
            }
        }
        return routed
    }
}
