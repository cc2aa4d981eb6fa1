import Foundation
import TaggerCore
import TaggerGate
import TaggerWorkspace

// alloctag-gen: what the build plugin runs on every build that changed a source of the target.
// It must stay free of swift-syntax and libclang (see platform-facts: a release build of
// swift-syntax takes ~15 min), so it runs the workspace driver with the token-scan providers
// (`SwiftTokenScanFrontEnd`, `CTokenScanFrontEnd`); this file only parses arguments and
// writes the outputs.
//
//   alloctag-gen --module M --output AllocTags.swift [--config alloctag.json] FILE.swift...
//   alloctag-gen --c --module M --output sites.txt FILE.c...
//
// Swift: declares one `alloc_tags` record per `withAllocTag(&allocTag_...)` reference, with
// the site's current line and function, and warns at each site that is not wrapped.
// C: warns at each malloc-family call that is not tagged; the output lists the sites.
// The warnings are `tagger check`'s for the same sites by construction: the driver's
// `checkScan` and `Workspace.evaluate` with check's defaults (no baseline, not strict).

let usage = """
    usage: alloctag-gen [--c] --module NAME --output PATH [--config alloctag.json] FILE...
    """

func fail(_ message: String, _ status: Int32) -> Never {
    FileHandle.standardError.write(Data("alloctag-gen: error: \(message)\n".utf8))
    exit(status)
}

var module: String?
var output: String?
var configPath: String?
var cMode = false
var files: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--module": module = arguments.popFirst()
    case "--output": output = arguments.popFirst()
    case "--config": configPath = arguments.popFirst()
    case "--c": cMode = true
    case "--help", "-h": print(usage); exit(0)
    default:
        if argument.hasPrefix("-") { fail("unknown option '\(argument)'\n\(usage)", TaggerExit.usage) }
        files.append(argument)
    }
}
guard let module, let output else { fail("--module and --output are required\n\(usage)", TaggerExit.usage) }

// Root `/`: the gate's display paths are the absolute paths (what SwiftPM attaches to files).
let provider: any FrontEnd = cMode ? CTokenScanFrontEnd(module: module) : SwiftTokenScanFrontEnd(module: module)
let workspace = Workspace(settings: WorkspaceSettings(paths: files.sorted(), root: "/", configFile: configPath),
                          frontEnds: [provider])
let check = CheckOptions()
let result: ScanResult
let report: GateReport
do {
    let gate = try workspace.gateOptions(check)
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
let contents = cMode ? GenOutputs.siteList(result.sites)
    : GenOutputs.tagDeclarations(module: module, references: result.tagReferences ?? [])
do {
    // An unchanged declarations file keeps its date: rewriting it would recompile the file
    // (and what depends on it) on every incremental build that touched any source.
    if FileManager.default.contents(atPath: output) != Data(contents.utf8) {
        try AtomicFile.write(contents, to: output)
    }
} catch {
    fail("\(error)", TaggerExit.dataError)
}
