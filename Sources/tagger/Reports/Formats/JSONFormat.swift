/// JSON output, schema `alloctag-allocinfo` version 2 (documented in docs/allocinfo-json.md).
///
/// Invariants: keys are always written, in a fixed order (absent module is `null`); integers are
/// exact (no floating point); one site object per line so the output diffs and greps well.
/// Any change to names or meaning bumps `version`; adding keys does not.
public enum JSONFormat {
    public static let schema = "alloctag-allocinfo"
    public static let version = 2

    public static func render(_ report: AllocinfoReport) -> String {
        let merged = report.merged()
        var out = preamble(kind: "report")
        out += "  \"source\": \(string(merged.source)),\n"
        out += "  \"totals\": {\"bytes\": \(merged.totalBytes), \"calls\": \(merged.totalCalls)},\n"
        out += "  \"peak\": \(peak(merged)),\n"
        out += "  \"types_not_recorded\": \(merged.typesNotRecorded.map { "{\"instances\": \($0.instances), \"bytes\": \($0.bytes)}" } ?? "null"),\n"
        out += "  \"sites\": ["
        out += list(merged.entries.map { e in
            siteFields(e.site) + ", \"bytes\": \(e.bytes), \"calls\": \(e.calls)"
                + ", \"peak_bytes\": \(int(e.history?.peakBytes)), \"total_bytes\": \(int(e.history?.totalBytes))"
                + ", \"total_calls\": \(int(e.history?.totalCalls)), \"types\": \(types(e.types))"
                + ", \"accurate\": \(e.accurate)}"
        })
        return out + "]\n}\n"
    }

    public static func render(_ diff: AllocinfoDiff) -> String {
        var out = preamble(kind: "diff")
        out += "  \"old\": \(string(diff.oldSource)),\n  \"new\": \(string(diff.newSource)),\n"
        out += "  \"totals\": {\"growth\": {\"bytes\": \(diff.totalDeltaBytes), \"calls\": \(diff.totalDeltaCalls)}},\n"
        out += "  \"sites\": ["
        out += list(diff.rows.map { r in
            let status = r.isNew ? "new" : r.isGone ? "gone" : "changed"
            return siteFields(r.site)
                + ", \"old\": {\"bytes\": \(r.oldBytes), \"calls\": \(r.oldCalls)}"
                + ", \"new\": {\"bytes\": \(r.newBytes), \"calls\": \(r.newCalls)}"
                + ", \"growth\": {\"bytes\": \(r.deltaBytes), \"calls\": \(r.deltaCalls)}"
                + ", \"status\": \"\(status)\", \"accurate\": \(r.accurate)}"
        })
        return out + "]\n}\n"
    }

    public static func render(_ series: AllocinfoSeries) -> String {
        var out = preamble(kind: "series")
        out += "  \"snapshots\": [\(series.snapshots.map(string).joined(separator: ", "))],\n"
        out += "  \"totals\": {\"bytes\": \(ints(series.totalBytes)), \"calls\": \(ints(series.totalCalls))},\n"
        out += "  \"sites\": ["
        out += list(series.rows.map { r in
            siteFields(r.site) + ", \"bytes\": \(ints(r.bytes)), \"calls\": \(ints(r.calls))"
                + ", \"peak_bytes\": \(ints(r.peakBytes)), \"total_bytes\": \(ints(r.totalBytes)), \"total_calls\": \(ints(r.totalCalls))"
                + ", \"types\": \(types(r.lastTypes)), \"accurate\": \(r.accurate)}"
        })
        return out + "]\n}\n"
    }

    private static func preamble(kind: String) -> String {
        "{\n  \"schema\": \"\(schema)\",\n  \"version\": \(version),\n  \"kind\": \"\(kind)\",\n"
    }

    private static func siteFields(_ site: AllocSiteKey) -> String {
        "{\"module\": \(site.module.map(string) ?? "null"), \"file\": \(string(site.file)), \"line\": \(site.line), \"function\": \(string(site.function))"
    }

    private static func list(_ items: [String]) -> String {
        items.isEmpty ? "" : "\n    " + items.joined(separator: ",\n    ") + "\n  "
    }

    private static func ints(_ values: [Int64]) -> String {
        "[" + values.map(String.init).joined(separator: ", ") + "]"
    }

    private static func ints(_ values: [Int64?]) -> String {
        "[" + values.map(int).joined(separator: ", ") + "]"
    }

    private static func int(_ value: Int64?) -> String { value.map(String.init) ?? "null" }

    /// `[{"name": ..., "instances": N, "bytes": N}, ...]`, or `null` when not known (not an
    /// extended report, or entries from the runtime's Swift API).
    private static func types(_ list: [AllocinfoTypeCount]?) -> String {
        guard let list else { return "null" }
        return "[" + list.map { "{\"name\": \(string($0.name)), \"instances\": \($0.instances), \"bytes\": \($0.bytes)}" }
            .joined(separator: ", ") + "]"
    }

    /// `{"bytes": N, "interval": N, "sites": [...]}` from an extended report, else `null`.
    private static func peak(_ report: AllocinfoReport) -> String {
        guard let peak = report.peak else { return "null" }
        let sites = report.peakSites.map { e in
            siteFields(e.site) + ", \"bytes\": \(e.history?.bytesAtPeak ?? 0)}"
        }
        let list = sites.isEmpty ? "" : "\n      " + sites.joined(separator: ",\n      ") + "\n    "
        return "{\"bytes\": \(peak.bytes), \"interval\": \(peak.interval), \"sites\": [\(list)]}"
    }

    /// A JSON string literal. (HTMLFormat makes the whole document safe inside `<script>`.)
    public static func string(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 { out += unicodeEscape(c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }

    private static func unicodeEscape(_ v: UInt32) -> String {
        let hex = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
