import TaggerCore
import TaggerLexScan

/// What alloctag-gen writes besides its warnings; the format is what the build plugin declares
/// as the command's output (a change in it recompiles the target).
enum GenOutputs {
    /// Swift: one `alloc_tags` record per generated tag (its first reference; the token-scan
    /// provider reports later ones as findings).
    static func tagDeclarations(module: String, references: [TagReference]) -> String {
        SwiftTagFile.render(module: module, tags: references.map { ($0.name, $0.function, $0.location.file, $0.location.line) })
    }

    /// C: one line per site, `path:line:col callee tagged|untagged`, in file order.
    static func siteList(_ sites: [AllocationSite]) -> String {
        sites.map { "\($0.location.description) \($0.callee) \($0.tagged ? "tagged" : "untagged")\n" }.joined()
    }
}
