/// Where each C file's compile flags come from: a setting of the workspace driver, read by
/// the libclang front end (in TaggerCore so the driver needs no front end to name it).
public enum FlagSource: Sendable {
    /// The same flags for every file (given after `--`).
    case fixed([String])
    /// `compile_commands.json` in this directory (`-p DIR`, as clang-tidy).
    case compilationDatabase(String)
}
