import TaggerC
import TaggerWorkspace

extension Workspace {
    /// `tagger cc`: the compiler launcher. libclang's annotation of one translation unit at a
    /// time, so it lives beside the libclang provider rather than in the light driver.
    public static func compile(_ command: [String]) -> Int32 {
        CompilerLauncher.run(command)
    }
}
