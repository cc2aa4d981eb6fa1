/// One self-contained HTML page (no network fetches: styles, data, script and chart inline) from
/// one report or a series of snapshots: a chart of the top sites, and a table that sorts by
/// clicking a column and filters by text.
///
/// The data is embedded as the series JSON (`alloctag-allocinfo` v1, kind `series`) in
/// `<script type="application/json" id="alloctag-data">`; the table is built from it by the
/// page's script. The URL fragment sets the initial view, e.g. `page.html#sort=calls&dir=asc&filter=png`
/// (shareable links; tests use it). Sort keys: `site`, `function`, `module`, `bytes`, `calls`,
/// `growth`, `growthCalls`, `accurate`, and from an extended report `peak`, `totalBytes`, `totalCalls`
/// and, from a Swift program's, `types` (the last snapshot's class types, most instances first).
public enum HTMLFormat {
    public static func render(_ report: AllocinfoReport, title: String? = nil) -> String {
        render(AllocinfoSeries([report]), title: title)
    }

    public static func render(_ series: AllocinfoSeries, title: String? = nil) -> String {
        let pageTitle = title ?? (series.snapshots.count == 1
            ? "Allocations by call site: \(series.snapshots[0])"
            : "Allocations by call site: \(series.snapshots.count) snapshots")
        // Only string contents can hold these characters, so replacing them keeps the JSON valid
        // and stops the text from ending the <script> element early.
        var data = ""
        for c in JSONFormat.render(series).unicodeScalars {
            switch c {
            case "<": data += "\\u003c"
            case ">": data += "\\u003e"
            case "&": data += "\\u0026"
            case "\u{2028}": data += "\\u2028"
            case "\u{2029}": data += "\\u2029"
            default: data.unicodeScalars.append(c)
            }
        }
        let totals = series.totalBytes.last ?? 0
        let snapshotList = series.snapshots.enumerated().map { "<li>\($0.offset + 1): \(escape($0.element))</li>" }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="alloctag">
        <title>\(escape(pageTitle))</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.3em; }
        table { border-collapse: collapse; margin-top: .5em; }
        th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
        th { cursor: pointer; user-select: none; background: #f4f4f4; position: sticky; top: 0; }
        th[aria-sort="ascending"]::after { content: " ▲"; }
        th[aria-sort="descending"]::after { content: " ▼"; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        tr.inaccurate td { color: #a33; }
        .chart-title { font-weight: bold; } .tick { font-size: 11px; fill: #555; }
        svg text { font: 12px system-ui, sans-serif; }
        #controls { margin-top: 1em; }
        </style>
        </head>
        <body>
        <h1>\(escape(pageTitle))</h1>
        <p id="summary">\(series.rows.count) sites, \(totals) live bytes (\(escape(humanBytes(totals))))\(series.snapshots.count > 1 ? " in the last of \(series.snapshots.count) snapshots" : "").</p>
        <ol id="snapshots">\(snapshotList)</ol>
        <figure>
        \(SVGChart.render(series))
        </figure>
        <div id="controls"><label>Filter <input id="filter" type="search" placeholder="file, function or module"></label> <span id="count"></span></div>
        <table id="sites">
        <thead><tr></tr></thead>
        <tbody></tbody>
        </table>
        <noscript><p>The table needs JavaScript; its data is embedded in this page as JSON (script#alloctag-data).</p></noscript>
        <script type="application/json" id="alloctag-data">
        \(data)</script>
        <script>
        \(script)
        </script>
        </body>
        </html>

        """
    }

    /// Builds the table from the embedded data; sorting is stable and ties keep the data's order.
    static let script = #"""
    "use strict";
    (function () {
      const data = JSON.parse(document.getElementById("alloctag-data").textContent);
      const n = data.snapshots.length;
      const rows = data.sites.map((s, index) => ({
        index, site: s.file + ":" + s.line, function: s.function, module: s.module === null ? "" : s.module,
        bytes: s.bytes[n - 1], calls: s.calls[n - 1],
        growth: s.bytes[n - 1] - s.bytes[0], growthCalls: s.calls[n - 1] - s.calls[0],
        peak: s.peak_bytes[n - 1], totalBytes: s.total_bytes[n - 1], totalCalls: s.total_calls[n - 1],
        accurate: s.accurate ? "yes" : "no",
        types: (s.types || []).map(t => t.name + " \u00d7" + t.instances).join(", "),
      }));
      const columns = [
        ["site", "Site", false], ["function", "Function", false], ["module", "Module", false],
        ["bytes", "Live bytes", true], ["calls", "Live allocations", true],
      ];
      if (n > 1) columns.push(["growth", "Growth (bytes)", true], ["growthCalls", "Growth (allocations)", true]);
      // An extended report's last snapshot: cumulative counts and peaks.
      if (rows.some(r => r.totalBytes !== null)) {
        columns.push(["peak", "Peak bytes", true], ["totalBytes", "Allocated bytes (total)", true],
                     ["totalCalls", "Allocations (total)", true]);
      }
      // Swift class types per site (an extended report of a Swift program).
      if (rows.some(r => r.types !== "")) columns.push(["types", "Swift types (instances)", false]);
      columns.push(["accurate", "Accurate", false]);

      const params = new URLSearchParams(location.hash.slice(1));
      let sortKey = columns.some(c => c[0] === params.get("sort")) ? params.get("sort") : "bytes";
      let descending = params.has("dir") ? params.get("dir") !== "asc" : columns.find(c => c[0] === sortKey)[2];
      const filterBox = document.getElementById("filter");
      filterBox.value = params.get("filter") || "";

      const head = document.querySelector("#sites thead tr");
      for (const [key, label, numeric] of columns) {
        const th = document.createElement("th");
        th.textContent = label;
        th.dataset.key = key;
        th.addEventListener("click", () => {
          descending = sortKey === key ? !descending : numeric;
          sortKey = key;
          render();
        });
        head.appendChild(th);
      }
      filterBox.addEventListener("input", render);

      function render() {
        const needle = filterBox.value.toLowerCase();
        const shown = rows.filter(r => needle === "" ||
          (r.site + " " + r.function + " " + r.module + " " + r.types).toLowerCase().includes(needle));
        shown.sort((a, b) => {
          const x = a[sortKey], y = b[sortKey];
          const order = x < y ? -1 : x > y ? 1 : 0;
          return (descending ? -order : order) || a.index - b.index;
        });
        const body = document.querySelector("#sites tbody");
        body.replaceChildren();
        for (const r of shown) {
          const tr = document.createElement("tr");
          if (r.accurate === "no") tr.className = "inaccurate";
          for (const [key, , numeric] of columns) {
            const td = document.createElement("td");
            td.textContent = String(r[key]);
            if (numeric) td.className = "num";
            tr.appendChild(td);
          }
          body.appendChild(tr);
        }
        for (const th of head.children) {
          if (th.dataset.key === sortKey) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
          else th.removeAttribute("aria-sort");
        }
        document.getElementById("count").textContent = shown.length + " of " + rows.length + " sites";
      }
      render();
    })();
    """#
}
