import Foundation
import XCTest

/// Runs the built `alloctag-gen` as the build plugin does, and reads compiler-style lines.
enum Gen {
    /// `.build/<config>/alloctag-gen`, built for this test target like `tagger`.
    static var executable: URL { Bundle.main.bundleURL.appendingPathComponent("alloctag-gen") }

    /// Its warnings are on standard error; it prints nothing on standard output. `environment`
    /// is added to the test's (`TAGGER_LIBCLANG` chooses the libclang, or none).
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> TaggerRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return TaggerRun(status: process.terminationStatus, stdout: "", stderr: String(decoding: data, as: UTF8.self))
    }
}

/// One `path:line:col: severity: message [rule]` line, its path made absolute.
struct Diagnostic: Hashable {
    var file: String
    var line: Int
    var column: Int
    var rule: String
    var message: String

    /// `path:line:col [rule]`: what the plugin and check are compared on.
    var key: String { "\(file):\(line):\(column) [\(rule)]" }

    /// The diagnostics of `output`, relative paths resolved against `directory`.
    static func parse(_ output: String, in directory: String) -> [Diagnostic] {
        output.split(separator: "\n").compactMap { line -> Diagnostic? in
            guard let match = line.wholeMatch(of: /(.+?):(\d+):(\d+): (?:warning|error|note): (.*) \[([a-z-]+)\]/) else { return nil }
            let path = match.1.hasPrefix("/") ? String(match.1) : directory + "/" + match.1
            return Diagnostic(file: URL(fileURLWithPath: path).standardized.path, line: Int(match.2)!, column: Int(match.3)!,
                              rule: String(match.5), message: String(match.4))
        }
    }
}
