import Foundation
import TaggerCore

/// A front end as the workspace driver sees it: the files of its language in; sites and
/// findings (`scan`), or every file's new text (`planAnnotation`), out. A front end never
/// writes a file and never decides what is printed: routing, mirroring, writing and
/// reporting are the driver's (`Workspace`), the same for every language.
public protocol FrontEnd: Sendable {
    /// The language named in messages ("Swift", "C").
    var language: String { get }
    /// Extensions (without the dot) of the files routed to this front end.
    var extensions: Set<String> { get }
    /// Sites and findings of `files`. A file that does not parse is a `parse-error` finding
    /// (an error), never a gap; a usage or setup problem throws.
    func scan(_ files: [String], settings: WorkspaceSettings) throws -> ScanResult
    /// Every file annotated in memory; nothing is written. A file that does not parse makes
    /// the plan fail (`failure`), and then nothing of any language is written.
    func planAnnotation(_ files: [String], settings: WorkspaceSettings, options: AnnotateOptions) throws -> AnnotationPlan
}

/// A front end's usage problem (bad compile flags, a missing compilation database): the
/// driver exits 64 with `tagger COMMAND: error: MESSAGE`, where any other error is bad input (65).
public struct FrontEndUsageError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ message: String) { description = message }
}

/// `annotate`'s options beyond the inputs.
public struct AnnotateOptions: Sendable {
    /// `--output DIR`: annotated copies mirrored under DIR instead of in place.
    public var outputDirectory: String?
    /// Also print the findings that remain, and the files left unchanged.
    public var verbose: Bool
    /// Swift: also give each body that can allocate a scope of its own.
    public var scopes: Bool

    public init(outputDirectory: String? = nil, verbose: Bool = false, scopes: Bool = false) {
        self.outputDirectory = outputDirectory
        self.verbose = verbose
        self.scopes = scopes
    }
}

/// One front end's annotation, in memory.
public struct AnnotationPlan: Sendable {
    public struct File: Sendable {
        public var path: String
        public var contents: Data
        /// The contents differ from the file's.
        public var changed: Bool
        /// Lines printed (standard output) just before the file is reported written.
        public var notes: [String] = []

        public init(path: String, contents: Data, changed: Bool, notes: [String] = []) {
            self.path = path
            self.contents = contents
            self.changed = changed
            self.notes = notes
        }
    }

    /// Every file the front end would write in place when changed, or copy under `--output`.
    public var files: [File] = []
    /// Lines for standard output as soon as the plan is made, failed or not.
    public var preamble: [String] = []
    /// Lines for standard error (the parse errors) when the plan failed.
    public var errors: [String] = []
    /// Set when a file did not parse: what failed, e.g. "Swift parse errors".
    public var failure: String?
    /// The front end's one-line summary, printed after its files are written.
    public var summary: String = ""

    public init() {}
}
