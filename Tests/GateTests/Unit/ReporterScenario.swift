import TaggerCore
@testable import TaggerGate

/// One run that exercises every kind of item a reporter prints: an error-raised warning, a
/// note, a suppressed finding, a stale baseline entry (file without line), a whole-run
/// verdict, a path with a space and a message with characters each format must escape.
enum ReporterScenario {
    static let cFile = """
    #include <stdlib.h>
    int main(void) {
        char *p = malloc(10);
        char *q = alloc_hooks(malloc(20));
        char *r = malloc(30); // alloc-tag: ignore(untagged-site)
    #if 0
        char *s = malloc(40);
    #endif
        return p && q && r;
    }
    """

    static let swiftFile = """
    func make() -> UnsafeMutablePointer<Int> {
        let p = /* é */ UnsafeMutablePointer<Int>.allocate(capacity: 4)
        return p
    }
    """

    static let tool = Reporter.Tool(name: "tagger", version: "0.1.0")

    static func report() -> GateReport {
        let sites = [
            Fixture.site("src/main.c", 3, 15, tagged: false),
            Fixture.site("src/main.c", 4, 27, tagged: true),
            Fixture.site("src/main.c", 5, 15, tagged: false),
            Fixture.site("src/My Lib/Make.swift", 2, 23, tagged: false, callee: "UnsafeMutablePointer.allocate"),
        ]
        let findings = [
            Fixture.untagged("src/main.c", 3, 15),
            Fixture.untagged("src/main.c", 5, 15),
            Fixture.finding(Rules.inactiveRegion, "src/main.c", 6, 2, "code under '#if 0' was not analysed"),
            Fixture.finding(Rules.untaggedSite, "src/My Lib/Make.swift", 2, 23,
                            "call to 'UnsafeMutablePointer<Int>.allocate' is not tagged: 100% \"untagged\", a < b & c"),
        ]
        let baseline = Baseline(entries: [.init(rule: "untagged-site", file: "src/main.c", text: "char *t = malloc(50);")])
        return Fixture.run(files: ["src/main.c": cFile, "src/My Lib/Make.swift": swiftFile], sites: sites, findings: findings) {
            $0.strict = true
            $0.baseline = baseline
            $0.strictBaseline = true
            $0.minimumCoverage = 50
        }
    }
}
