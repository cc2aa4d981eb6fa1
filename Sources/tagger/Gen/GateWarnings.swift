import Foundation
import TaggerCore
import TaggerGate

/// The build plugin's warnings are `tagger check`'s findings by construction: the token scan's
/// sites and findings go through `Gate.evaluate`, the same function `tagger check` passes the
/// swift-syntax and libclang front ends' results through (suppression comments, invalid
/// comments, severities), with `check`'s defaults (no baseline, not strict). Only the sites can
/// differ, and `Tests/Corpus` and `GateEndToEndTests.PluginWarningTests` hold them equal.
enum GateWarnings {
    /// The report's items in compiler form with absolute paths (what SwiftPM attaches to files).
    static func lines(sites: [AllocationSite], findings: [Finding], files: [String]) -> [String] {
        let cwd = FileManager.default.currentDirectoryPath
        let input = GateInput(sites: sites, findings: findings, files: files)
        // Root `/`: every display path is the absolute path without its leading slash.
        let report = Gate.evaluate(input, options: GateOptions(root: "/", workingDirectory: cwd)) { path in
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        return report.items.compactMap { item in
            guard let file = item.file else { return nil }
            var absolute = item
            absolute.file = file.hasPrefix("/") ? file : "/" + file
            return absolute.compilerStyle
        }
    }
}
