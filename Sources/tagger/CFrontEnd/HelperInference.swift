import TaggerCore

/// A function that hands allocator memory to its callers (`xmalloc`-style).
public struct HelperInfo: Hashable, Codable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// The allocator or helper whose result it returns.
    public var returns: String
    /// The `_noprof` recipe is (or, for `scan`, can be) in place.
    public var recipe: Bool
    /// Why the recipe cannot be applied (nil when it can).
    public var reason: String?
    /// Already renamed `name_noprof` with its `#define` by an earlier run.
    public var alreadyApplied: Bool
}

/// Finds helpers by a fixed point over "returns the result of an allocator or a helper",
/// and decides which ones the recipe can be applied to.
struct HelperInference {
    /// Helper function keys → info.
    var helpers: [String: HelperInfo] = [:]
    /// Keys of helpers whose recipe is applied (now or earlier): calls to them are tagged by their macro.
    var recipeKeys: Set<String> = []
    /// Keys of functions whose returned allocations belong to their callers.
    var noprofContexts: Set<String> = []
    /// Names (base names) of helpers with the recipe, for macro bodies and renaming.
    var recipeNames: Set<String> = []

    init(facts: ProgramFacts, config: CConfig, sources: SourceCache) {
        let allocators = Set(CConfig.mallocFamily + config.allocators)
        func baseName(_ key: String) -> String { key.split(separator: "#").last.map(String.init) ?? key }

        // Recipes applied by an earlier run: `foo_noprof` defined, `#define foo(...)` present.
        for (key, f) in facts.functions where f.name.hasSuffix("_noprof") && f.definitionFile != nil {
            let base = String(f.name.dropLast("_noprof".count))
            guard let macro = facts.macros[base], macro.functionLike else { continue }
            helpers[key] = HelperInfo(name: base, location: location(f), returns: "", recipe: true, reason: nil, alreadyApplied: true)
            recipeKeys.insert(key)
            recipeNames.insert(base)
        }
        var found: [String: String] = [:]  // key → what it returns
        var changed = true
        while changed {
            changed = false
            for (key, f) in facts.functions where found[key] == nil && helpers[key] == nil && f.definitionFile != nil && f.name != "main" {
                if allocators.contains(f.name) {
                    found[key] = f.name; changed = true; continue
                }
                guard config.inferHelpers, f.returnsPointer else { continue }
                if let via = f.returnedCallees.sorted().first(where: { allocators.contains(baseName($0)) || found[$0] != nil || recipeKeys.contains($0) }) {
                    found[key] = baseName(via); changed = true
                }
            }
        }
        for (key, via) in found {
            let f = facts.functions[key]!
            let reason = Self.ineligibility(f, facts: facts, sources: sources)
            helpers[key] = HelperInfo(name: f.name, location: location(f), returns: via, recipe: reason == nil, reason: reason, alreadyApplied: false)
            if reason == nil {
                recipeKeys.insert(key)
                recipeNames.insert(f.name)
            }
        }
        noprofContexts = recipeKeys
        for (key, f) in facts.functions where config.noprof.contains(f.name) { noprofContexts.insert(key) }
    }

    private func location(_ f: FunctionFact) -> SourceLocation {
        SourceLocation(file: f.definitionFile ?? "", line: f.line, column: 1)
    }

    /// Why `#define f(...) alloc_hooks(f_noprof(__VA_ARGS__))` cannot replace `f`, or nil.
    static func ineligibility(_ f: FunctionFact, facts: ProgramFacts, sources: SourceCache) -> String? {
        if let taken = facts.addressTaken[f.name] {
            return "its address is taken at \(taken.description), and a function-like macro cannot stand for it there"
        }
        guard let file = f.definitionFile, let text = sources.text(file), let nameOffset = f.nameOffset,
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
            let header = text.tokens(f.definitionStart!, f.bodyStart!).map { text.spelling($0) }
            if header.contains("inline") { return "it is an extern inline function" }
            if header.joined().contains("...") { return "it is variadic and has external linkage (its symbol must stay callable)" }
            if f.parameterNames.contains(where: { $0 == nil }) { return "a parameter has no name, so no forwarding definition can keep its symbol" }
        }
        return nil
    }
}
