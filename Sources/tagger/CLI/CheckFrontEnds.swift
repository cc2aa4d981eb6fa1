import ArgumentParser
import Foundation
import TaggerC
import TaggerCore
import TaggerGate
import TaggerLexScan
import TaggerSwift

/// The seam between `tagger check` and the front ends: each turns files into sites and findings
/// for the gate. A file a front end cannot parse becomes a `parse-error` finding (an error: the
/// run fails and names the file), never a silent gap in coverage.
enum CheckFrontEnds {
    struct Scan {
        var sites: [AllocationSite] = []
        var findings: [Finding] = []
        /// Every file analysed, including those with nothing to report.
        var files: [String] = []

        mutating func add(_ other: Scan) {
            sites += other.sites
            findings += other.findings
            files += other.files
        }
    }

    static func swift(_ files: [String], config: AllocTagConfig) -> Scan {
        var scan = Scan(files: files)
        for file in files {
            do {
                let (sites, findings) = try SwiftFrontEnd.scan(file: file, config: config)
                scan.sites += sites
                scan.findings += findings
            } catch let error as SwiftFrontEnd.ParseError {
                scan.findings.append(Finding(rule: Rules.parseError, message: error.message, location: error.location))
            } catch {
                scan.findings.append(Finding(rule: Rules.parseError, message: "\(error)",
                                             location: SourceLocation(file: file, line: 1, column: 1)))
            }
        }
        return scan
    }
}

extension CheckFrontEnds {
    /// C files go to the libclang front end (`TaggerC`), all in one run so helpers shared
    /// between translation units are inferred once. Its parse errors are already findings.
    /// `extraFlags` are added to the flags given after `--` (not to a compilation database's).
    static func c(_ files: [String], options: CSourceOptions, extraFlags: [String] = []) throws -> Scan {
        let flags: FlagSource = options.buildDirectory.map { .compilationDatabase($0) } ?? .fixed(options.compilerFlags + extraFlags)
        do {
            let result = try CFrontEnd.scan(files: files, flags: flags, config: try options.cConfig())
            return Scan(sites: result.sites, findings: result.findings, files: result.files)
        } catch {
            throw SourceDispatch.fail(error, command: "check")
        }
    }
}
