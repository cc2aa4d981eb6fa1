import TaggerCore

/// Decides, from merged facts, each site's status and the edits that tag it.
struct Planner {
    let facts: ProgramFacts
    let config: CConfig
    let sources: SourceCache
    let inference: HelperInference
    /// When false (scan), statuses describe the files as they are.
    let applying: Bool

    var sites: [AllocationSite] = []
    var findings: [Finding] = []
    var edits: [String: Set<Edit>] = [:]
    /// Every call through a function pointer in the edited files, decided or not, and why.
    var indirectCalls: [IndirectCall] = []
    /// Per file, the offset of a `_noprof` helper definition end and the text to add after it.
    private var allocators: Set<String>

    /// `recipeOnlyForStatic`: under `tagger cc`, where each translation unit is edited alone,
    /// helpers other files call by name keep their symbol and have their callers hooked.
    init(facts: ProgramFacts, config: CConfig, sources: SourceCache, applying: Bool, recipeOnlyForStatic: Bool = false) {
        self.facts = facts
        self.config = config
        self.sources = sources
        self.applying = applying
        self.inference = HelperInference(facts: facts, config: config, sources: sources, recipeOnlyForStatic: recipeOnlyForStatic)
        self.allocators = Set(Vocabulary.mallocFamily + config.allocators)
    }

    static let hookMacros = Vocabulary.cHookMacros

    func noprofSpelling(_ callee: String) -> String? {
        if Vocabulary.mallocFamily.contains(callee) || inference.recipeNames.contains(callee) { return callee + "_noprof" }
        return nil
    }

    private mutating func edit(_ file: String, _ offset: Int, _ length: Int, _ text: String, order: Int = 0) {
        edits[file, default: []].insert(Edit(start: offset, end: offset + length, text: text, order: order))
    }

    private mutating func site(_ call: CallFact, tagged alreadyTagged: Bool, willTag: Bool, macro: String, reason: String) {
        site(call, tagged: alreadyTagged, willTag: willTag, reason: reason, macro: macro)
    }

    private mutating func site(_ call: CallFact, tagged alreadyTagged: Bool, willTag: Bool, reason: String?, macro: String? = nil) {
        let tagged = alreadyTagged || (applying && willTag)
        var why = reason
        if !tagged, willTag, why == nil { why = "not annotated yet: `tagger annotate` wraps it in alloc_hooks()" }
        sites.append(AllocationSite(
            location: SourceLocation(file: call.file, line: call.line, column: call.column), language: .c,
            callee: call.callee, function: call.functionName, tagged: tagged, reason: tagged ? nil : why ?? "not tagged",
            macro: macro))
    }

    /// Per recipe helper key and file, where its `#define` goes: calls before it (recursion
    /// inside its own body) must name `foo_noprof` directly.
    func definePoints() -> [String: [String: Int]] {
        var points: [String: [String: Int]] = [:]
        for (key, h) in inference.helpers where h.recipe && !h.alreadyApplied {
            let f = facts.functions[key]!
            var firstInFile: [String: Int] = [:]
            for d in f.declarations { firstInFile[d.file] = min(firstInFile[d.file] ?? .max, d.offset) }
            for (file, offset) in firstInFile {
                guard let text = sources.text(file) else { continue }
                let isDefinition = file == f.definitionFile && offset == f.nameOffset
                let end = isDefinition ? f.definitionEnd!
                    : facts.topLevel[file]?.first(where: { $0.contains(offset) })?.upperBound ?? offset
                points[key, default: [:]][file] = text.lineEnd(of: max(end - 1, offset))
            }
        }
        return points
    }

    mutating func run() {
        let points = definePoints()
        var macroUses: [String: [Bool]] = [:]  // outermost macro → in-noprof flags of its expansions
        // Calls whose out-argument (`f(n, &p)`) is what their function hands out.
        var handedOut: Set<String> = []
        for call in facts.calls where call.calleeKey.hasPrefix("out:") && call.flowsToReturn { handedOut.insert("\(call.file):\(call.start)") }
        for call in facts.calls where facts.analysedFiles.contains(call.file) && !call.calleeKey.hasPrefix("out:") {
            var hooked = inference.hookedKeys.contains(call.calleeKey) || inference.outAllocators.contains(call.calleeKey)
            if Slot.isSlot(call.calleeKey) {
                let (decided, reason) = inference.explanation(slot: call.calleeKey)
                indirectCalls.append(IndirectCall(location: SourceLocation(file: call.file, line: call.line, column: call.column),
                                                  callee: call.callee, function: call.functionName, decided: decided, reason: reason))
                guard decided else { continue }
                hooked = true
            }
            let helperKey = inference.helpers[call.calleeKey] != nil ? call.calleeKey : nil
            let isRecipeHelper = inference.recipeKeys.contains(call.calleeKey)
            guard allocators.contains(call.callee) || helperKey != nil || hooked else { continue }
            let handsOn = call.flowsToReturn || inference.outAllocators.contains(call.calleeKey) && handedOut.contains("\(call.file):\(call.start)")
            let inNoprof = call.function.map { inference.noprofContexts.contains($0) } ?? false && handsOn

            if isRecipeHelper {
                let base = inference.helpers[call.calleeKey]!.name
                let macroBodyOfRecipe: Bool = { if case .macroBody(let m) = call.spelling { return m == base }; return false }()
                if inNoprof {
                    switch call.spelling {
                    case .direct, .macroArgument, .alias:
                        if call.callee == base, let t = sources.text(call.file) {
                            let token = t.identifier(at: call.start)
                            if !token.isEmpty { edit(call.file, call.start, token.utf8.count, base + "_noprof") }
                        }
                        site(call, tagged: call.callee != base, willTag: true,
                             reason: "not annotated yet: its value is returned by \(call.functionName ?? "?"), so `tagger annotate` calls \(base)_noprof")
                    case .macroBody where macroBodyOfRecipe:
                        edit(call.file, call.start, base.utf8.count, base + "_noprof")
                        site(call, tagged: false, willTag: true, reason: nil)
                    default:
                        site(call, tagged: true, willTag: true, reason: nil)
                    }
                } else if call.callee == base, let point = points[call.calleeKey]?[call.file], call.start < point,
                          call.spelling != .parenthesized, let t = sources.text(call.file) {
                    // Before the #define (a recursive call): call the _noprof body; the caller's tag applies.
                    let token = t.identifier(at: call.start)
                    if !token.isEmpty { edit(call.file, call.start, token.utf8.count, base + "_noprof") }
                    site(call, tagged: false, willTag: true,
                         reason: "not annotated yet: it precedes \(base)'s #define, so `tagger annotate` calls \(base)_noprof")
                } else if call.spelling == .parenthesized {
                    site(call, tagged: false, willTag: false, reason: "the parenthesised call (\(base))(...) bypasses the helper's alloc_hooks macro")
                } else {
                    // `foo(...)` is (or becomes) `alloc_hooks(foo_noprof(...))` through the recipe's macro.
                    site(call, tagged: call.callee != base || macroBodyOfRecipe, willTag: true,
                         reason: "not annotated yet: `tagger annotate` applies the _noprof recipe to \(base)(), whose macro tags this call")
                }
                continue
            }
            switch call.spelling {
            case .macroBody(let m) where m.hasSuffix("_noprof"):
                // Inside a _noprof function every _noprof spelling is charged to the caller's
                // hook, whatever becomes of its value (the kernel stores it in a struct as often
                // as it returns it).
                let inNoprofFunction = call.function.map { inference.noprofContexts.contains($0) } ?? false
                site(call, tagged: inNoprofFunction, willTag: false,
                     reason: "\(m) sets no tag and is used outside a _noprof helper's returned value")
            case .macroBody(let m) where hooked && !inference.hookedKeys.contains(call.calleeKey) || facts.macros[m]?.editable != true:
                invocationSite(call, macro: m, inNoprof: inNoprof)
            case .macroBody(let m):
                macroUses[m, default: []].append(inNoprof)
            case .macroArgument(let m) where Self.hookMacros.contains(m):
                site(call, tagged: true, willTag: true, reason: nil)
            case .headerMacro(let m, let hooked):
                site(call, tagged: hooked, willTag: hooked,
                     reason: hooked ? nil : "spelled in macro \(m), defined in a file tagger does not edit: wrap this use in alloc_hooks(), or hook the macro's body",
                     macro: m)
            case .parenthesized:
                site(call, tagged: inNoprof, willTag: false,
                     reason: "the parenthesised call (\(call.callee))(...) is the untagged spelling, used outside a _noprof helper")
            case .direct, .macroArgument, .alias:
                guard let text = sources.text(call.file) else { continue }
                if writtenInsideHook(call) {
                    site(call, tagged: true, willTag: true, reason: nil)  // written inside alloc_hooks( ... ) already
                } else if inNoprof {
                    let token = text.identifier(at: call.start)
                    let spelled = noprofSpelling(call.callee)
                    if let spelled { edit(call.file, call.start, token.utf8.count, spelled) }
                    site(call, tagged: spelled == nil, willTag: true,
                         reason: "not annotated yet: its value is returned by \(call.functionName ?? "?"), so `tagger annotate` spells it \(spelled ?? call.callee) and charges \(call.functionName ?? "?")'s callers")
                } else {
                    // A call yielding no value (an out-parameter constructor) takes the void form.
                    edit(call.file, call.start, 0, call.returnsVoid ? "alloc_hooks_void(" : "alloc_hooks(", order: 1)
                    edit(call.file, call.end, 0, ")", order: 0)
                    site(call, tagged: false, willTag: true, reason: nil)
                }
            }
        }
        planMacroBodies(macroUses)
        planRecipes()
        reportFindings()
    }

    /// A site spelled in the body of macro `macro` whose definition is not edited (or whose
    /// callee is a pointer or hooked helper): the whole invocation is hooked, when the macro
    /// expands to one expression (`#define ALLOC(s, n) s->alloc(s->opaque, n)`), so the
    /// expansion still compiles.
    private mutating func invocationSite(_ call: CallFact, macro: String, inNoprof: Bool) {
        if inNoprof || Self.hookMacros.contains(macro) || writtenInsideHook(call) {
            site(call, tagged: true, willTag: true, reason: nil, macro: macro)  // the caller's (or the hook's) tag applies
            return
        }
        guard let end = facts.expansions[call.file]?[call.start], let body = macroBody(macro), Self.isExpression(body) else {
            site(call, tagged: false, willTag: false, macro: macro, reason: "spelled inside macro \(macro), whose expansion is not a single expression: wrap its uses in alloc_hooks() by hand")
            return
        }
        edit(call.file, call.start, 0, call.returnsVoid ? "alloc_hooks_void(" : "alloc_hooks(", order: 1)
        edit(call.file, end, 0, ")", order: 0)
        site(call, tagged: false, willTag: true, reason: nil, macro: macro)
    }

    /// `alloc_hooks(` (or another hook) written right before the call or invocation.
    private func writtenInsideHook(_ call: CallFact) -> Bool {
        guard let text = sources.text(call.file), let open = text.previousNonBlank(before: call.start),
              text.bytes[open] == UInt8(ascii: "("), let hook = text.identifier(endingBefore: open) else { return false }
        return Self.hookMacros.contains(hook.name)
    }

    /// The replacement list of a macro, read from its definition (any file).
    private func macroBody(_ name: String) -> [LexToken]? {
        guard let m = facts.macros[name], let file = m.file, let text = sources.text(file), m.start < text.count else { return nil }
        let toks = Lexer.lineTokens(in: text, from: m.start)
        guard toks.count > 1 else { return nil }
        var bodyStart = 1
        if m.functionLike, toks[1].text == "(" {
            while bodyStart < toks.count, toks[bodyStart].text != ")" { bodyStart += 1 }
            bodyStart += 1
        }
        return Array(toks[min(bodyStart, toks.count)...])
    }

    /// A replacement list that is one expression: no statement punctuation or keywords, no
    /// assignment or comma at its top level.
    static func isExpression(_ body: [LexToken]) -> Bool {
        guard !body.isEmpty else { return false }
        var depth = 0
        for t in body {
            switch t.text {
            case "(", "[": depth += 1
            case ")", "]": depth -= 1
            case ";", "{", "}", "do", "if", "while", "for", "return", "#", "##": return false
            case ",", "=": if depth == 0 { return false }
            default: break
            }
        }
        return depth == 0
    }

    /// Sites spelled in macro bodies are edited once, in the `#define`: calls of allocators and,
    /// by name, of helpers whose callers are hooked (an invocation of a statement macro such as
    /// libuv's `PATH;`, `do { req->path = uv__strdup(path); ... } while (0)`, cannot be).
    private mutating func planMacroBodies(_ uses: [String: [Bool]]) {
        let names = allocators.union(inference.hookedKeys.compactMap { inference.helpers[$0]?.name })
        // Which macros each macro's body mentions, to attribute nested expansions.
        var bodySites: [String: [(name: String, start: Int, end: Int, wrapped: Bool)]] = [:]
        var mentions: [String: Set<String>] = [:]
        for (name, m) in facts.macros where m.editable {
            guard let file = m.file, let text = sources.text(file) else { continue }
            let toks = Lexer.lineTokens(in: text, from: m.start)
            guard toks.count > 1 else { continue }
            var bodyStart = 1
            if m.functionLike, toks[1].text == "(" {
                while bodyStart < toks.count, toks[bodyStart].text != ")" { bodyStart += 1 }
                bodyStart += 1
            }
            let body = Array(toks[min(bodyStart, toks.count)...])
            for (i, t) in body.enumerated() where t.kind == .identifier {
                let word = t.text
                if facts.macros[word] != nil { mentions[name, default: []].insert(word) }
                guard names.contains(word), i + 1 < body.count, body[i + 1].text == "(" else { continue }
                if i > 0, [".", ">", "#"].contains(body[i - 1].text) { continue }
                var depth = 0, close: Int?
                for j in (i + 1) ..< body.count {
                    let s = body[j].text
                    if s == "(" { depth += 1 } else if s == ")" { depth -= 1; if depth == 0 { close = j; break } }
                }
                guard let close else { continue }
                var wrapped = false
                var depthBack = 0
                for j in stride(from: i - 1, through: 0, by: -1) {
                    let s = body[j].text
                    if s == ")" { depthBack += 1 } else if s == "(" {
                        if depthBack == 0 {
                            if j > 0, Self.hookMacros.contains(body[j - 1].text) { wrapped = true; break }
                        } else { depthBack -= 1 }
                    }
                }
                bodySites[name, default: []].append((word, t.start, body[close].end, wrapped))
            }
        }
        // Expansions of U count for every macro reachable from U that has body sites.
        var usesOf: [String: [Bool]] = [:]
        for (outer, flags) in uses {
            var seen: Set<String> = [outer], work = [outer]
            while let m = work.popLast() {
                if bodySites[m] != nil { usesOf[m, default: []] += flags }
                for n in mentions[m, default: []] where seen.insert(n).inserted { work.append(n) }
            }
        }
        for (name, list) in bodySites.sorted(by: { $0.key < $1.key }) {
            let m = facts.macros[name]!
            let text = sources.text(m.file!)!
            let flags = usesOf[name, default: []]
            let allNoprof = !flags.isEmpty && flags.allSatisfy { $0 }
            for s in list {
                let call = CallFact(callee: s.name, calleeKey: s.name, file: m.file!, start: s.start, end: s.end,
                                    line: text.line(of: s.start), column: text.column(of: s.start), spelling: .direct,
                                    function: nil, functionName: nil, flowsToReturn: false, returnsVoid: false)
                if s.wrapped {
                    site(call, tagged: true, willTag: true, reason: nil, macro: name)
                } else if allNoprof, let spelled = noprofSpelling(s.name) {
                    edit(m.file!, s.start, s.name.utf8.count, spelled)
                    site(call, tagged: false, willTag: true, reason: nil, macro: name)
                } else if allNoprof {
                    site(call, tagged: true, willTag: true, reason: nil, macro: name)
                } else {
                    edit(m.file!, s.start, 0, "alloc_hooks(", order: 1)
                    edit(m.file!, s.end, 0, ")", order: 0)
                    site(call, tagged: false, willTag: true, reason: nil, macro: name)
                }
            }
        }
    }

    /// The kernel's recipe: `foo` becomes `foo_noprof`, `#define foo(...) alloc_hooks(foo_noprof(__VA_ARGS__))`
    /// follows its first declaration in each file, and a function with external linkage keeps its
    /// symbol through a forwarding definition `(foo)(...)`.
    private mutating func planRecipes() {
        for (key, h) in inference.helpers.sorted(by: { $0.key < $1.key }) where h.recipe && !h.alreadyApplied {
            let f = facts.functions[key]!
            let define = "#define \(f.name)(...) alloc_hooks(\(f.name)_noprof(__VA_ARGS__))\n"
            var firstInFile: [String: Int] = [:]
            for d in f.declarations {
                edit(d.file, d.offset, f.name.utf8.count, f.name + "_noprof")
                firstInFile[d.file] = min(firstInFile[d.file] ?? .max, d.offset)
            }
            for (file, offset) in firstInFile {
                guard let text = sources.text(file) else { continue }
                let isDefinition = file == f.definitionFile && offset == f.nameOffset
                let end: Int
                if isDefinition {
                    end = f.definitionEnd!
                } else {
                    end = facts.topLevel[file]?.first(where: { $0.contains(offset) })?.upperBound ?? offset
                }
                let at = text.lineEnd(of: max(end - 1, offset))
                let lead = at == text.count && text.bytes.last != UInt8(ascii: "\n") ? "\n" : ""
                var insertion = lead
                if isDefinition, !f.isStatic { insertion += forwardingDefinition(f, text) }
                insertion += define + LineMarker.placeholder(text.line(of: at) + (at == text.count ? 1 : 0))
                edit(file, at, 0, insertion, order: 2)
            }
            // Declared before it is defined (an amalgamation declares its API first: SQLite's
            // `sqlite3_malloc`): the macro follows the declaration, and the forwarding definition
            // still follows the definition, or the library would lose the symbol.
            if !f.isStatic, let file = f.definitionFile, let first = firstInFile[file], first != f.nameOffset,
               let end = f.definitionEnd, let text = sources.text(file) {
                let at = text.lineEnd(of: end - 1)
                let lead = at == text.count && text.bytes.last != UInt8(ascii: "\n") ? "\n" : ""
                edit(file, at, 0, lead + forwardingDefinition(f, text) + LineMarker.placeholder(text.line(of: at) + (at == text.count ? 1 : 0)), order: 2)
            }
        }
    }

    /// `T *(foo)(params) { return alloc_hooks(foo_noprof(args)); }` from the definition's own
    /// header: keeps an external helper's symbol for callers that do not see the macro (other
    /// libraries, Swift through the unannotated public header). The parenthesised name is not
    /// expanded as the macro.
    private func forwardingDefinition(_ f: FunctionFact, _ text: SourceFile) -> String {
        var header = text.text(f.definitionStart! ..< f.bodyStart!)
        let nameAt = f.nameOffset! - f.definitionStart!
        let utf8 = Array(header.utf8)
        header = String(decoding: utf8[..<nameAt], as: UTF8.self) + "(\(f.name))"
            + String(decoding: utf8[(nameAt + f.name.utf8.count)...], as: UTF8.self)
        let args = f.parameterNames.compactMap { $0 }.joined(separator: ", ")
        return "\(LineMarker.placeholder(f.line))\(header.trimmingTrailingWhitespace())\n{\n\treturn alloc_hooks(\(f.name)_noprof(\(args)));\n}\n"
    }

    private mutating func reportFindings() {
        for s in sites where !s.tagged {
            findings.append(Finding(ruleID: Rules.untaggedSite.id, severity: .warning,
                                    message: "\(s.callee)() is not tagged: \(s.reason ?? "")", location: s.location))
        }
        for (_, h) in inference.helpers.sorted(by: { $0.key < $1.key }) where !h.alreadyApplied && facts.analysedFiles.contains(h.location.file) {
            if let reason = h.reason {
                if !applying {
                    findings.append(Finding(ruleID: Rules.noprofHelper.id, severity: .warning,
                        message: "\(h.name)() returns memory from \(h.returns)(); the _noprof recipe cannot be applied (\(reason)), so `tagger annotate` hooks its callers with alloc_hooks() and makes its own allocations _noprof",
                        location: h.location))
                }
            } else if !applying {
                findings.append(Finding(ruleID: Rules.noprofHelper.id, severity: .warning,
                    message: "\(h.name)() returns memory from \(h.returns)(); `tagger annotate` renames it \(h.name)_noprof and adds #define \(h.name)(...) alloc_hooks(\(h.name)_noprof(__VA_ARGS__)) so its callers are charged",
                    location: h.location))
            }
        }
        let helperNames = Set(inference.helpers.values.map(\.name))
        let reachDecided = Set(inference.decidedSlots.values.joined())
        for (name, loc) in facts.addressTaken.sorted(by: { $0.key < $1.key })
        where (allocators.contains(name) || helperNames.contains(name)) && !reachDecided.contains(name) {
            guard facts.analysedFiles.contains(loc.file) else { continue }
            findings.append(Finding(ruleID: Rules.indirectAllocator.id, severity: .warning,
                message: "\(name) is used as a function pointer here: calls through the pointer cannot be tagged at their call sites and are charged to the tag current at the time (untagged when none); name the functions that call through it with --allocator, or list the function that wraps it under \"noprof\" in \(AllocTagConfig.fileName)",
                location: loc))
        }
        for (file, ranges) in facts.skipped.sorted(by: { $0.key < $1.key }) {
            guard let text = sources.text(file) else { continue }
            for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                let toks = Lexer.tokenize(text, dialect: .c, in: r.lowerBound ..< min(r.upperBound, text.count), directives: .split)
                let hit = toks.indices.first { i in
                    toks[i].kind == .identifier && allocators.contains(toks[i].text)
                        && i + 1 < toks.count && toks[i + 1].text == "("
                }
                guard let hit else { continue }
                let l0 = text.line(of: r.lowerBound), l1 = text.line(of: r.upperBound)
                findings.append(Finding(ruleID: Rules.inactiveRegion.id, severity: .note,
                    message: "lines \(l0)-\(l1) are in an inactive preprocessor branch and were not analysed; the \(toks[hit].text)() call on line \(text.line(of: toks[hit].start)) is not tagged (annotate again with the flags that enable it)",
                    location: SourceLocation(file: file, line: l0, column: 1)))
            }
        }
        findings += facts.errors
        findings.sort { ($0.location, $0.ruleID) < ($1.location, $1.ruleID) }
        sites.sort { ($0.location, $0.callee) < ($1.location, $1.callee) }
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\n" || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
