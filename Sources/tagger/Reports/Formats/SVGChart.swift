/// The chart of the HTML report, as inline SVG built here (so it shows without JavaScript):
/// one snapshot gives horizontal bars of the top sites by live bytes; several give one line per
/// top site across the snapshots, which is what growth (a leak) looks like.
enum SVGChart {
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static func render(_ series: AllocinfoSeries, top: Int = 10) -> String {
        let rows = Array(series.rows.prefix(top))
        if rows.isEmpty {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"alloctag-chart\" width=\"820\" height=\"40\" role=\"img\" aria-label=\"no sites\"><text x=\"10\" y=\"25\">No sites to chart.</text></svg>"
        }
        return series.snapshots.count == 1 ? bars(rows) : lines(rows, snapshots: series.snapshots)
    }

    private static func bars(_ rows: [AllocinfoSeries.Row]) -> String {
        let labelWidth = 360.0, barWidth = 380.0, rowHeight = 24.0
        let height = Double(rows.count) * rowHeight + 30
        let maxValue = max(1, rows.map { max(0, $0.lastBytes) }.max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"alloctag-chart\" width=\"820\" height=\"\(fmt(height))\" role=\"img\" aria-label=\"top sites by live bytes\">\n"
        svg += "<text x=\"0\" y=\"16\" class=\"chart-title\">Top sites by live bytes</text>\n"
        for (i, row) in rows.enumerated() {
            let y = 26 + Double(i) * rowHeight
            let w = barWidth * Double(max(0, row.lastBytes)) / Double(maxValue)
            svg += "<g class=\"bar\"><title>\(escape(row.site.tagInfo)): \(row.lastBytes) bytes in \(row.lastCalls) allocations</title>"
            svg += "<text x=\"\(fmt(labelWidth - 6))\" y=\"\(fmt(y + 15))\" text-anchor=\"end\">\(escape(shorten(label(row.site), 56)))</text>"
            svg += "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(y + 3))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight - 6))\" fill=\"\(palette[i % palette.count])\"/>"
            svg += "<text x=\"\(fmt(labelWidth + w + 6))\" y=\"\(fmt(y + 15))\">\(escape(humanBytes(row.lastBytes)))</text></g>\n"
        }
        return svg + "</svg>"
    }

    private static func lines(_ rows: [AllocinfoSeries.Row], snapshots: [String]) -> String {
        let left = 80.0, top = 30.0, plotWidth = 440.0, plotHeight = 240.0, legendX = 560.0
        let values = rows.flatMap(\.bytes)
        let maxValue = max(1, values.max() ?? 1), minValue = min(0, values.min() ?? 0)
        let span = Double(maxValue - minValue)
        let n = snapshots.count
        func x(_ i: Int) -> Double { left + plotWidth * Double(i) / Double(max(1, n - 1)) }
        func y(_ v: Int64) -> Double { top + plotHeight - plotHeight * Double(v - minValue) / span }
        let height = max(top + plotHeight + 50, top + Double(rows.count) * 22 + 10)

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"alloctag-chart\" width=\"820\" height=\"\(fmt(height))\" role=\"img\" aria-label=\"live bytes of the top sites over the snapshots\">\n"
        svg += "<text x=\"0\" y=\"16\" class=\"chart-title\">Live bytes of the top sites over \(n) snapshots</text>\n"
        svg += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(top))\" x2=\"\(fmt(left))\" y2=\"\(fmt(top + plotHeight))\" stroke=\"#888\"/>"
        svg += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(y(0)))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(y(0)))\" stroke=\"#888\"/>\n"
        for v in Set([minValue, 0, maxValue / 2, maxValue]).sorted() {
            svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y(v) + 4))\" text-anchor=\"end\" class=\"tick\">\(escape(humanBytes(v)))</text>\n"
        }
        for (i, name) in snapshots.enumerated() {
            svg += "<text x=\"\(fmt(x(i)))\" y=\"\(fmt(top + plotHeight + 18))\" text-anchor=\"middle\" class=\"tick\"><title>\(escape(name))</title>\(i + 1)</text>\n"
        }
        for (i, row) in rows.enumerated() {
            let color = palette[i % palette.count]
            let points = row.bytes.enumerated().map { "\(fmt(x($0.offset))),\(fmt(y($0.element)))" }.joined(separator: " ")
            svg += "<g class=\"series\"><title>\(escape(row.site.tagInfo)): \(row.bytes.map(String.init).joined(separator: " → ")) bytes</title>"
            svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            for (j, v) in row.bytes.enumerated() {
                svg += "<circle cx=\"\(fmt(x(j)))\" cy=\"\(fmt(y(v)))\" r=\"3\" fill=\"\(color)\"/>"
            }
            let ly = top + Double(i) * 22
            svg += "<rect x=\"\(fmt(legendX))\" y=\"\(fmt(ly))\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(fmt(legendX + 18))\" y=\"\(fmt(ly + 11))\">\(escape(shorten(row.site.location, 34))) \(escape(signedHuman(row.growthBytes)))</text></g>\n"
        }
        return svg + "</svg>"
    }

    private static func label(_ site: AllocSiteKey) -> String {
        "\(site.function) \(site.file):\(site.line)"
    }

    private static func shorten(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : "…" + String(s.suffix(limit - 1))
    }

    /// Two decimals at most, no exponent: SVG coordinates that read the same on every machine.
    static func fmt(_ v: Double) -> String {
        let hundredths = Int64((v * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let a = abs(hundredths)
        let frac = a % 100
        if frac == 0 { return "\(sign)\(a / 100)" }
        return frac % 10 == 0 ? "\(sign)\(a / 100).\(frac / 10)" : "\(sign)\(a / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    private static func signedHuman(_ v: Int64) -> String { (v >= 0 ? "+" : "") + humanBytes(v) }
}

/// `512 B`, `1.5 KiB`, `12.0 MiB`: powers of 1024 with one decimal, as `numfmt --to=iec` reads.
func humanBytes(_ value: Int64) -> String {
    let magnitude = value.magnitude
    if magnitude < 1024 { return "\(value) B" }
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var unit = 0
    var scale: Double = 1024
    while unit < units.count - 1, Double(magnitude) >= scale * 1024 { unit += 1; scale *= 1024 }
    let tenths = UInt64((Double(magnitude) / scale * 10).rounded())
    return "\(value < 0 ? "-" : "")\(tenths / 10).\(tenths % 10) \(units[unit])"
}

/// Text and attribute escaping for HTML and SVG.
func escape(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
