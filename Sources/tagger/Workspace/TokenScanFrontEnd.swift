import Foundation
import TaggerCore
import TaggerLexScan

// The token scan (TaggerLexScan) as providers, needing neither swift-syntax nor libclang: the
// build plugin's generator runs the Swift one on every build, and the C one only when no
// libclang loads (it sees direct malloc-family calls alone; otherwise the generator runs
// check's `LibclangFrontEnd`). Their findings go through the same driver and gate as `tagger
// check`'s; only the sites can differ from the precise front ends', and `PluginWarningTests`
// and `PluginCWarningTests` hold them equal where they can be on real code.
//
// Settings: only the file named by `--config` (`WorkspaceSettings.namedConfig`), never the
// search for `.alloctag.json` above the inputs: the plugin declares that one file as the
// command's input, so a change to it is what reruns the command.

/// The Swift token scan (`SwiftLexScan`) as a provider. It also reports the generated tags the
/// code references (`ScanResult.tagReferences`, each tag's first reference): what the plugin declares.
public struct SwiftTokenScanFrontEnd: FrontEnd {
    /// The target named in the findings' fix (`alloc-tag annotate --target MODULE`).
    public var module: String

    public init(module: String) { self.module = module }

    public var language: String { "Swift" }
    public var extensions: Set<String> { ["swift"] }

    public func scan(_ files: [String], settings: WorkspaceSettings) throws -> ScanResult {
        let constructedTypes = try settings.namedConfig().constructedTypes
        var result = ScanResult(files: files, tagReferences: [])
        var firstUse: [String: SourceLocation] = [:]
        for path in files {
            let isMain = (path as NSString).lastPathComponent == "main.swift"
            let scan = SwiftLexScan.scan(source: try TokenScanSource.read(path), isMainFile: isMain, constructedTypes: constructedTypes)
            for site in scan.sites {
                let location = SourceLocation(file: path, line: site.line, column: site.column)
                let tagged = site.tagName != nil
                result.sites.append(AllocationSite(location: location, language: .swift, callee: site.callee, function: site.function,
                                                   tagged: tagged, reason: tagged ? nil : "not wrapped in withAllocTag"))
                if !tagged {
                    result.findings.append(TokenScanSource.untagged(site.callee, at: location, module: module))
                }
            }
            // A generated tag is one site's: a second reference would charge its bytes to the first.
            for reference in scan.references where reference.name.hasPrefix(AllocatorNames.generatedTagPrefix) {
                let location = SourceLocation(file: path, line: reference.line, column: reference.column)
                if let first = firstUse[reference.name] {
                    result.findings.append(Finding(rule: Rules.untaggedSite, message: "tag \(reference.name) is already used at "
                        + "\(first.description), so this site's bytes are charged there; run alloc-tag annotate to give it "
                        + "a tag of its own", location: location))
                    continue
                }
                firstUse[reference.name] = location
                result.tagReferences?.append(TagReference(name: reference.name, function: reference.function, location: location))
            }
        }
        return result
    }

    public func planAnnotation(_ files: [String], settings: WorkspaceSettings, options: AnnotateOptions) throws -> AnnotationPlan {
        throw TokenScanSource.DoesNotAnnotate()
    }
}

/// The C token scan (`CLexScan`) as a provider: malloc-family calls as spelled in the file.
public struct CTokenScanFrontEnd: FrontEnd {
    /// The target named in the findings' fix (`alloc-tag annotate --target MODULE`).
    public var module: String

    public init(module: String) { self.module = module }

    public var language: String { "C" }
    public var extensions: Set<String> { ["c", "h"] }

    public func scan(_ files: [String], settings: WorkspaceSettings) throws -> ScanResult {
        var result = ScanResult(files: files)
        for path in files {
            for site in CLexScan.scan(source: try TokenScanSource.read(path)) {
                let location = SourceLocation(file: path, line: site.line, column: site.column)
                result.sites.append(AllocationSite(location: location, language: .c, callee: site.callee, function: nil,
                                                   tagged: site.tagged, reason: site.tagged ? nil : "not tagged"))
                if !site.tagged { result.findings.append(TokenScanSource.untagged(site.callee, at: location, module: module)) }
            }
        }
        return result
    }

    public func planAnnotation(_ files: [String], settings: WorkspaceSettings, options: AnnotateOptions) throws -> AnnotationPlan {
        throw TokenScanSource.DoesNotAnnotate()
    }
}

/// What the two token-scan providers share.
enum TokenScanSource {
    struct DoesNotAnnotate: Error, CustomStringConvertible {
        var description: String { "the token scan does not annotate; use tagger annotate (swift-syntax and libclang)" }
    }

    struct Unreadable: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path): cannot read the file" }
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable(path: path) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The build plugin's warning at an untagged site, naming the command that fixes it.
    static func untagged(_ callee: String, at location: SourceLocation, module: String) -> Finding {
        Finding(rule: Rules.untaggedSite, message: "\(callee) call is not tagged; run "
            + "`swift package --allow-writing-to-package-directory alloc-tag annotate --target \(module)` "
            + "(its bytes are charged to <untagged>)", location: location)
    }
}
