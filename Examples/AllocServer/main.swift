// alloctag-example-server: the live allocation report of this process over HTTP, the way Go's
// net/http/pprof serves heap profiles, plus per-site gauges on /metrics through swift-metrics.
//
//   swift run alloctag-example-server 8080
//   curl 'http://127.0.0.1:8080/debug/alloctag/allocinfo?sort=bytes&top=10'
//   curl -o heap.pb.gz 'http://127.0.0.1:8080/debug/alloctag/allocinfo?format=pprof' && go tool pprof -top -lines heap.pb.gz
//   curl http://127.0.0.1:8080/metrics
//
// Started with ALLOCTAG_INSPECT=1, a process linked with TagRuntime can also be read from outside:
// `tagger allocinfo --pid N`.

import AllocReport
import Foundation
import TagRuntime
import TagRuntimeMetrics

#if compiler(>=6.3)
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var cacheTag: AllocTagRecord = (0x3147_4154, 1, 31, 0,
    { nil }, { StaticString("fillCache()").utf8Start }, { StaticString("Examples/AllocServer/main.swift").utf8Start })
@section("alloc_tags") @used @exclusivity(unchecked) nonisolated(unsafe)
var scratchTag: AllocTagRecord = (0x3147_4154, 1, 34, 0,
    { nil }, { StaticString("fillCache()").utf8Start }, { StaticString("Examples/AllocServer/main.swift").utf8Start })
#endif

/// The workload: a cache that only grows (a leak to find) and short-lived scratch buffers.
nonisolated(unsafe) var cache: [[UInt8]] = []

func fillCache() {
    while true {
        if cache.count < 4096 {  // at most 64 MiB
            let entry = withAllocTag(&cacheTag) { [UInt8](repeating: 1, count: 16 * 1024) }
            cache.append(entry)
        }
        let scratch = withAllocTag(&scratchTag) { [UInt8](repeating: 2, count: 4096) }
        if scratch.count != 4096 { fatalError("unreachable: keeps the scratch buffer observable") }
        usleep(50_000)
    }
}

let port = CommandLine.arguments.count > 1 ? UInt16(CommandLine.arguments[1]) ?? 8080 : 8080
let prometheus = PrometheusText()
let metrics = AllocTagMetrics(top: 10, factory: prometheus)
Thread.detachNewThread(fillCache)

func text(_ s: String, _ type: String = "text/plain; charset=utf-8", status: String = "200 OK") -> HTTPServer.Response {
    HTTPServer.Response(status: status, contentType: type, body: Array(s.utf8))
}

/// `/debug/alloctag/allocinfo?format=text|json|folded|pprof|html&sort=bytes|calls&top=N`
/// `&module=&function=&file=&line=&min_size=&max_size=&inaccurate=1`: the options of `tagger allocinfo`.
func allocinfo(_ q: [String: String]) -> HTTPServer.Response {
    // The runtime's entries become the report model directly: no formatting and parsing back.
    let current = AllocProfiling.report()
    let report = AllocinfoReport(entries: current.entries.map {
        AllocinfoEntry(site: AllocSiteKey(module: $0.module, file: $0.file, line: $0.line, function: $0.function),
                       bytes: $0.bytes, calls: $0.calls, accurate: $0.accurate,
                       history: AllocinfoHistory(peakBytes: $0.peakBytes, totalBytes: $0.totalBytes, totalCalls: $0.totalCalls,
                                                 bytesAtPeak: $0.bytesAtPeak))
    }, source: "pid \(getpid())", peak: AllocinfoPeak(bytes: current.peakBytes, interval: current.peakInterval))
    let format = q["format"] ?? "text"
    // `tagger allocinfo`'s own pipeline (ReportQuery), so a URL and a command line with the same options agree.
    let shown = ReportQuery(parameters: q, keepsLines: format == "text").apply(to: report)
    switch format {
    case "text": return text(shown.text)
    case "json": return text(JSONFormat.render(shown), "application/json")
    case "folded": return text(FoldedFormat.render(shown))
    case "html": return text(HTMLFormat.render(shown), "text/html; charset=utf-8")
    case "pprof":
        return HTTPServer.Response(contentType: "application/octet-stream", body: PprofFormat.render(shown),
                                   headers: ["Content-Disposition: attachment; filename=\"alloctag.pb.gz\""])
    default: return text("unknown format '\(format)': use text, json, folded, pprof or html\n", status: "400 Bad Request")
    }
}

let index = """
<!DOCTYPE html><html><head><meta charset="utf-8"><title>/debug/alloctag/</title></head><body>
<h1>/debug/alloctag/</h1><ul>
<li><a href="allocinfo">allocinfo</a> (text; add ?sort=bytes&amp;top=20)</li>
<li><a href="allocinfo?format=html">html</a>: sortable, filterable table and chart</li>
<li><a href="allocinfo?format=json">json</a>, <a href="allocinfo?format=folded">folded</a>, <a href="allocinfo?format=pprof">pprof</a></li>
<li><a href="/metrics">/metrics</a>: per-site gauges (Prometheus text)</li>
</ul></body></html>
"""

print("alloctag-example-server: http://127.0.0.1:\(port)/debug/alloctag/ (pid \(getpid()))")
do {
    try HTTPServer(port: port).serve { request in
        switch request.path {
        case "/debug/alloctag", "/debug/alloctag/": return text(index, "text/html; charset=utf-8")
        case "/debug/alloctag/allocinfo": return allocinfo(request.query)
        case "/metrics":
            metrics.update()
            return text(prometheus.render(), "text/plain; version=0.0.4")
        default: return text("not found; try /debug/alloctag/\n", status: "404 Not Found")
        }
    }
} catch {
    FileHandle.standardError.write(Data("alloctag-example-server: \(error)\n".utf8))
    exit(1)
}
