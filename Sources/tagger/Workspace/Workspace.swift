import Foundation
import TaggerCore

/// The workspace driver: everything `scan`, `annotate`, `check` and `cc` do between parsing
/// their arguments and exiting. It routes files to the front ends (`Inputs`), runs them,
/// merges their results into one, mirrors `--output` (`Mirror`) and writes all or nothing
/// (`AtomicFile.writeAll`). The CLI only parses arguments and calls one method here.
///
/// Each operation prints its report and returns the exit status (`TaggerExit`), or throws a
/// `WorkspaceExit` whose message is the line for standard error.
public struct Workspace: Sendable {
    public var settings: WorkspaceSettings
    /// The providers, in the order their files are analysed and reported.
    public let frontEnds: [any FrontEnd]

    /// No default providers: the light driver names none, so what links it (the build plugin's
    /// generator) pulls in neither swift-syntax nor libclang unless it asks for them (the
    /// generator asks for libclang's, `TaggerCProvider`; never for swift-syntax's).
    public init(settings: WorkspaceSettings, frontEnds: [any FrontEnd]) {
        self.settings = settings
        self.frontEnds = frontEnds
    }

    /// The command line's files, routed; unsupported inputs are reported on standard error.
    func route(command: String, extraDirectories: [String] = []) throws -> Routed {
        let named = !settings.paths.isEmpty || settings.buildDirectory != nil
        guard named || !extraDirectories.isEmpty else {
            throw WorkspaceExit(TaggerExit.usage, "tagger \(command): error: no input files (name files or directories, or -p BUILD_DIR)")
        }
        var files: [(path: String, named: Bool)] = []
        var seen: Set<String> = []
        do {
            if named {
                files = try Inputs.files(settings.paths, buildDirectory: settings.buildDirectory,
                                         workingDirectory: settings.workingDirectory, seen: &seen)
            }
            files += try Inputs.files(extraDirectories, buildDirectory: nil, workingDirectory: settings.workingDirectory, seen: &seen)
        } catch let failure as Inputs.Failure {
            throw WorkspaceExit(TaggerExit.usage, "tagger \(command): error: \(failure)")
        }
        let routed = Inputs.route(files, to: frontEnds)
        for u in routed.unsupported {
            FileHandle.standardError.write(Data("\(u.path):1:1: error: \(command): \(u.reason)\n".utf8))
        }
        return routed
    }

    /// Runs a front end; what it throws becomes the exit for `command` (64 usage, else 65).
    func run<T>(_ command: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let exit as WorkspaceExit {
            throw exit
        } catch let bad as AllocTagConfig.LoadError {
            throw WorkspaceExit(TaggerExit.dataError, "\(bad)")  // already `path:line:col: error: …`
        } catch {
            let status = error is FrontEndUsageError ? TaggerExit.usage : TaggerExit.dataError
            throw WorkspaceExit(status, "tagger \(command): error: \(error)")
        }
    }

    /// Every front end's result over `routed`, merged into one.
    func scan(_ routed: Routed, command: String) throws -> ScanResult {
        var result = ScanResult()
        for (frontEnd, files) in zip(frontEnds, routed.files) where !files.isEmpty {
            result.append(try run(command) { try frontEnd.scan(files, settings: settings) })
        }
        return result
    }
}
