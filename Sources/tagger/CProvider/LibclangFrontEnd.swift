import Foundation
import TaggerC
import TaggerCore
import TaggerWorkspace

/// The libclang front end (`TaggerC`) as a provider. All C files go to it in one call, so
/// helpers shared between translation units are inferred once.
public struct LibclangFrontEnd: FrontEnd {
    public init() {}

    public var language: String { "C" }
    public var extensions: Set<String> { CFrontEnd.extensions }

    public func scan(_ files: [String], settings: WorkspaceSettings) throws -> ScanResult {
        try usageErrors { try CFrontEnd.scan(files: files, flags: settings.flagSource, config: try settings.cConfig()) }
    }

    public func planAnnotation(_ files: [String], settings: WorkspaceSettings, options: AnnotateOptions) throws -> AnnotationPlan {
        let c = try usageErrors {
            try CFrontEnd.planAnnotation(files: files, flags: settings.flagSource, config: try settings.cConfig())
        }
        var plan = AnnotationPlan()
        plan.preamble = c.scan.findings.filter { options.verbose || $0.severity == .error }.map(\.compilerStyle)
        if c.scan.hasErrors { plan.failure = "parse errors" }
        plan.files = c.files.map { .init(path: $0.path, contents: Data($0.contents), changed: $0.changed) }
        let recipes = c.scan.helpers.filter(\.recipe).count
        plan.summary = "\(c.files.filter(\.changed).count) files changed; \(c.scan.sites.filter(\.tagged).count) of "
            + "\(c.scan.sites.count) sites tagged; \(recipes) helpers with the _noprof recipe"
        return plan
    }

    /// A usage problem (bad flags, no compilation database) is the driver's exit 64, not 65.
    private func usageErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch CFrontEndError.usage(let message) {
            throw FrontEndUsageError(message)
        }
    }
}
