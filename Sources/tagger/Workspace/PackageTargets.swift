import Foundation

/// Where the sources of a package's targets are, for `check --target`.
enum PackageTargets {
    /// The source directory of each named target of the package at `packagePath`: the
    /// conventional `Sources/X`, `Tests/X` or `Plugins/X`, else what
    /// `swift package describe` says (for targets with a custom `path:`).
    static func directories(_ targets: [String], packagePath: String) throws -> [String] {
        var described: [String: String]?
        if !targets.isEmpty, !FileManager.default.fileExists(atPath: packagePath + "/Package.swift") {
            throw Inputs.Failure(description: "\(packagePath): no Package.swift; --target names a target of the package at --package-path DIR")
        }
        return try targets.map { target in
            for folder in ["Sources", "Tests", "Plugins"] {
                let candidate = "\(packagePath)/\(folder)/\(target)"
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                    return candidate
                }
            }
            if described == nil { described = try describe(packagePath) }
            guard let path = described?[target] else {
                let known = (described ?? [:]).keys.sorted().joined(separator: ", ")
                throw Inputs.Failure(description: "\(packagePath)/Package.swift: no target named '\(target)'; targets: \(known)")
            }
            return path.hasPrefix("/") ? path : "\(packagePath)/\(path)"
        }
    }

    /// Target name to source path, from `swift package describe --type json`.
    private static func describe(_ packagePath: String) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", packagePath, "describe", "--type", "json"]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            throw Inputs.Failure(description: "cannot run `swift package describe` to find targets: \(error)")
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let targets = json["targets"] as? [[String: Any]] else {
            throw Inputs.Failure(description: "\(packagePath): `swift package describe` failed: \(errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        var paths: [String: String] = [:]
        for target in targets {
            if let name = target["name"] as? String, let path = target["path"] as? String { paths[name] = path }
        }
        return paths
    }
}
