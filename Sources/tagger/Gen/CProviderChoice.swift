import TaggerC
import TaggerCProvider
import TaggerWorkspace

/// The provider of alloctag-gen's C warnings: libclang's (`LibclangFrontEnd`, what `tagger
/// check` runs, so the plugin's warnings are check's findings by construction), or, only when
/// no libclang loads, the token scan, which sees direct malloc-family calls alone. That
/// fallback is never silent: it comes with one warning line naming the cause and the fix.
enum CProviderChoice {
    static func choose(module: String, libclang fallback: String?) -> (provider: any FrontEnd, warning: String?) {
        if let fallback = fallback ?? LibclangLibrary.toolchainLibrary() { LibclangLibrary.setFallback(fallback) }
        guard let failure = LibclangLibrary.loadFailure() else { return (LibclangFrontEnd(), nil) }
        let warning = "alloctag-gen: warning: \(module): the C warnings come from the token scan, which sees only direct "
            + "malloc-family calls, not the allocation helpers `tagger check` infers: \(failure); to get check's findings, "
            + "install libclang (e.g. libclang1-14) or set TAGGER_LIBCLANG=/path/to/libclang.so "
            + "(the Swift toolchain's usr/lib/libclang.so will do) [libclang-unavailable]"
        return (CTokenScanFrontEnd(module: module), warning)
    }
}
