import TaggerCore
import TaggerGate

/// The gate report's items as the build plugin prints them: compiler form with absolute paths
/// (what SwiftPM attaches to files). The report is `tagger check`'s evaluation (the driver's
/// `Workspace.evaluate`) run with root `/`, so every display path is the absolute path without
/// its leading slash.
enum GateWarnings {
    static func lines(_ report: GateReport) -> [String] {
        report.items.compactMap { item in
            guard let file = item.file else { return nil }
            var absolute = item
            absolute.file = file.hasPrefix("/") ? file : "/" + file
            return absolute.compilerStyle
        }
    }
}
