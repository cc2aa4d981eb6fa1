import CLibclang

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
}
