import CLibclang
import Foundation

/// Which libclang the front end loads, for a caller that must know before analysing (the
/// build plugin's generator, which falls back to the token scan when none loads).
public enum LibclangLibrary {
    /// A library to try after the system's versioned libclang (`load.c`'s order): the Swift
    /// toolchain's. False when libclang was already loaded (the order is fixed at first load).
    @discardableResult
    public static func setFallback(_ path: String) -> Bool {
        tagger_clang_set_fallback(path) == 0
    }

    /// Why libclang cannot be loaded (what was tried, what to install), or nil when it loads.
    /// Loads it: the first call fixes which library every later analysis uses.
    public static func loadFailure() -> String? {
        do { _ = try Libclang.api(); return nil } catch { return "\(error)" }
    }

    /// The Swift toolchain's libclang: `usr/lib/libclang.so` beside the `swiftc` (or `clang`)
    /// that `PATH` finds, symlinks resolved. Every machine that builds Swift has one, so
    /// `tagger check` works where no system libclang is installed. Nil when none is found.
    public static func toolchainLibrary(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
            for tool in ["swiftc", "clang"] {
                let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(tool)
                guard FileManager.default.isExecutableFile(atPath: candidate.path) else { continue }
                let library = candidate.resolvingSymlinksInPath().deletingLastPathComponent()
                    .appendingPathComponent("../lib/libclang.so").standardized
                if FileManager.default.fileExists(atPath: library.path) { return library.path }
            }
        }
        return nil
    }
}
