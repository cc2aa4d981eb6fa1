import Foundation
import TaggerCore
import TaggerSwift
import TaggerWorkspace

/// The swift-syntax front end (`TaggerSwift`) as a provider, file by file. Settings come from
/// the `swift` section of `--config` and the inputs' `.alloctag.json` files.
public struct SwiftSyntaxFrontEnd: FrontEnd {
    public init() {}

    public var language: String { "Swift" }
    public var extensions: Set<String> { ["swift"] }

    public func scan(_ files: [String], settings: WorkspaceSettings) throws -> ScanResult {
        let config = try settings.swiftConfig(files: files)
        var result = ScanResult(files: files)
        for file in files {
            do {
                let (sites, findings) = try SwiftFrontEnd.scan(file: file, config: config)
                result.sites += sites
                result.findings += findings
            } catch let error as SwiftFrontEnd.ParseError {
                result.findings.append(Finding(rule: Rules.parseError, message: error.message, location: error.location))
            } catch {
                result.findings.append(Finding(rule: Rules.parseError, message: "\(error)",
                                               location: SourceLocation(file: file, line: 1, column: 1)))
            }
        }
        return result
    }

    public func planAnnotation(_ files: [String], settings: WorkspaceSettings, options: AnnotateOptions) throws -> AnnotationPlan {
        let config = try settings.swiftConfig(files: files)
        var plan = AnnotationPlan()
        var changed = 0, wrapped = 0, scoped = 0, left = 0, unscoped = 0
        for file in files {
            do {
                let a = try SwiftFrontEnd.annotate(source: try String(contentsOfFile: file, encoding: .utf8),
                                                   path: file, config: config, scopes: options.scopes)
                plan.files.append(.init(path: file, contents: Data(a.source.utf8), changed: a.changed,
                                        notes: (a.findings + a.unscoped).map(\.compilerStyle)))
                if a.changed { changed += 1 }
                wrapped += a.wrapped
                scoped += a.scoped
                left += a.findings.count
                unscoped += a.unscoped.count
            } catch {
                plan.errors.append("\(error)")
            }
        }
        if !plan.errors.isEmpty { plan.failure = "Swift parse errors" }
        plan.summary = "\(changed) Swift files changed; \(wrapped) sites wrapped; \(scoped) bodies scoped; \(left) sites left untagged; \(unscoped) bodies that can allocate left unscoped"
        return plan
    }
}
