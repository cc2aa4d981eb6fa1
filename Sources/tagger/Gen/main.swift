import Foundation
import TaggerCore
import TaggerGate
import TaggerWorkspace

// alloctag-gen: what the build plugin runs on every build that changed a source of the target.
// It must stay free of swift-syntax (see platform-facts: a release build of swift-syntax takes
// ~15 min), so its Swift side is the token-scan provider (`SwiftTokenScanFrontEnd`); its C side
// is `tagger check`'s own libclang provider (`LibclangFrontEnd`; libclang is loaded at run time,
// the Swift toolchain ships one), falling back loudly to `CTokenScanFrontEnd` when no libclang
// loads (`CProviderChoice`). This file only runs the driver and writes the outputs; the command
// line is `GenArguments`'.
//
// Swift: declares one `alloc_tags` record per `withAllocTag(&allocTag_...)` reference, with
// the site's current line and function, and warns at each site that is not wrapped.
// C: check's findings (untagged sites, helpers, indirect allocators, inactive-region notes);
// the output lists the sites. The warnings are `tagger check`'s for the same sites by
// construction: the driver's `checkScan` and `Workspace.evaluate` with check's defaults (no
// baseline, not strict).

let arguments = GenArguments.parse(Array(CommandLine.arguments.dropFirst()))
let files = arguments.files.sorted()
var fallbackWarning: String?
let provider: any FrontEnd
if arguments.cMode {
    (provider, fallbackWarning) = CProviderChoice.choose(module: arguments.module, libclang: arguments.libclang)
} else {
    provider = SwiftTokenScanFrontEnd(module: arguments.module)
}
if let fallbackWarning { FileHandle.standardError.write(Data((fallbackWarning + "\n").utf8)) }
// The C front end's root (`--root`, else check's default from the working directory) decides
// which headers are the project's; the gate's root is `/`, so its display paths are the
// absolute paths (what SwiftPM attaches to files).
let settings = WorkspaceSettings(paths: files, compilerFlags: arguments.compilerFlags,
                                 root: arguments.cMode ? arguments.root : "/", configFile: arguments.configPath)
let workspace = Workspace(settings: settings, frontEnds: [provider])
var gateWorkspace = workspace
gateWorkspace.settings.root = "/"
let check = CheckOptions()
let result: ScanResult
let report: GateReport
do {
    let gate = try gateWorkspace.gateOptions(check)
    // No sources (a target emptied by an edit): an empty declarations file, no warnings.
    result = files.isEmpty ? ScanResult(tagReferences: []) : try workspace.checkScan(check, command: "alloctag-gen")
    report = Workspace.evaluate(GateInput(sites: result.sites, findings: result.findings, files: result.files), options: gate)
} catch let exit as WorkspaceExit {
    if let message = exit.message { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    Foundation.exit(exit.status)
}

for line in GateWarnings.lines(report) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
let output = arguments.output
let contents = arguments.cMode ? GenOutputs.siteList(result.sites)
    : GenOutputs.tagDeclarations(module: arguments.module, references: result.tagReferences ?? [])
do {
    // An unchanged declarations file keeps its date: rewriting it would recompile the file
    // (and what depends on it) on every incremental build that touched any source.
    if FileManager.default.contents(atPath: output) != Data(contents.utf8) {
        try AtomicFile.write(contents, to: output)
    }
} catch {
    fail("\(error)", TaggerExit.dataError)
}
