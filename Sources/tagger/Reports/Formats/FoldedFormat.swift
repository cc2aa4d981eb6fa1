/// Folded stacks for flame graphs (flamegraph.pl, inferno, speedscope):
/// one line `module;file;function:line bytes` per site.
///
/// Invariants: a site of the main executable gets the module frame `<main>`, so every stack
/// has the same depth and flame graphs group by module, then file; `;` inside a name (the frame
/// separator) becomes `,` and newlines become spaces; only sites with a positive value are
/// written, since flame graphs cannot draw negative or empty frames.
public enum FoldedFormat {
    public static let mainModule = "<main>"

    public enum Value: String, CaseIterable, Sendable { case bytes, calls }

    public static func render(_ report: AllocinfoReport, value: Value = .bytes) -> String {
        var out = ""
        for entry in report.merged().entries {
            let v = value == .bytes ? entry.bytes : entry.calls
            guard v > 0 else { continue }
            let frames = [entry.site.module ?? mainModule, entry.site.file, "\(entry.site.function):\(entry.site.line)"]
            out += frames.map(clean).joined(separator: ";") + " \(v)\n"
        }
        return out
    }

    private static func clean(_ frame: String) -> String {
        var s = ""
        for c in frame.unicodeScalars {
            switch c {
            case ";": s += ","
            case "\n", "\r": s += " "
            default: s.unicodeScalars.append(c)
            }
        }
        return s
    }
}
