import AllocReport
import Foundation
import XCTest

/// Fixture paths resolve from this file, so the tests run from any working directory.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    /// The fixture parsed, with `source` set to its bare name so outputs don't depend on paths.
    static func report(_ name: String) throws -> AllocinfoReport {
        try AllocinfoReport(parsing: text(name), source: name)
    }
}

/// Runs a program; returns (status, stdout, stderr). Output goes through files, so a chatty
/// program cannot block on a full pipe.
func runProgram(_ executable: String, _ arguments: [String], timeout: TimeInterval = 120) throws -> (Int32, Data, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("allocreport-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { usleep(20_000) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
        throw NSError(domain: "run", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(executable) timed out after \(timeout) s"])
    }
    process.waitUntilExit()
    return (process.terminationStatus, try Data(contentsOf: out), (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}

/// The first executable named `name` on PATH (or at a usual place), if any.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
