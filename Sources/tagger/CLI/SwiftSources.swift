import ArgumentParser
import Foundation
import TaggerC
import TaggerCore
import TaggerLexScan
import TaggerSwift

/// `scan` and `annotate` for the `.swift` files that `SourceDispatch` routes here: the
/// swift-syntax front end (`TaggerSwift`). Settings come from the `swift` section of
/// `--config` and the inputs' `.alloctag.json` files (`AllocTagConfig.resolve`).
enum SwiftSources {
    static func config(_ options: CSourceOptions, files: [String]) throws -> AllocTagConfig {
        do { return try AllocTagConfig.resolve(explicit: options.config, files: files) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(TaggerExit.dataError)
        }
    }

    /// Every Swift file annotated in memory, nothing written yet.
    struct AnnotationPlan {
        var results: [(path: String, annotation: SwiftFrontEnd.Annotation)]
    }

    /// Parses and annotates every file in memory; throws (having written nothing) when one
    /// does not parse, so `annotate` can run the C front end before any file is written.
    static func planAnnotation(_ files: [String], options: CSourceOptions, scopes: Bool) throws -> AnnotationPlan {
        let config = try config(options, files: files)
        var results: [(path: String, annotation: SwiftFrontEnd.Annotation)] = []
        var failed = false
        for file in files {
            do {
                results.append((file, try SwiftFrontEnd.annotate(source: try String(contentsOfFile: file, encoding: .utf8),
                                                                 path: file, config: config, scopes: scopes)))
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                failed = true
            }
        }
        if failed {
            FileHandle.standardError.write(Data("tagger annotate: error: Swift parse errors; no file was written\n".utf8))
            throw ExitCode(TaggerExit.dataError)
        }
        return AnnotationPlan(results: results)
    }

    /// Writes `plan` in place, or into `outputDirectory` mirroring the paths below `--root` (or
    /// the current directory), each file atomically.
    static func write(_ plan: AnnotationPlan, options: CSourceOptions, outputDirectory: String?, verbose: Bool) throws {
        let root = URL(fileURLWithPath: options.root ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
        var changed = 0, wrapped = 0, scoped = 0, left = 0
        for (path, annotation) in plan.results {
            for finding in annotation.findings { print(finding.compilerStyle) }
            left += annotation.findings.count
            wrapped += annotation.wrapped
            scoped += annotation.scoped
            var destination = path
            if let outputDirectory {
                let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
                let relative = absolute.hasPrefix(root + "/") ? String(absolute.dropFirst(root.count + 1)) : URL(fileURLWithPath: path).lastPathComponent
                destination = outputDirectory + "/" + relative
                try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
            } else if !annotation.changed {
                if verbose { print("unchanged \(path)") }
                continue
            }
            do { try AtomicFile.write(annotation.source, to: destination) } catch {
                FileHandle.standardError.write(Data("tagger annotate: error: \(error)\n".utf8))
                throw ExitCode(TaggerExit.dataError)
            }
            if annotation.changed { changed += 1; print("annotated \(destination)") }
        }
        print("\(changed) Swift files changed; \(wrapped) sites wrapped; \(scoped) bodies scoped; \(left) sites left untagged")
    }

    /// The Swift sites of `files`; a file that does not parse is an error finding in the result.
    static func scan(_ files: [String], options: CSourceOptions) throws -> ScanResult {
        let config = try config(options, files: files)
        var result = ScanResult(files: files)
        for file in files {
            do {
                let (sites, findings) = try SwiftFrontEnd.scan(file: file, config: config)
                result.sites += sites
                result.findings += findings
            } catch let error as SwiftFrontEnd.ParseError {
                result.findings.append(Finding(rule: Rules.parseError, message: error.message, location: error.location))
            }
        }
        return result
    }
}
