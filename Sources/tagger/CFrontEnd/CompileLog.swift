import Foundation

/// `ALLOCTAG_CC_LOG=FILE`: one line per C unit `tagger cc` compiles, saying how its facts were
/// had (parsed, or reused from the facts gathering) and whether it was instrumented or had
/// nothing to tag (compiled as written: not a fallback, there was nothing to instrument).
/// Each line is one `write` to a file opened for appending, so `make -j` compiles' lines do
/// not interleave.
enum CompileLog {
    static func note(_ line: String) {
        guard let path = ProcessInfo.processInfo.environment["ALLOCTAG_CC_LOG"], !path.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    static func unit(_ source: String, reusedFacts: Bool, sites: Int, instrumented: Bool) {
        note("\(source): facts \(reusedFacts ? "reused" : "parsed"); \(sites) sites; "
             + (instrumented ? "instrumented" : "nothing to tag, compiled as written"))
    }
}
