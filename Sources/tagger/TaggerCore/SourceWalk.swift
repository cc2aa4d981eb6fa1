import Foundation

/// The one rule for which files under a directory are sources, shared by every subcommand
/// (`scan`, `annotate`, `check`) so they never disagree about what a directory holds:
/// `.c` and `.swift` files, skipping hidden entries, `.build*` folders (SwiftPM's copies of
/// dependencies) and package manifests (`Package.swift`, `Package@swift-*.swift`), which are
/// not compiled into any target. A file named explicitly is always taken, whatever it is.
public enum SourceWalk {
    public static let extensions: Set<String> = ["c", "swift"]

    public static func isManifest(_ name: String) -> Bool {
        name == "Package.swift" || (name.hasPrefix("Package@swift-") && name.hasSuffix(".swift"))
    }

    /// Sorted paths (as `directory` + relative path) of the sources under `directory`.
    public static func sources(under directory: String) -> [String] {
        guard let walk = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = walk.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            let isDirectory = (walk.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory
            if name.hasPrefix(".") {
                if isDirectory { walk.skipDescendants() }
                continue
            }
            if isDirectory { continue }
            if isManifest(name) { continue }
            if extensions.contains((name as NSString).pathExtension) {
                found.append(directory.hasSuffix("/") ? directory + relative : directory + "/" + relative)
            }
        }
        return found.sorted()
    }
}
