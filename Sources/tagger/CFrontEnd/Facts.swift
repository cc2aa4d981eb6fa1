import TaggerCore

/// How the callee of a call is written in the file.
enum CalleeSpelling: Hashable, Sendable {
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
struct CallFact: Hashable, Sendable {
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
struct FunctionFact: Sendable {
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
    /// Declarations (prototypes and the definition) as (file, offset of the name).
    var declarations: Set<FileOffset> = []
}

struct FileOffset: Hashable, Sendable {
    var file: String
    var offset: Int
}

/// A macro definition seen in the translation unit.
struct MacroFact: Sendable {
    var name: String
    var functionLike: Bool
    var editable: Bool
    var file: String?
    /// The definition from its name to the end of its body (editable files only).
    var start: Int
    var end: Int
}

/// Everything one translation unit tells about the analysed files.
struct TranslationUnitFacts: Sendable {
    var mainFile: String
    var calls: [CallFact] = []
    var functions: [String: FunctionFact] = [:]
    var macros: [String: MacroFact] = [:]
    /// Functions whose address is taken, with the first place that does it.
    var addressTaken: [String: SourceLocation] = [:]
    var addressTakenNames: [String: SourceLocation] = [:]
    /// Top-level declaration ranges per analysed file (the include must not land inside one).
    var topLevel: [String: [Range<Int>]] = [:]
    var skipped: [String: [ClosedRange<Int>]] = [:]
    var errors: [Finding] = []
    var analysedFiles: Set<String> = []
    var outsideFiles: Set<String> = []
}
