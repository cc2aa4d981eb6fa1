import AllocReport
import Foundation
import XCTest

/// Renders the HTML report in headless Chromium (Debian's `chromium`) after the page's script
/// ran, and checks what the table shows. Skips only when Chromium is not installed and
/// ALLOCTAG_REQUIRE_CHROMIUM is unset (Tests/run-all installs it and sets the variable).
final class HTMLChromiumTests: XCTestCase {
    private var chromium: String!
    private var workDir: URL!

    override func setUpWithError() throws {
        guard let path = findExecutable("chromium") ?? findExecutable("chromium-browser") else {
            let message = "chromium is not installed: apt-get install -y --no-install-recommends chromium (took ~20 s here)"
            if ProcessInfo.processInfo.environment["ALLOCTAG_REQUIRE_CHROMIUM"] == "1" { XCTFail(message); return }
            throw XCTSkip(message)
        }
        chromium = path
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("allocreport-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let workDir { try? FileManager.default.removeItem(at: workDir) }
    }

    /// The DOM after the scripts ran: headers, rows (cell texts) and the count line.
    private func render(_ html: String, fragment: String = "") throws -> (dom: String, headers: [String], rows: [[String]], count: String) {
        let page = workDir.appendingPathComponent("report.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        let (status, out, err) = try runProgram(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--user-data-dir=\(workDir.appendingPathComponent("profile").path)",
            "--dump-dom", page.absoluteString + fragment,
        ], timeout: 120)
        let dom = String(decoding: out, as: UTF8.self)
        XCTAssertEqual(status, 0, err)
        let body = try XCTUnwrap(firstMatch(#"<tbody>(.*?)</tbody>"#, in: dom), "no table body in:\n\(dom.prefix(2000))\n\(err)")
        let rows = allMatches(#"<tr[^>]*>(.*?)</tr>"#, in: body).map { allMatches(#"<td[^>]*>(.*?)</td>"#, in: $0).map(unescape) }
        let head = try XCTUnwrap(firstMatch(#"<thead>(.*?)</thead>"#, in: dom))
        let headers = allMatches(#"<th[^>]*>(.*?)</th>"#, in: head).map(unescape)
        return (dom, headers, rows, firstMatch(#"<span id="count">(.*?)</span>"#, in: dom) ?? "")
    }

    private func allMatches(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
    }

    private func firstMatch(_ pattern: String, in text: String) -> String? { allMatches(pattern, in: text).first }

    private func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    private func seriesPage() throws -> String {
        HTMLFormat.render(AllocinfoSeries([try Fixture.report("old.allocinfo"), try Fixture.report("new.allocinfo")]))
    }

    func testSeriesTableChartAndDefaultOrder() throws {
        let html = try seriesPage()
        // Self-contained: nothing to fetch (the SVG namespace is a name, not a request).
        XCTAssertNil(html.range(of: #"(src|href)\s*="#, options: .regularExpression))
        XCTAssertNil(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "http"))

        let page = try render(html)
        XCTAssertEqual(page.headers, ["Site", "Function", "Module", "Live bytes", "Live allocations", "Growth (bytes)", "Growth (allocations)", "Accurate"])
        XCTAssertEqual(page.rows, [
            ["Sources/App/Cache.swift:42", "Cache.insert(_:)", "", "3145728", "48", "2097152", "32", "yes"],
            ["src/parse.c:120", "parse_token", "", "32768", "256", "-32768", "-256", "yes"],
            ["src/png.c:88", "png_malloc_base", "libpng16", "20480", "2", "0", "0", "yes"],
            ["<untagged>:0", "<untagged>", "", "8192", "5", "4096", "2", "yes"],
            ["src/png.c:95", "png_create_struct", "libpng16", "1024", "1", "1024", "1", "no"],
            ["include/list.h:33", "list_new", "", "300", "3", "200", "2", "yes"],
            ["My Project/src/a:b.c:9", "weird func:name", "", "0", "0", "0", "0", "yes"],
            ["src/old.c:7", "legacy_init", "", "0", "0", "-2048", "-1", "yes"],
        ])
        XCTAssertEqual(page.count, "8 of 8 sites")
        XCTAssertTrue(page.dom.contains(#"<th data-key="bytes" aria-sort="descending">"#), "sorted column is marked")
        // The chart: one line per site (8 sites, top 10 shown), two points each.
        XCTAssertEqual(allMatches(#"(<polyline )"#, in: page.dom).count, 8)
        XCTAssertEqual(allMatches(#"(<circle )"#, in: page.dom).count, 16)
    }

    func testSortAndFilterFromTheFragment() throws {
        let html = try seriesPage()
        let filtered = try render(html, fragment: "#sort=growth&filter=SRC/")
        XCTAssertEqual(filtered.rows.map { $0[0] + " " + $0[5] }, [
            "src/png.c:95 1024", "src/png.c:88 0", "My Project/src/a:b.c:9 0", "src/old.c:7 -2048", "src/parse.c:120 -32768",
        ])
        XCTAssertEqual(filtered.count, "5 of 8 sites")

        let bySite = try render(html, fragment: "#sort=site&dir=asc")
        XCTAssertEqual(bySite.rows.map { $0[0] }, [
            "<untagged>:0", "My Project/src/a:b.c:9", "Sources/App/Cache.swift:42", "include/list.h:33",
            "src/old.c:7", "src/parse.c:120", "src/png.c:88", "src/png.c:95",
        ])
        let byModule = try render(html, fragment: "#filter=libpng16&sort=calls&dir=asc")
        XCTAssertEqual(byModule.rows.map { $0[1] }, ["png_create_struct", "png_malloc_base"])
    }

    func testSingleReportHasBarsAndNoGrowthColumns() throws {
        let report = try Fixture.report("new.allocinfo").filtered(ReportFilter(file: "src/*"))
        let page = try render(HTMLFormat.render(report))
        XCTAssertEqual(page.headers, ["Site", "Function", "Module", "Live bytes", "Live allocations", "Accurate"])
        XCTAssertEqual(page.rows, [
            ["src/parse.c:120", "parse_token", "", "32768", "256", "yes"],
            ["src/png.c:88", "png_malloc_base", "libpng16", "20480", "2", "yes"],
            ["src/png.c:95", "png_create_struct", "libpng16", "1024", "1", "no"],
        ])
        XCTAssertEqual(allMatches(#"(<rect )"#, in: page.dom).count, 3)
        XCTAssertTrue(page.dom.contains("32.0 KiB"))
    }

    /// An extended report adds the peak and cumulative columns, with the exact values.
    func testExtendedReportShowsPeakAndTotals() throws {
        let report = try Fixture.report("extended.allocinfo").filtered(ReportFilter(file: "peak.c"))
        let page = try render(HTMLFormat.render(report))
        XCTAssertEqual(page.headers, ["Site", "Function", "Module", "Live bytes", "Live allocations",
                                      "Peak bytes", "Allocated bytes (total)", "Allocations (total)", "Accurate"])
        XCTAssertEqual(page.rows.first, ["peak.c:9", "c", "", "2097152", "1", "2097152", "2097152", "1", "yes"])
        XCTAssertEqual(page.rows.last, ["peak.c:8", "b", "", "262144", "1", "524288", "786432", "2", "yes"])
    }

    /// A Swift program's extended report adds the class types per site, most instances first.
    func testSwiftTypesColumn() throws {
        let page = try render(HTMLFormat.render(try Fixture.report("types.allocinfo")), fragment: "#filter=node")
        XCTAssertEqual(page.headers.suffix(2), ["Swift types (instances)", "Accurate"])
        XCTAssertEqual(page.rows, [["Sources/App/Tree.swift:12", "Tree.insert(_:)", "", "800", "16", "800", "900", "18",
                                    "App.Node ×5, App.Box<Swift.Int> ×1, <other types> ×4", "yes"]],
                       "the filter matches type names")
    }

    /// Names that look like markup stay text, in the table and in the embedded data.
    func testMarkupInNamesIsText() throws {
        let report = AllocinfoReport(entries: [
            AllocinfoEntry(site: AllocSiteKey(file: "</script><b>x.c", line: 1, function: "f<T>&\"'"), bytes: 5, calls: 1),
        ], source: "<evil>")
        let page = try render(HTMLFormat.render(report))
        XCTAssertEqual(page.rows, [["</script><b>x.c:1", "f<T>&\"'", "", "5", "1", "yes"]])
        XCTAssertFalse(page.dom.contains("<b>x.c"))
    }
}
