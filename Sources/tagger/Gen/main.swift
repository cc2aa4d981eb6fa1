import Foundation
import TaggerCore
import TaggerLexScan

// alloctag-gen: what the build plugin runs on every build that changed a source of the target.
// It must stay free of swift-syntax and libclang (see platform-facts: a release build of
// swift-syntax takes ~15 min), so it reads sources with the token scan of TaggerLexScan.
//
//   alloctag-gen --module M --output AllocTags.swift [--config alloctag.json] FILE.swift...
//   alloctag-gen --c --module M --output sites.txt FILE.c...
//
// Swift: declares one `alloc_tags` record per `withAllocTag(&allocTag_...)` reference, with
// the site's current line and function, and warns at each site that is not wrapped.
// C: warns at each malloc-family call that is not tagged; the output lists the sites.
// The warnings are what `tagger check` reports for the same sites (`GateWarnings`): a site
// silenced by an `alloc-tag: ignore` comment is not warned about.

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

var config = AllocTagConfig()
if let configPath {
    do { config = try AllocTagConfig.load(path: configPath) } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))  // already `path:line:col: error: ...`
        exit(TaggerExit.dataError)
    }
}

func readSource(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { fail("\(path): cannot read the file", TaggerExit.dataError) }
    return String(decoding: data, as: UTF8.self)
}

var warnings: [Finding] = []
var sites: [AllocationSite] = []
let contents: String
if cMode {
    var lines: [String] = []
    for path in files.sorted() {
        for site in CLexScan.scan(source: readSource(path)) {
            let location = SourceLocation(file: path, line: site.line, column: site.column)
            lines.append("\(location.description) \(site.callee) \(site.tagged ? "tagged" : "untagged")")
            sites.append(AllocationSite(location: location, language: .c, callee: site.callee, function: nil, tagged: site.tagged,
                                        reason: site.tagged ? nil : "not tagged"))
            if !site.tagged {
                warnings.append(Finding(rule: Rules.untaggedSite, message: "\(site.callee) call is not tagged; run "
                    + "`swift package --allow-writing-to-package-directory alloc-tag annotate --target \(module)` "
                    + "(its bytes are charged to <untagged>)", location: location))
            }
        }
    }
    contents = lines.map { $0 + "\n" }.joined()
} else {
    var tags: [(name: String, reference: LexTagReference, file: String)] = []
    var firstUse: [String: SourceLocation] = [:]
    for path in files.sorted() {
        let isMain = (path as NSString).lastPathComponent == "main.swift"
        let result = SwiftLexScan.scan(source: readSource(path), isMainFile: isMain, constructedTypes: config.constructedTypes)
        for site in result.sites {
            sites.append(AllocationSite(location: SourceLocation(file: path, line: site.line, column: site.column), language: .swift,
                                        callee: site.callee, function: site.function, tagged: site.tagName != nil,
                                        reason: site.tagName != nil ? nil : "not wrapped in withAllocTag"))
        }
        for site in result.sites where site.tagName == nil {
            warnings.append(Finding(rule: Rules.untaggedSite, message: "\(site.callee) call is not tagged; run "
                + "`swift package --allow-writing-to-package-directory alloc-tag annotate --target \(module)` "
                + "(its bytes are charged to <untagged>)",
                location: SourceLocation(file: path, line: site.line, column: site.column)))
        }
        for reference in result.references where reference.name.hasPrefix(AllocatorNames.generatedTagPrefix) {
            let location = SourceLocation(file: path, line: reference.line, column: reference.column)
            if let first = firstUse[reference.name] {
                warnings.append(Finding(rule: Rules.untaggedSite, message: "tag \(reference.name) is already used at "
                    + "\(first.description), so this site's bytes are charged there; run alloc-tag annotate to give it "
                    + "a tag of its own", location: location))
                continue
            }
            firstUse[reference.name] = location
            tags.append((reference.name, reference, path))
        }
    }
    contents = SwiftTagFile.render(module: module, tags: tags.map { ($0.name, $0.reference.function, $0.file, $0.reference.line) })
}

for line in GateWarnings.lines(sites: sites, findings: warnings, files: files) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
do {
    // An unchanged declarations file keeps its date: rewriting it would recompile the file
    // (and what depends on it) on every incremental build that touched any source.
    if FileManager.default.contents(atPath: output) != Data(contents.utf8) {
        try AtomicFile.write(contents, to: output)
    }
} catch {
    fail("\(error)", TaggerExit.dataError)
}
