import TaggerCore

/// Finds helpers by a fixed point over "returns the result of an allocator, a helper, or a
/// call through a decided slot", decides the slots (a slot is decided when every function that
/// can flow into it is an allocator or a helper), and decides how each helper is treated:
/// the `_noprof` recipe (renamed, a macro charges its callers) when it can be applied, else
/// its callers are hooked like an allocator's and its own allocations made `_noprof` so the
/// caller's tag wins (address taken, defined in a file this run does not edit, or, under
/// `tagger cc`, external linkage: its symbol must stay what other files call).
struct HelperInference {
    /// Helper function keys → info.
    var helpers: [String: HelperInfo] = [:]
    /// Keys of helpers whose recipe is applied (now or earlier): calls to them are tagged by their macro.
    var recipeKeys: Set<String> = []
    /// Keys of helpers whose callers are hooked as an allocator's are.
    var hookedKeys: Set<String> = []
    /// Keys of functions whose returned allocations belong to their callers.
    var noprofContexts: Set<String> = []
    /// Names (base names) of helpers with the recipe, for macro bodies and renaming.
    var recipeNames: Set<String> = []
    /// Keys of functions that hand allocations out through a parameter (`*out = malloc(n)`).
    var outAllocators: Set<String> = []
    /// Decided slots → the functions that reach them (base names, sorted).
    var decidedSlots: [String: [String]] = [:]
    /// Every slot → the function keys that can reach it.
    var slotTargets: [String: Set<String>] = [:]
    private let allocators: Set<String>

    init(facts: ProgramFacts, config: CConfig, sources: SourceCache, recipeOnlyForStatic: Bool = false) {
        allocators = Set(Vocabulary.mallocFamily + config.allocators)
        let allocators = self.allocators

        // Recipes applied by an earlier run: `foo_noprof` defined, `#define foo(...)` present.
        for (key, f) in facts.functions where f.name.hasSuffix("_noprof") && f.definitionFile != nil {
            let base = String(f.name.dropLast("_noprof".count))
            guard let macro = facts.macros[base], macro.functionLike else { continue }
            helpers[key] = HelperInfo(name: base, location: Self.location(f), returns: "", recipe: true, reason: nil, alreadyApplied: true)
            recipeKeys.insert(key)
            recipeNames.insert(base)
        }
        slotTargets = Self.resolve(facts.slotSources)
        var found: [String: String] = [:]  // key → what it returns
        var visiting: Set<String> = []
        // Phase 1 (reach): a slot counts when any function reaching it allocates, so wrappers
        // that call through the very pointer they are stored in (SQLite's memtrace methods,
        // debugging allocators) are found. Phase 2 (decide): a slot is decided when every
        // function reaching it allocates; helpers are found again through decided slots only.
        var reachOnly = true
        func allocates(_ key: String) -> Bool {
            if key.hasPrefix("out:"), let hash = key.lastIndex(of: "#") {
                guard visiting.insert(key).inserted else { return false }
                defer { visiting.remove(key) }
                let function = String(key[key.index(key.startIndex, offsetBy: 4) ..< hash])
                guard let index = Int(key[key.index(after: hash)...]),
                      let callees = facts.functions[function]?.outCallees[index] else { return false }
                return callees.contains(where: allocates)
            }
            if Slot.isSlot(key) {
                return reachOnly ? slotTargets[key, default: []].contains(where: isAllocatingFunction) : decidedSlots[key] != nil
            }
            return isAllocatingFunction(key)
        }
        func isAllocatingFunction(_ key: String) -> Bool {
            allocators.contains(Self.baseName(key)) || found[key] != nil || recipeKeys.contains(key)
        }
        func describe(_ via: String) -> String {
            if Slot.isSlot(via) { return "a pointer reaching \(slotTargets[via, default: []].map(Self.baseName).sorted().joined(separator: ", "))" }
            if via.hasPrefix("out:"), let hash = via.lastIndex(of: "#") {
                return Self.baseName(String(via[via.index(via.startIndex, offsetBy: 4) ..< hash])) + " (through an out-parameter)"
            }
            return Self.baseName(via)
        }
        func fixpoint() {
            found = [:]
            var changed = true
            while changed {
                changed = false
                for (key, f) in facts.functions where found[key] == nil && helpers[key] == nil && f.definitionFile != nil && f.name != "main" {
                    if allocators.contains(f.name) {
                        found[key] = f.name; changed = true; continue
                    }
                    guard config.inferHelpers, f.returnsPointer else { continue }
                    if let via = f.returnedCallees.sorted().first(where: allocates) {
                        found[key] = describe(via)
                        changed = true
                    }
                }
            }
        }
        fixpoint()
        // A function that returns a pointer but no call's result (`return NULL;`, a test's failing
        // allocator, a static buffer) allocates nothing: it neither decides a slot nor stops it.
        func allocatesNothing(_ key: String) -> Bool {
            guard let f = facts.functions[key], f.definitionFile != nil, f.returnsPointer else { return false }
            return f.returnedCallees.isEmpty && f.outCallees.isEmpty
        }
        for (slot, targets) in slotTargets
        where targets.contains(where: isAllocatingFunction) && targets.allSatisfy({ isAllocatingFunction($0) || allocatesNothing($0) }) {
            decidedSlots[slot] = targets.filter(isAllocatingFunction).map(Self.baseName).sorted()
        }
        reachOnly = false
        fixpoint()
        for (key, via) in found {
            let f = facts.functions[key]!
            var reason = Self.ineligibility(f, facts: facts, sources: sources)
            if reason == nil, recipeOnlyForStatic, !f.isStatic {
                reason = "it has external linkage and other files call it by name"
            }
            helpers[key] = HelperInfo(name: f.name, location: Self.location(f), returns: via, recipe: reason == nil, reason: reason, alreadyApplied: false)
            if reason == nil {
                recipeKeys.insert(key)
                recipeNames.insert(f.name)
            } else {
                hookedKeys.insert(key)
            }
        }
        for (key, f) in facts.functions where f.outCallees.values.contains(where: { $0.contains(where: allocates) }) {
            outAllocators.insert(key)
        }
        noprofContexts = recipeKeys.union(hookedKeys).union(outAllocators)
        for (key, f) in facts.functions where config.noprof.contains(f.name) { noprofContexts.insert(key) }
    }

    static func baseName(_ key: String) -> String { key.split(separator: "#").last.map(String.init) ?? key }

    /// Every slot's reachable functions: its own sources plus those of the slots flowing into it.
    static func resolve(_ sources: [String: Set<String>]) -> [String: Set<String>] {
        var targets: [String: Set<String>] = [:]
        for (slot, list) in sources { targets[slot] = list.filter { !Slot.isSlot($0) } }
        var changed = true
        while changed {
            changed = false
            for (slot, list) in sources {
                for from in list where Slot.isSlot(from) {
                    let add = targets[from, default: []].subtracting(targets[slot, default: []])
                    if !add.isEmpty { targets[slot, default: []].formUnion(add); changed = true }
                }
            }
        }
        return targets
    }

    /// Why a call through `slot` is, or is not, an allocation site.
    func explanation(slot: String) -> (decided: Bool, reason: String) {
        if let names = decidedSlots[slot] {
            return (true, "every function that reaches it is an allocator or allocation helper: \(names.joined(separator: ", "))")
        }
        let targets = slotTargets[slot, default: []]
        guard !targets.isEmpty else { return (false, "no function's address is known to reach it") }
        let others = targets.filter { !allocators.contains(Self.baseName($0)) && helpers[$0] == nil }.map(Self.baseName).sorted()
        return (false, "\(others.joined(separator: ", ")) \(others.count == 1 ? "reaches it and is" : "reach it and are") not an allocator or allocation helper")
    }

    private static func location(_ f: FunctionFact) -> SourceLocation {
        SourceLocation(file: f.definitionFile ?? "", line: f.line, column: 1)
    }

    /// Why `#define f(...) alloc_hooks(f_noprof(__VA_ARGS__))` cannot replace `f`, or nil.
    static func ineligibility(_ f: FunctionFact, facts: ProgramFacts, sources: SourceCache) -> String? {
        if let taken = facts.addressTaken[f.name] {
            return "its address is taken at \(taken.description), and a function-like macro cannot stand for it there"
        }
        guard let file = f.definitionFile, facts.analysedFiles.contains(file) else {
            return "it is defined in \(f.definitionFile ?? "another file"), which this run does not edit"
        }
        guard let text = sources.text(file), let nameOffset = f.nameOffset,
              f.definitionStart != nil, f.bodyStart != nil else {
            return "its definition is produced by a macro"
        }
        for d in f.declarations {
            guard let t = sources.text(d.file), t.identifier(at: d.offset) == f.name else {
                return "a declaration of it is produced by a macro"
            }
        }
        guard text.identifier(at: nameOffset) == f.name else { return "its name is produced by a macro" }
        if !f.isStatic {
            let header = Lexer.tokenize(text, dialect: .c, in: f.definitionStart! ..< f.bodyStart!, directives: .split).map(\.text)
            if header.contains("inline") { return "it is an extern inline function" }
            if header.joined().contains("...") { return "it is variadic and has external linkage (its symbol must stay callable)" }
            if f.parameterNames.contains(where: { $0 == nil }) { return "a parameter has no name, so no forwarding definition can keep its symbol" }
        }
        return nil
    }
}
