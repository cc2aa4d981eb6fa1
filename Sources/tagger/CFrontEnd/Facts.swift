import TaggerCore

/// How the callee of a call is written in the file.
enum CalleeSpelling: Hashable, Codable, Sendable {
    /// The callee's own name is written at the call.
    case direct
    /// Written directly, inside an argument of macro `name` (`alloc_hooks` means tagged).
    case macroArgument(String)
    /// An object-like macro `name` stands for the callee at the call (`#define xmalloc malloc`).
    case alias(String)
    /// The call is spelled inside the body of macro `name` (the outermost one expanded).
    case macroBody(String)
    /// `(malloc)(n)`: the parenthesised spelling that bypasses function-like macros.
    case parenthesized
    /// Spelled in the body of macro `name` defined in a file this run does not edit (a header
    /// such as alloc_tag/override.h), expanded here; `hooked` when that body calls alloc_hooks.
    case headerMacro(String, hooked: Bool)
}

/// One direct call (callee is a named function) in an analysed file.
struct CallFact: Hashable, Codable, Sendable {
    var callee: String
    /// Identity of the callee: its name, or `file#name` for a function with internal linkage.
    var calleeKey: String
    var file: String
    /// Byte range of the whole call as written in `file` (start at the callee or alias).
    var start: Int
    var end: Int
    var line: Int
    var column: Int
    var spelling: CalleeSpelling
    /// Key of the enclosing function (nil at file scope).
    var function: String?
    var functionName: String?
    /// The call's value is returned by the enclosing function (directly or through locals).
    var flowsToReturn: Bool
    var returnsVoid: Bool
}

/// A function declared or defined in an analysed file.
struct FunctionFact: Codable, Sendable {
    var name: String
    var key: String
    var isStatic: Bool
    var returnsPointer: Bool
    var definitionFile: String?
    var nameOffset: Int?
    /// Whole definition in `definitionFile`, and where its body's `{` is.
    var definitionStart: Int?
    var definitionEnd: Int?
    var bodyStart: Int?
    var parameterNames: [String?] = []
    var line: Int = 0
    /// Keys of the callees whose results this function returns.
    var returnedCallees: Set<String> = []
    /// Parameter index → keys of the callees whose results it stores through that parameter
    /// (`*out = malloc(n)`): the function hands allocations out as a helper returns them.
    var outCallees: [Int: Set<String>] = [:]
    /// Declarations (prototypes and the definition) as (file, offset of the name).
    var declarations: Set<FileOffset> = []
}

struct FileOffset: Hashable, Codable, Sendable {
    var file: String
    var offset: Int
}

/// A macro definition seen in the translation unit.
struct MacroFact: Codable, Sendable {
    var name: String
    var functionLike: Bool
    var editable: Bool
    var file: String?
    /// The definition from its name to the end of its body (editable files only).
    var start: Int
    var end: Int
}

/// Everything one translation unit tells about the analysed files. Codable: `UnitFactsCache`
/// keeps it, so a unit parsed while gathering program facts is not parsed again to compile it.
struct TranslationUnitFacts: Codable, Sendable {
    var mainFile: String
    var calls: [CallFact] = []
    var functions: [String: FunctionFact] = [:]
    var macros: [String: MacroFact] = [:]
    /// Functions whose address is taken, with the first place that does it.
    var addressTaken: [String: SourceLocation] = [:]
    /// Function-pointer slots (see `Slot`) → what flows into them: function keys and other slots.
    var slotSources: [String: Set<String>] = [:]
    /// Function-like macro invocations written in edited files: file → start offset → end offset.
    var expansions: [String: [Int: Int]] = [:]
    /// Top-level declaration ranges per analysed file (the include must not land inside one).
    var topLevel: [String: [Range<Int>]] = [:]
    var skipped: [String: [ClosedRange<Int>]] = [:]
    var errors: [Finding] = []
    var analysedFiles: Set<String> = []
    /// Every file the translation unit was seen to read (for cache validation).
    var seenFiles: Set<String> = []
}

/// Names of the places a function pointer is kept, the same in every translation unit:
/// `slot:field:USR` (a struct field), `slot:param:FUNCTION#INDEX` (a parameter),
/// `slot:var:USR` (a variable). A call through a slot is an allocation site when every
/// function that can flow into it is an allocator or a helper (HelperInference).
enum Slot {
    static let prefix = "slot:"
    static func isSlot(_ key: String) -> Bool { key.hasPrefix(prefix) }
    static func field(_ usr: String) -> String { "slot:field:\(usr)" }
    static func parameter(_ function: String, _ index: Int) -> String { "slot:param:\(function)#\(index)" }
    static func variable(_ usr: String) -> String { "slot:var:\(usr)" }
}
