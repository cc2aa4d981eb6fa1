import Foundation
import TaggerCore

/// The files `tagger check` analyses, from its PATHS and `--target`s.
enum CheckSources {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sorted absolute paths of the `.c` and `.swift` files named by `paths` (files are taken as
    /// given, whatever their extension; directories are searched, skipping hidden and `.build*`
    /// directories and package manifests, which are not compiled into targets).
    static func files(in paths: [String], workingDirectory: String) throws -> [String] {
        var found: Set<String> = []
        for path in paths {
            let absolute = path.hasPrefix("/") ? path : workingDirectory + "/" + path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
                throw Failure(description: "\(path): no such file or directory")
            }
            guard isDirectory.boolValue else {
                found.insert(URL(fileURLWithPath: absolute).standardized.path)
                continue
            }
            for file in SourceWalk.sources(under: absolute) { found.insert(URL(fileURLWithPath: file).standardized.path) }
        }
        return found.sorted()
    }

    /// The source directory of each named target of the package at `packagePath`: the
    /// conventional `Sources/X`, `Tests/X` or `Plugins/X`, else what
    /// `swift package describe` says (for targets with a custom `path:`).
    static func targetDirectories(_ targets: [String], packagePath: String) throws -> [String] {
        var described: [String: String]?
        if !targets.isEmpty, !FileManager.default.fileExists(atPath: packagePath + "/Package.swift") {
            throw Failure(description: "\(packagePath): no Package.swift; --target names a target of the package at --package-path DIR")
        }
        return try targets.map { target in
            for folder in ["Sources", "Tests", "Plugins"] {
                let candidate = "\(packagePath)/\(folder)/\(target)"
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                    return candidate
                }
            }
            if described == nil { described = try describePackage(at: packagePath) }
            guard let path = described?[target] else {
                let known = (described ?? [:]).keys.sorted().joined(separator: ", ")
                throw Failure(description: "\(packagePath)/Package.swift: no target named '\(target)'; targets: \(known)")
            }
            return path.hasPrefix("/") ? path : "\(packagePath)/\(path)"
        }
    }

    /// Target name to source path, from `swift package describe --type json`.
    private static func describePackage(at packagePath: String) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", packagePath, "describe", "--type", "json"]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            throw Failure(description: "cannot run `swift package describe` to find targets: \(error)")
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let targets = json["targets"] as? [[String: Any]] else {
            throw Failure(description: "\(packagePath): `swift package describe` failed: \(errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        var paths: [String: String] = [:]
        for target in targets {
            if let name = target["name"] as? String, let path = target["path"] as? String { paths[name] = path }
        }
        return paths
    }
}
