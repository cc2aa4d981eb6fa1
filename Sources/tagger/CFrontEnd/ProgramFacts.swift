import TaggerCore

/// Facts of several translation units merged: a header seen by many is one set of facts.
struct ProgramFacts {
    var calls: [CallFact] = []
    var functions: [String: FunctionFact] = [:]
    var macros: [String: MacroFact] = [:]
    var addressTaken: [String: SourceLocation] = [:]
    var slotSources: [String: Set<String>] = [:]
    var expansions: [String: [Int: Int]] = [:]
    var topLevel: [String: [Range<Int>]] = [:]
    var skipped: [String: Set<ClosedRange<Int>>] = [:]
    var errors: [Finding] = []
    var analysedFiles: Set<String> = []
    private var callIndex: [String: Int] = [:]

    mutating func add(_ tu: TranslationUnitFacts) {
        for call in tu.calls {
            let id = "\(call.file):\(call.start):\(call.callee):\(call.spelling)"
            if let i = callIndex[id] {
                if call.flowsToReturn { calls[i].flowsToReturn = true }
            } else {
                callIndex[id] = calls.count
                calls.append(call)
            }
        }
        for (key, f) in tu.functions {
            guard var merged = functions[key] else { functions[key] = f; continue }
            merged.declarations.formUnion(f.declarations)
            merged.returnedCallees.formUnion(f.returnedCallees)
            if f.definitionFile != nil, merged.definitionFile == nil {
                let declarations = merged.declarations, returned = merged.returnedCallees
                merged = f
                merged.declarations = declarations
                merged.returnedCallees = returned
            }
            functions[key] = merged
        }
        for (name, m) in tu.macros where m.editable || macros[name] == nil { macros[name] = m }
        for (name, loc) in tu.addressTaken where addressTaken[name] == nil { addressTaken[name] = loc }
        for (slot, sources) in tu.slotSources { slotSources[slot, default: []].formUnion(sources) }
        for (file, map) in tu.expansions where expansions[file] == nil { expansions[file] = map }
        for (file, ranges) in tu.topLevel where topLevel[file] == nil { topLevel[file] = ranges }
        for (file, ranges) in tu.skipped { skipped[file, default: []].formUnion(ranges) }
        errors += tu.errors.filter { !errors.contains($0) }
        analysedFiles.formUnion(tu.analysedFiles)
    }
}
