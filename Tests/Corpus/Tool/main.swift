import Foundation
import TaggerCore
import TaggerLexScan
import TaggerSwift

// alloctag-corpus: the two Swift front ends on real files (Tests/Corpus/run.sh).
//
//   alloctag-corpus [--timeout S] [--scope-every N] [--files-from LIST] FILE...
//       agreement: every file through the build plugin's token scan and the swift-syntax front
//       end, on two workers; each file must finish within S seconds and both must report the
//       same sites (line, column, callee, function, tagged); then (every Nth file) the file annotated with scopes
//       in memory must parse, stay the same on a second annotate, and give the same scope tag
//       records (name, function, line) to both.
//   alloctag-corpus --fuzz N --seed K [--timeout S] [--files-from LIST] FILE...
//       robustness: N mutants of the files (truncations, byte flips, deleted and duplicated
//       spans) through both scanners; no crash, no hang. Agreement is not asked of broken code.
//
// Prints one summary line (`corpus: files N sites N disagreements N ...`) and names every
// file that disagreed or did not parse; exits 1 on a disagreement or a time-out.

struct Options {
    var timeout = 10.0
    var fuzz = 0
    var seed: UInt64 = 1
    var files: [String] = []
    /// Annotate with scopes every Nth file only (0: none): three more parses per file.
    var scopeEvery = 1
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        switch a {
        case "--timeout": o.timeout = Double(args.popFirst() ?? "") ?? o.timeout
        case "--fuzz": o.fuzz = Int(args.popFirst() ?? "") ?? 0
        case "--seed": o.seed = UInt64(args.popFirst() ?? "") ?? 1
        case "--scope-every": o.scopeEvery = Int(args.popFirst() ?? "") ?? 1
        case "--files-from":
            let list = (try? String(contentsOfFile: args.popFirst() ?? "", encoding: .utf8)) ?? ""
            o.files += list.split(separator: "\n").map(String.init)
        default:
            if a.hasPrefix("-") {
                FileHandle.standardError.write(Data("alloctag-corpus: error: unknown option '\(a)'\n".utf8))
                exit(TaggerExit.usage)
            }
            o.files.append(a)
        }
    }
    return o
}

/// One site as both front ends can state it.
struct Site: Hashable, Comparable, CustomStringConvertible {
    var line: Int, column: Int, callee: String, function: String, tagged: Bool
    var description: String { "\(line):\(column) \(callee) in \(function)\(tagged ? " (tagged)" : "")" }
    static func < (a: Site, b: Site) -> Bool { (a.line, a.column, a.callee) < (b.line, b.column, b.callee) }
}

struct Outcome {
    var lex: [Site] = []
    var syntax: [Site]?  // nil: swift-syntax reported a syntax error
    /// After `annotate --scopes` in memory: problems with the output (does not parse, a second
    /// run changes it, the scope records of the two front ends differ).
    var scopeProblems: [String] = []
    var scopes = 0
}

/// Annotates with scopes and holds the output to the rules the build relies on.
func checkScopes(_ source: String, path: String, into outcome: inout Outcome) {
    let isMain = (path as NSString).lastPathComponent == "main.swift"
    guard let once = try? SwiftFrontEnd.annotate(source: source, path: path, config: AllocTagConfig(), scopes: true) else {
        outcome.scopeProblems.append("annotate failed")
        return
    }
    outcome.scopes = once.scoped
    guard let twice = try? SwiftFrontEnd.annotate(source: once.source, path: path, config: AllocTagConfig(), scopes: true) else {
        outcome.scopeProblems.append("the annotated file does not parse")
        return
    }
    if twice.source != once.source { outcome.scopeProblems.append("a second annotate changed the file") }
    let records = ((try? SwiftFrontEnd.scopeRecords(source: once.source, path: path)) ?? []).map { "\($0.name) \($0.function) \($0.line)" }
    let lex = SwiftLexScan.scan(source: once.source, isMainFile: isMain, constructedTypes: [])
        .references.filter(\.isScope).map { "\($0.name) \($0.function) \($0.line)" }
    if records != lex {
        outcome.scopeProblems.append("scope records differ: token scan \(Set(lex).subtracting(records).sorted()) "
            + "swift-syntax \(Set(records).subtracting(lex).sorted())")
    }
}

func scanBoth(_ source: String, path: String, checkScopesToo: Bool = false) -> Outcome {
    let isMain = (path as NSString).lastPathComponent == "main.swift"
    let lex = SwiftLexScan.scan(source: source, isMainFile: isMain, constructedTypes: [])
    var outcome = Outcome(lex: lex.sites.map {
        Site(line: $0.line, column: $0.column, callee: $0.callee, function: $0.function, tagged: $0.tagName != nil)
    })
    if let (sites, _) = try? SwiftFrontEnd.scan(source: source, path: path, config: AllocTagConfig()) {
        outcome.syntax = sites.map {
            Site(line: $0.location.line, column: $0.location.column, callee: $0.callee, function: $0.function ?? "", tagged: $0.tagged)
        }
        if checkScopesToo { checkScopes(source, path: path, into: &outcome) }
    }
    return outcome
}

/// Runs `body` on a worker thread; a scan that uses more than `seconds` of CPU time (a loop
/// that makes no progress burns CPU) or ten times that of wall time (a deadlock) ends the
/// process, naming the file: a hung thread cannot be stopped. CPU time, not wall time, so a
/// machine loaded by other builds does not fail the test.
func withTimeLimit(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () -> Outcome) -> Outcome {
    final class Box: @unchecked Sendable { var result = Outcome(); var clock = clockid_t(0); let started = DispatchSemaphore(value: 0) }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        pthread_getcpuclockid(pthread_self(), &box.clock)
        box.started.signal()
        box.result = body()
        done.signal()
    }
    thread.stackSize = 64 << 20  // deeply nested mutants recurse deeply in the parser
    thread.start()
    box.started.wait()
    let wallStart = DispatchTime.now()
    while done.wait(timeout: .now() + 0.5) == .timedOut {
        var t = timespec()
        let cpu = clock_gettime(box.clock, &t) == 0 ? Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 : 0
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e9
        if cpu > seconds || wall > 10 * seconds {
            print("corpus: TIME-OUT after \(cpu) s of CPU (\(wall) s of wall time): \(what)")
            exit(1)
        }
    }
    return box.result
}

/// xorshift64*: a fixed seed gives the same mutants on every machine.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}

func mutate(_ bytes: [UInt8], _ r: inout Random) -> (String, [UInt8]) {
    var b = bytes
    guard !b.isEmpty else { return ("empty", b) }
    switch r.below(4) {
    case 0:
        let n = r.below(b.count)
        return ("truncated at \(n)", Array(b[..<n]))
    case 1:
        let flips = 1 + r.below(8)
        // Flips to bytes the lexers treat specially, where most bugs hide.
        let specials: [UInt8] = Array("\"\\()[]{}<>#$`/*'\n.,:;&?!@".utf8)
        for _ in 0..<flips {
            let at = r.below(b.count)
            b[at] = r.below(2) == 0 ? specials[r.below(specials.count)] : UInt8(truncatingIfNeeded: r.next())
        }
        return ("\(flips) byte flips", b)
    case 2:
        let from = r.below(b.count), count = r.below(min(400, b.count - from) + 1)
        b.removeSubrange(from..<from + count)
        return ("deleted \(count) at \(from)", b)
    default:
        let from = r.below(b.count), count = r.below(min(400, b.count - from) + 1)
        let to = r.below(b.count)
        b.insert(contentsOf: b[from..<from + count], at: to)
        return ("duplicated \(count) at \(to)", b)
    }
}

let options = parseOptions()
if options.fuzz > 0 {
    var files = 0, sites = 0, parseErrors = 0
    var r = Random(state: options.seed | 1)
    let sources = options.files.compactMap { path in FileManager.default.contents(atPath: path).map { (path, [UInt8]($0)) } }
    guard !sources.isEmpty else { print("corpus: no readable files"); exit(1) }
    for _ in 0..<options.fuzz {
        let (path, bytes) = sources[r.below(sources.count)]
        let (how, mutant) = mutate(bytes, &r)
        let text = String(decoding: mutant, as: UTF8.self)
        let outcome = withTimeLimit(options.timeout, "\(path) \(how)") { scanBoth(text, path: path) }
        files += 1
        sites += outcome.lex.count
        if outcome.syntax == nil { parseErrors += 1 }
    }
    print("corpus: fuzz seed \(options.seed) mutants \(files) lex-sites \(sites) syntax-errors \(parseErrors) crashes 0 time-outs 0")
    exit(0)
}

/// Totals of the agreement run, shared by the workers under `lock`.
final class Tally: @unchecked Sendable {
    let lock = NSLock()
    var files = 0, sites = 0, scopes = 0, disagreements = 0, parseErrors = 0
    var reports: [String: [String]] = [:]
}
let tally = Tally()
let paths = options.files, timeout = options.timeout, scopeEvery = options.scopeEvery
// Two workers (CI machines have two cores); each file still gets its own time limit.
DispatchQueue.concurrentPerform(iterations: 2) { worker in
    for (index, path) in paths.enumerated() where index % 2 == worker {
        let withScopes = scopeEvery > 0 && index % scopeEvery == 0
        guard let data = FileManager.default.contents(atPath: path) else { print("corpus: cannot read \(path)"); exit(1) }
        let text = String(decoding: data, as: UTF8.self)
        let outcome = withTimeLimit(timeout, path) { scanBoth(text, path: path, checkScopesToo: withScopes) }
        tally.lock.lock()
        defer { tally.lock.unlock() }
        tally.files += 1
        guard let syntax = outcome.syntax else {
            // Test inputs of swift-syntax itself are invalid on purpose; they still must not hang or crash.
            tally.parseErrors += 1
            tally.reports[path] = ["  swift-syntax: syntax error (scanned by both without crash or hang; no agreement asked)"]
            continue
        }
        let a = Set(outcome.lex), b = Set(syntax)
        tally.sites += b.count
        tally.scopes += outcome.scopes
        if a != b || !outcome.scopeProblems.isEmpty {
            tally.disagreements += 1
            tally.reports[path] = a.subtracting(b).sorted().map { "  token scan only: \($0)" }
                + b.subtracting(a).sorted().map { "  swift-syntax only: \($0)" }
                + outcome.scopeProblems.map { "  scopes: \($0)" }
        }
    }
}
for (path, lines) in tally.reports.sorted(by: { $0.key < $1.key }) {
    print("\(path): " + (lines.first?.contains("syntax error") == true ? "" : "the front ends disagree"))
    lines.forEach { print($0) }
}
print("corpus: files \(tally.files) sites \(tally.sites) scopes \(tally.scopes) disagreements \(tally.disagreements) syntax-errors \(tally.parseErrors)")
exit(tally.disagreements == 0 ? 0 : 1)
