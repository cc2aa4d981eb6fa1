import Foundation
import TaggerCore

extension Workspace {
    /// `tagger annotate`: all or nothing across languages. Every front end plans in memory
    /// first; a file that does not parse (in any language) stops the run before anything is
    /// written; then every file is staged and renamed into place together, in place or
    /// mirrored under `--output`. 0 done; 64 usage; 65 parse errors or a failed write
    /// (nothing written).
    public func annotate(_ options: AnnotateOptions) throws -> Int32 {
        let routed = try route(command: "annotate")
        var plans: [AnnotationPlan] = []
        for (frontEnd, files) in zip(frontEnds, routed.files) where !files.isEmpty {
            let plan = try run("annotate") { try frontEnd.planAnnotation(files, settings: settings, options: options) }
            for line in plan.preamble { print(line) }
            for line in plan.errors { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            if let failure = plan.failure {
                throw WorkspaceExit(TaggerExit.dataError, "tagger annotate: error: \(failure); no file was written")
            }
            plans.append(plan)
        }
        guard !plans.isEmpty else { return TaggerExit.usage }

        let mirror = Mirror(outputDirectory: options.outputDirectory, root: settings.root,
                            files: plans.flatMap { $0.files.map(\.path) }, workingDirectory: settings.workingDirectory)
        // With --output every file is copied (changed or not), so the folder holds the whole set.
        var writes: [(path: String, data: Data)] = []
        for plan in plans {
            for file in plan.files where options.outputDirectory != nil || file.changed {
                writes.append((mirror.destination(of: file.path), file.contents))
            }
        }
        do {
            if options.outputDirectory != nil {
                for folder in Set(writes.map { ($0.path as NSString).deletingLastPathComponent }).sorted() {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
            }
            try AtomicFile.writeAll(writes)
        } catch {
            throw WorkspaceExit(TaggerExit.dataError, "tagger annotate: error: \(error); no file was written")
        }

        for plan in plans {
            for file in plan.files {
                for note in file.notes { print(note) }
                if file.changed {
                    print("annotated \(mirror.destination(of: file.path))")
                } else if options.verbose, options.outputDirectory == nil {
                    print("unchanged \(file.path)")
                }
            }
            print(plan.summary)
        }
        return routed.unsupported.isEmpty ? TaggerExit.clean : TaggerExit.usage
    }
}
