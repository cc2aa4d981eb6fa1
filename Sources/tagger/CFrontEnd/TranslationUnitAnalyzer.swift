import CLibclang
import Foundation
import TaggerCore

/// Parses one translation unit with libclang and records the facts the planner needs about
/// the analysed (editable) files: calls, function definitions and what they return, macro
/// definitions, address-taken functions, inactive regions and parse errors.
final class TranslationUnitAnalyzer {
    private let clang: Clang
    private let api: tagger_clang_api
    private let sources: SourceCache
    private let isEditable: (String) -> Bool
    /// Files outside the edited ones whose functions still count (the project's headers
    /// under `tagger cc`): their definitions and function-pointer stores are recorded.
    private let recordsFacts: (String) -> Bool
    private(set) var facts: TranslationUnitFacts

    private struct FileInfo { var path: String?; var editable: Bool; var facts: Bool }
    private var fileInfo: [UnsafeMutableRawPointer: FileInfo] = [:]

    private struct Frame {
        var cursor: TCXCursor
        var kind: Int32
        var nextChild = 0
        var index = 0
        var name: String?
    }
    private var stack: [Frame] = []
    private var keyByName: [String: String] = [:]
    private var headerMacroHooked: [String: Bool] = [:]

    // Per function being walked.
    private var current: FunctionFact?
    private var currentText: SourceFile?
    private var assignedCalls: [String: [Int]] = [:]
    private var derivedFrom: [String: Set<String>] = [:]
    private var returnedVars: Set<String> = []

    init(clang: Clang, sources: SourceCache, mainFile: String, isEditable: @escaping (String) -> Bool,
         recordsFacts: ((String) -> Bool)? = nil) {
        self.clang = clang
        self.api = clang.api
        self.sources = sources
        self.isEditable = isEditable
        self.recordsFacts = recordsFacts ?? isEditable
        self.facts = TranslationUnitFacts(mainFile: mainFile)
    }

    /// What libclang is given for `arguments`: the resource directory it may need, the
    /// runtime's headers always reachable (so annotated files parse again: idempotence).
    static func parseArguments(_ arguments: [String]) -> [String] {
        let runtime = (try? RuntimeLocator.includeDirectory()).map { ["-idirafter", $0] } ?? []
        return Libclang.withResourceDirectory(arguments) + runtime + ["-Wno-error", "-ferror-limit=100"]
    }

    /// Parses `file` with `arguments` (compiler flags without the compiler, input or output).
    func analyse(arguments: [String]) throws {
        let index = api.createIndex(0, 0)
        defer { api.disposeIndex(index) }
        var tu: TCXTranslationUnit?
        let args = Self.parseArguments(arguments)
        let code: Int32 = withCStrings(args) { argv in
            api.parseTranslationUnit2(index, facts.mainFile, argv, Int32(args.count), nil, 0,
                                      UInt32(TCX_TU_DetailedPreprocessingRecord), &tu)
        }
        guard code == 0, let tu else {
            throw CFrontEndError.parseFailed(facts.mainFile, "libclang error code \(code) (check the compile flags)")
        }
        defer { api.disposeTranslationUnit(tu) }
        collectDiagnostics(tu)
        let root = api.getTranslationUnitCursor(tu)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = api.visitChildren(root, { cursor, _, data in
            Unmanaged<TranslationUnitAnalyzer>.fromOpaque(data!).takeUnretainedValue().visitTopLevel(cursor)
        }, me)
        // The main file is analysed even when its active part declares nothing of its own (brotli's
        // static_dict_lut.c: all code under `#if`, the `#else` only an #include): its inactive
        // branches are still reported, and its suppression comments still read.
        let main = info(api.getFile(tu, facts.mainFile))
        if let path = main.path, main.editable { facts.analysedFiles.insert(path) }
        for file in facts.analysedFiles { collectSkippedRanges(tu, file) }
    }

    // MARK: Top level

    private func info(_ file: TCXFile?) -> FileInfo {
        guard let file else { return FileInfo(path: nil, editable: false, facts: false) }
        if let known = fileInfo[file] { return known }
        var result = FileInfo(path: nil, editable: false, facts: false)
        if let name = clang.fileName(file) {
            let path = SourceCache.canonical(name)
            let editable = isEditable(path)
            facts.seenFiles.insert(path)
            result = FileInfo(path: path, editable: editable, facts: editable || recordsFacts(path))
        }
        fileInfo[file] = result
        return result
    }

    private func visitTopLevel(_ cursor: TCXCursor) -> Int32 {
        let kind = api.getCursorKind(cursor)
        if kind == TCXC_InclusionDirective {
            _ = info(api.getIncludedFile(cursor))  // every file read is seen, declarations or not
            return Int32(TCX_Visit_Continue)
        }
        let location = api.getCursorLocation(cursor)
        if kind == TCXC_MacroExpansion {
            recordExpansion(cursor)
            return Int32(TCX_Visit_Continue)
        }
        if kind == TCXC_MacroDefinition {
            recordMacro(cursor, location)
            return Int32(TCX_Visit_Continue)
        }
        if api.Location_isInSystemHeader(location) != 0 { return Int32(TCX_Visit_Continue) }
        let loc = clang.fileLocation(location)
        let file = info(loc.file)
        guard let path = file.path else { return Int32(TCX_Visit_Continue) }
        guard file.editable else {
            if file.facts, kind == TCXC_FunctionDecl, api.isCursorDefinition(cursor) != 0 {
                recordFunction(cursor, path: path, nameLoc: loc, extent: (0, 0), sameFile: false)
            } else if file.facts, kind == TCXC_VarDecl {
                recordVariable(cursor)
                walk(cursor, function: nil, path: path)
            }
            return Int32(TCX_Visit_Continue)
        }
        facts.analysedFiles.insert(path)
        let extent = api.getCursorExtent(cursor)
        // A declaration opening with an export macro whose expansion starts with its argument
        // (`API(void *) f(void)` with `#define API(t) t`) starts at the macro, not at `void`.
        var start = clang.expansionLocation(api.getRangeStart(extent))
        let end = clang.fileLocation(api.getRangeEnd(extent))
        if start.file == loc.file { start.offset = includingEmptyMacros(start.offset, path: path) }
        if start.file == loc.file, end.file == loc.file, start.offset <= end.offset {
            facts.topLevel[path, default: []].append(start.offset ..< end.offset)
        }
        if kind == TCXC_FunctionDecl {
            recordFunction(cursor, path: path, nameLoc: loc, extent: (start.offset, end.offset),
                           sameFile: start.file == loc.file && end.file == loc.file)
        } else if kind == TCXC_VarDecl {
            recordVariable(cursor)
            walk(cursor, function: nil, path: path)
        }
        return Int32(TCX_Visit_Continue)
    }

    /// `SQLITE_API void *f(int)` with `#define SQLITE_API` (empty): the expansion leaves no
    /// token, so the extent starts at `void`, yet the macro belongs to the declaration (a
    /// forwarding definition copies its header from here, so the export macro round-trips).
    /// Object-like macro names before `offset` on the same line, not a directive's, are taken in.
    private func includingEmptyMacros(_ offset: Int, path: String) -> Int {
        guard let text = sources.text(path) else { return offset }
        let b = text.bytes
        func isIdentifier(_ c: UInt8) -> Bool { c == 0x5F || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || (c >= 0x30 && c <= 0x39) }
        let lineStart = text.lineStart(of: offset)
        var first = lineStart
        while first < offset, b[first] == 0x20 || b[first] == 0x09 { first += 1 }
        guard first < offset, b[first] != UInt8(ascii: "#") else { return offset }
        var at = offset
        while true {
            var i = at
            while i > lineStart, b[i - 1] == 0x20 || b[i - 1] == 0x09 { i -= 1 }
            var j = i
            while j > lineStart, isIdentifier(b[j - 1]) { j -= 1 }
            guard j < i, !(b[j] >= 0x30 && b[j] <= 0x39),
                  let macro = facts.macros[text.text(j ..< i)], !macro.functionLike else { return at }
            at = j
        }
    }

    /// A function-like macro invoked in an edited file: where the invocation starts and ends,
    /// so a call that is the whole expansion can be hooked around the invocation.
    private func recordExpansion(_ cursor: TCXCursor) {
        let extent = api.getCursorExtent(cursor)
        let s = clang.fileLocation(api.getRangeStart(extent)), e = clang.fileLocation(api.getRangeEnd(extent))
        guard s.file == e.file, s.offset < e.offset, let path = info(s.file).path, info(s.file).editable else { return }
        facts.expansions[path, default: [:]][s.offset] = e.offset
    }

    private func recordMacro(_ cursor: TCXCursor, _ location: TCXSourceLocation) {
        let name = clang.spelling(cursor)
        let loc = clang.fileLocation(location)
        let file = info(loc.file)
        var fact = MacroFact(name: name, functionLike: api.Cursor_isMacroFunctionLike(cursor) != 0,
                             editable: file.editable, file: file.path, start: loc.offset, end: loc.offset)
        if file.editable {
            let extent = api.getCursorExtent(cursor)
            let end = clang.fileLocation(api.getRangeEnd(extent))
            fact.end = max(end.offset, loc.offset)
        }
        facts.macros[name] = fact
    }

    private func key(forFunction cursor: TCXCursor, name: String) -> String {
        if let known = keyByName[name] { return known }
        var key = name
        if api.Cursor_getStorageClass(cursor) == TCX_SC_Static {
            let definition = api.getCursorDefinition(cursor)
            let where_ = api.Cursor_isNull(definition) != 0 ? cursor : definition
            let file = info(clang.fileLocation(api.getCursorLocation(where_)).file).path ?? facts.mainFile
            key = "\(file)#\(name)"
        }
        keyByName[name] = key
        return key
    }

    private func recordFunction(_ cursor: TCXCursor, path: String, nameLoc: (file: TCXFile?, line: Int, column: Int, offset: Int),
                                extent: (Int, Int), sameFile: Bool) {
        let name = clang.spelling(cursor)
        let key = key(forFunction: cursor, name: name)
        var fact = facts.functions[key] ?? FunctionFact(
            name: name, key: key, isStatic: api.Cursor_getStorageClass(cursor) == TCX_SC_Static,
            returnsPointer: api.getCanonicalType(api.getCursorResultType(cursor)).kind == TCXT_Pointer)
        fact.declarations.insert(FileOffset(file: path, offset: nameLoc.offset))
        if api.isCursorDefinition(cursor) != 0 {
            fact.definitionFile = path
            fact.nameOffset = nameLoc.offset
            fact.line = nameLoc.line
            if sameFile {
                fact.definitionStart = extent.0
                fact.definitionEnd = extent.1
            }
            facts.functions[key] = fact
            walk(cursor, function: fact, path: path)
        } else {
            facts.functions[key] = fact
        }
    }

    // MARK: Bodies

    private func walk(_ cursor: TCXCursor, function: FunctionFact?, path: String) {
        current = function
        currentText = sources.text(path)
        assignedCalls = [:]
        derivedFrom = [:]
        returnedVars = []
        stack = [Frame(cursor: cursor, kind: api.getCursorKind(cursor))]
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = api.visitChildren(cursor, { cursor, parent, data in
            Unmanaged<TranslationUnitAnalyzer>.fromOpaque(data!).takeUnretainedValue().visitBody(cursor, parent)
        }, me)
        if var fact = current { finish(&fact) }
        current = nil
    }

    private func visitBody(_ cursor: TCXCursor, _ parent: TCXCursor) -> Int32 {
        while stack.count > 1, api.equalCursors(stack[stack.count - 1].cursor, parent) == 0 { stack.removeLast() }
        let kind = api.getCursorKind(cursor)
        var frame = Frame(cursor: cursor, kind: kind)
        frame.index = stack[stack.count - 1].nextChild
        stack[stack.count - 1].nextChild += 1
        if kind == TCXC_VarDecl { frame.name = clang.spelling(cursor) }
        stack.append(frame)
        switch kind {
        case TCXC_CompoundStmt where stack.count == 2 && current != nil:
            let start = clang.fileLocation(api.getRangeStart(api.getCursorExtent(cursor)))
            current!.bodyStart = start.offset
        case TCXC_ParmDecl where stack.count == 2 && current != nil:
            let name = clang.spelling(cursor)
            current!.parameterNames.append(name.isEmpty ? nil : name)
        case TCXC_CallExpr:
            recordCall(cursor)
        case TCXC_BinaryOperator:
            recordAssignment(cursor)
        case TCXC_InitListExpr:
            recordInitializers(cursor)
        case TCXC_VarDecl:
            recordVariable(cursor)
        case TCXC_DeclRefExpr:
            recordReference(cursor)
        default:
            break
        }
        return Int32(TCX_Visit_Recurse)
    }

    private enum Flow { case none, returned, assigned(String) }

    /// Library functions whose value is their first argument (`return memcpy(m, s, n);`).
    static let returnsFirstArgument: Set<String> = [
        "memcpy", "memmove", "memset", "strcpy", "strncpy", "strcat", "strncat",
        "__builtin_memcpy", "__builtin_memmove", "__builtin_memset", "__builtin_strcpy", "__builtin_strncpy",
        "__builtin_strcat", "__builtin_strncat",
    ]

    /// Where the value of the node at the top of the stack goes, through parentheses, casts,
    /// conditional branches and pointer arithmetic.
    private func flowOfTop() -> Flow {
        var child = stack.count - 1
        while child > 0 {
            let parent = stack[child - 1]
            let index = stack[child].index
            switch parent.kind {
            case TCXC_ParenExpr, TCXC_CStyleCastExpr, TCXC_UnexposedExpr:
                child -= 1
            case TCXC_ConditionalOperator:
                guard index >= 1 else { return .none }
                child -= 1
            case TCXC_CallExpr:
                // `return memcpy(m, s, n)`: memcpy and its kind return their first argument.
                let callee = api.getCursorReferenced(parent.cursor)
                guard index == 1, api.getCursorKind(callee) == TCXC_FunctionDecl,
                      Self.returnsFirstArgument.contains(clang.spelling(callee)) else { return .none }
                child -= 1
            case TCXC_ReturnStmt:
                return .returned
            case TCXC_VarDecl:
                return parent.name.map { .assigned($0) } ?? .none
            case TCXC_BinaryOperator:
                if let lhs = assignmentTarget(rhs: stack[child].cursor), index == 1 {
                    return .assigned(lhs)
                }
                // `s = (char *)p + n`: the `=` precedes the left operand of arithmetic; go up.
                child -= 1
            default:
                return .none
            }
        }
        return .none
    }

    /// When `rhs` is the right side of `name = rhs`, the name.
    private func assignmentTarget(rhs: TCXCursor) -> String? {
        guard let text = currentText else { return nil }
        let start = clang.fileLocation(api.getRangeStart(api.getCursorExtent(rhs))).offset
        guard let op = text.previousNonBlank(before: start), text.bytes[op] == UInt8(ascii: "="),
              op > 0, !"=!<>+-*/%&|^".utf8.contains(text.bytes[op - 1]),
              let lhs = text.identifier(endingBefore: op) else { return nil }
        if let before = text.previousNonBlank(before: lhs.start), ".>*&]".utf8.contains(text.bytes[before]) {
            // `*out = value` through a parameter: the value is handed to the caller (`*name`).
            guard text.bytes[before] == UInt8(ascii: "*"), current?.parameterNames.contains(lhs.name) == true,
                  let prior = text.previousNonBlank(before: before), ";{}(,".utf8.contains(text.bytes[prior]) else { return nil }
            return "*" + lhs.name
        }
        return lhs.name
    }

    /// `explicit`: the callee when libclang resolves none for the call itself, as for
    /// `(malloc)(n)` (it looks through no parentheses); see recordReference.
    private func recordCall(_ cursor: TCXCursor, callee explicit: TCXCursor? = nil) {
        let referenced = explicit ?? api.getCursorReferenced(cursor)
        guard api.getCursorKind(referenced) == TCXC_FunctionDecl else {
            if explicit == nil { recordIndirectCall(cursor) }
            return
        }
        let name = clang.spelling(explicit ?? cursor)
        guard !name.isEmpty, let text = currentText else { return }
        let extent = api.getCursorExtent(cursor)
        let s = clang.fileLocation(api.getRangeStart(extent))
        let e = clang.fileLocation(api.getRangeEnd(extent))
        let x = clang.expansionLocation(api.getRangeStart(extent))
        guard let path = info(s.file).path, path == text.path else { return }
        var spelling: CalleeSpelling
        var start = s.offset, end = e.offset
        var line = s.line, column = s.column
        let sameFile = e.file == s.file && s.offset <= e.offset
        if sameFile, text.identifier(at: s.offset) == name,
           let m = facts.macros[name], m.functionLike, m.file != text.path {
            // `malloc(n)` where malloc is a function-like macro of another file (such as
            // alloc_tag/override.h): the call is that macro's expansion, tagged exactly when
            // its body hooks the call.
            spelling = .headerMacro(name, hooked: headerMacroHooks(name))
        } else if sameFile, text.identifier(at: s.offset) == name {
            spelling = x.offset == s.offset && x.file == s.file ? .direct : .macroArgument(text.identifier(at: x.offset))
        } else if sameFile, text.bytes[s.offset] == UInt8(ascii: "("),
                  text.identifier(at: Lexer.skipTrivia(in: text, from: s.offset + 1)) == name {
            spelling = .parenthesized
        } else {
            let macro = text.identifier(at: x.offset)
            let isAlias = facts.macros[macro].map { !$0.functionLike } ?? false
            // `#define xalloc malloc` used as `xalloc(n)`: the arguments follow the name where it
            // is written. An object-like macro whose body holds the whole call (`PATH;` with
            // `#define PATH do { p = strdup(s); } while (0)`) is a macro body, not an alias.
            let argumentsFollow = { () -> Bool in
                let after = Lexer.skipTrivia(in: text, from: s.offset + macro.utf8.count)
                return after < text.count && text.bytes[after] == UInt8(ascii: "(")
            }
            if sameFile, isAlias, text.identifier(at: s.offset) == macro, argumentsFollow() {
                spelling = .alias(macro)
            } else {
                // Inside a macro invoked in another macro's argument (`CODE({ ... ALLOC(n) ... })`):
                // the inner invocation, where the body's tokens were expanded, not the outer one.
                let at = innerInvocation(s, outer: x, in: text) ?? x
                spelling = .macroBody(text.identifier(at: at.offset))
                start = at.offset; end = at.offset
                line = at.line; column = at.column
            }
        }
        let returnsVoid = api.getCanonicalType(api.getCursorType(cursor)).kind == TCXT_Void
        let calleeKey = key(forFunction: referenced, name: name)
        if explicit == nil { recordArguments(cursor, callee: calleeKey) }
        let fact = CallFact(callee: name, calleeKey: calleeKey, file: path,
                            start: start, end: end, line: line, column: column, spelling: spelling,
                            function: current?.key, functionName: current?.name, flowsToReturn: false,
                            returnsVoid: returnsVoid)
        append(fact)
        if explicit == nil { recordOutArguments(cursor, call: fact) }
    }

    /// The file location `s` when it names a function-like macro invoked inside the argument of
    /// the outermost expansion `outer` (clang maps a body token to where its macro was invoked,
    /// and that invocation, being an argument, to where it was written); nil otherwise.
    private func innerInvocation(_ s: FileLocation, outer: FileLocation, in text: SourceFile) -> FileLocation? {
        guard s.file == outer.file, s.offset > outer.offset, s.offset < text.count,
              facts.macros[text.identifier(at: s.offset)]?.functionLike == true,
              let end = facts.expansions[text.path]?[outer.offset], s.offset < end else { return nil }
        return s
    }

    private func append(_ fact: CallFact) {
        facts.calls.append(fact)
        if current != nil {
            switch flowOfTop() {
            case .returned: facts.calls[facts.calls.count - 1].flowsToReturn = current!.returnsPointer
            case .assigned(let v): assignedCalls[v, default: []].append(facts.calls.count - 1)
            case .none: break
            }
        }
    }

    /// A call through a function pointer kept in a slot: recorded with the slot as its callee
    /// key and the callee expression as written (`s->alloc`) as its name.
    private func recordIndirectCall(_ cursor: TCXCursor) {
        guard let text = currentText, let callee = children(cursor).first, let slot = slot(of: callee) else { return }
        let extent = api.getCursorExtent(cursor)
        let s = clang.fileLocation(api.getRangeStart(extent)), e = clang.fileLocation(api.getRangeEnd(extent))
        let x = clang.expansionLocation(api.getRangeStart(extent))
        guard let path = info(x.file).path, path == text.path else { return }
        let calleeEnd = clang.fileLocation(api.getRangeEnd(api.getCursorExtent(callee)))
        var spelling = CalleeSpelling.direct
        var start = s.offset, end = e.offset, line = s.line, column = s.column
        var label = String(clang.spelling(callee))
        if s.file == e.file, s.offset <= e.offset, calleeEnd.file == s.file, s.offset <= calleeEnd.offset, calleeEnd.offset <= e.offset,
           Self.isWholeCall(text.text(s.offset ..< e.offset)) {
            label = text.text(s.offset ..< calleeEnd.offset).filter { !$0.isWhitespace }
            if x.offset != s.offset || x.file != s.file { spelling = .macroArgument(text.identifier(at: x.offset)) }
        } else {
            let at = innerInvocation(s, outer: x, in: text) ?? x
            spelling = .macroBody(text.identifier(at: at.offset))
            start = at.offset; end = at.offset; line = at.line; column = at.column
        }
        if label.isEmpty { label = "(*pointer)" }
        append(CallFact(callee: label, calleeKey: slot, file: path, start: start, end: end, line: line, column: column,
                        spelling: spelling, function: current?.key, functionName: current?.name, flowsToReturn: false,
                        returnsVoid: api.getCanonicalType(api.getCursorType(cursor)).kind == TCXT_Void))
    }

    // MARK: Function pointers

    /// Whether written text is a whole call `callee(...)`: it ends with the `)` that closes its
    /// first `(`. A call whose `s` is a macro argument and whose `->f(...)` is in the macro's
    /// body maps to a fragment such as `s,\n n + 42` instead.
    static func isWholeCall(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasSuffix(")") else { return false }
        var depth = 0
        for c in trimmed {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1; if depth < 0 { return false } }
        }
        return depth == 0
    }

    private func children(_ cursor: TCXCursor) -> [TCXCursor] {
        var out: [TCXCursor] = []
        withUnsafeMutablePointer(to: &out) { p in
            _ = api.visitChildren(cursor, { c, _, data in
                data!.assumingMemoryBound(to: [TCXCursor].self).pointee.append(c)
                return Int32(TCX_Visit_Continue)
            }, p)
        }
        return out
    }

    /// Through parentheses, casts, implicit conversions, `&f` and `*p`.
    private func stripped(_ cursor: TCXCursor) -> TCXCursor {
        var c = cursor
        while [TCXC_ParenExpr, TCXC_UnexposedExpr, TCXC_CStyleCastExpr, TCXC_UnaryOperator].contains(api.getCursorKind(c)),
              let inner = children(c).last {
            c = inner
        }
        return c
    }

    private func usr(_ cursor: TCXCursor) -> String { clang.string(api.getCursorUSR(cursor)) }

    /// The slot an expression reads: a field, a parameter of the current function, a variable.
    private func slot(of expression: TCXCursor) -> String? {
        let e = stripped(expression)
        let referenced = api.getCursorReferenced(e)
        switch (api.getCursorKind(e), api.getCursorKind(referenced)) {
        case (TCXC_MemberRefExpr, TCXC_FieldDecl):
            let id = usr(referenced)
            return id.isEmpty ? nil : Slot.field(id)
        case (TCXC_DeclRefExpr, TCXC_ParmDecl):
            let name = clang.spelling(referenced)
            guard let f = current, let i = f.parameterNames.firstIndex(of: name) else { return nil }
            return Slot.parameter(f.key, i)
        case (TCXC_DeclRefExpr, TCXC_VarDecl):
            let id = usr(referenced)
            return id.isEmpty ? nil : Slot.variable(id)
        default:
            return nil
        }
    }

    private func isFunctionPointer(_ cursor: TCXCursor) -> Bool {
        var type = api.getCanonicalType(api.getCursorType(cursor))
        if type.kind == TCXT_Pointer { type = api.getCanonicalType(api.getPointeeType(type)) }
        return type.kind == TCXT_FunctionProto || type.kind == TCXT_FunctionNoProto
    }

    /// The functions and slots an expression of function-pointer type can take its value from.
    private func valueSources(_ expression: TCXCursor) -> Set<String> {
        guard isFunctionPointer(expression) else { return [] }
        let e = stripped(expression)
        if api.getCursorKind(e) == TCXC_ConditionalOperator {
            return children(e).dropFirst().reduce(into: []) { $0.formUnion(valueSources($1)) }
        }
        let referenced = api.getCursorReferenced(e)
        if api.getCursorKind(e) == TCXC_DeclRefExpr, api.getCursorKind(referenced) == TCXC_FunctionDecl {
            return [key(forFunction: referenced, name: clang.spelling(referenced))]
        }
        return slot(of: e).map { [$0] } ?? []
    }

    private func flow(_ sources: Set<String>, into slot: String?) {
        guard let slot, !sources.isEmpty else { return }
        facts.slotSources[slot, default: []].formUnion(sources)
    }

    /// `target = value` where the value is a function pointer.
    private func recordAssignment(_ cursor: TCXCursor) {
        let parts = children(cursor)
        guard parts.count == 2, let text = currentText, isFunctionPointer(parts[0]) else { return }
        let lhsEnd = clang.fileLocation(api.getRangeEnd(api.getCursorExtent(parts[0])))
        let rhsStart = clang.fileLocation(api.getRangeStart(api.getCursorExtent(parts[1])))
        guard lhsEnd.file == rhsStart.file, info(lhsEnd.file).path == text.path, lhsEnd.offset <= rhsStart.offset,
              text.text(lhsEnd.offset ..< rhsStart.offset).trimmingCharacters(in: .whitespacesAndNewlines) == "=" else { return }
        flow(valueSources(parts[1]), into: slot(of: parts[0]))
    }

    /// `T *(*alloc)(size_t) = malloc;`
    private func recordVariable(_ cursor: TCXCursor) {
        guard isFunctionPointer(cursor), let value = children(cursor).last else { return }
        let id = usr(cursor)
        guard !id.isEmpty else { return }
        flow(valueSources(value), into: Slot.variable(id))
    }

    /// `{ .allocate = malloc }` and positional `{ xmalloc, xfree }` for a struct's fields.
    private func recordInitializers(_ cursor: TCXCursor) {
        let decl = api.getTypeDeclaration(api.getCanonicalType(api.getCursorType(cursor)))
        let declKind = api.getCursorKind(decl)
        guard declKind == TCXC_StructDecl || declKind == TCXC_UnionDecl else { return }
        let fields = children(decl).filter { api.getCursorKind($0) == TCXC_FieldDecl }.map { usr($0) }
        var position = 0
        for item in children(cursor) {
            var field: String?
            var value = item
            let parts = children(item)
            if let first = parts.first, api.getCursorKind(first) == TCXC_MemberRef, parts.count >= 2 {
                field = usr(api.getCursorReferenced(first))
                value = parts.last!
                position = (fields.firstIndex(of: field!) ?? fields.count) + 1
            } else {
                field = position < fields.count ? fields[position] : nil
                position += 1
            }
            if let field, !field.isEmpty { flow(valueSources(value), into: Slot.field(field)) }
        }
    }

    /// `f(n, &p)`: the local `p` may receive what f hands out through parameter i, recorded as
    /// a call of `out:f#i` assigned to p (HelperInference decides whether f allocates there).
    /// The pseudo call has the real call's place, so the planner can tell whether the real one
    /// hands its allocation on.
    private func recordOutArguments(_ call: TCXCursor, call real: CallFact) {
        guard current != nil, let text = currentText else { return }
        for (i, argument) in children(call).dropFirst().enumerated() where api.getCursorKind(argument) == TCXC_UnaryOperator {
            let start = clang.fileLocation(api.getRangeStart(api.getCursorExtent(argument)))
            guard info(start.file).path == text.path, start.offset < text.count, text.bytes[start.offset] == UInt8(ascii: "&"),
                  let inner = children(argument).first, api.getCursorKind(inner) == TCXC_DeclRefExpr,
                  api.getCursorKind(api.getCursorReferenced(inner)) == TCXC_VarDecl else { continue }
            facts.calls.append(CallFact(callee: "\(real.callee)(&\(clang.spelling(inner)))", calleeKey: "out:\(real.calleeKey)#\(i)", file: real.file,
                                        start: real.start, end: real.end, line: real.line, column: real.column, spelling: real.spelling,
                                        function: current?.key, functionName: current?.name, flowsToReturn: false, returnsVoid: true))
            assignedCalls[clang.spelling(inner), default: []].append(facts.calls.count - 1)
        }
    }

    /// Function pointers passed to a function flow into its parameters.
    private func recordArguments(_ call: TCXCursor, callee: String) {
        for (i, argument) in children(call).dropFirst().enumerated() {
            flow(valueSources(argument), into: Slot.parameter(callee, i))
        }
    }

    /// Whether a macro defined outside the edited files wraps what it expands to in
    /// alloc_hooks(): its `#define` line (with continuations) is read from its file once.
    private func headerMacroHooks(_ name: String) -> Bool {
        if let known = headerMacroHooked[name] { return known }
        var hooked = false
        if let m = facts.macros[name], let file = m.file,
           let data = FileManager.default.contents(atPath: file), m.start < data.count {
            var end = m.start
            while end < data.count, data[end] != UInt8(ascii: "\n") || (end > 0 && data[end - 1] == UInt8(ascii: "\\")) {
                end += 1
            }
            let definition = String(decoding: data[m.start ..< end], as: UTF8.self)
            hooked = Vocabulary.cHookMacros.contains { definition.contains($0 + "(") }
        }
        headerMacroHooked[name] = hooked
        return hooked
    }

    private func recordReference(_ cursor: TCXCursor) {
        let referenced = api.getCursorReferenced(cursor)
        let kind = api.getCursorKind(referenced)
        if kind == TCXC_FunctionDecl {
            guard !isCallee() else {
                recordParenthesizedCall(referenced)
                return
            }
            let name = clang.spelling(cursor)
            if facts.addressTaken[name] == nil {
                let loc = clang.fileLocation(api.getCursorLocation(cursor))
                let path = info(loc.file).path ?? facts.mainFile
                facts.addressTaken[name] = SourceLocation(file: path, line: loc.line, column: loc.column)
            }
        } else if (kind == TCXC_VarDecl || kind == TCXC_ParmDecl), current != nil {
            switch flowOfTop() {
            case .returned: if current!.returnsPointer { returnedVars.insert(clang.spelling(cursor)) }
            case .assigned(let v): derivedFrom[v, default: []].insert(clang.spelling(cursor))
            case .none: break
            }
        }
    }

    /// The DeclRefExpr at the top of the stack is the callee of a call (possibly parenthesised).
    /// A callee reached through parentheses (`(malloc)(n)`, also how alloc_tag/override.h
    /// spells the real call) leaves the call unresolved by libclang: record it from here, with
    /// the stack cut back to the call so its flow is judged from the call's own frame.
    private func recordParenthesizedCall(_ callee: TCXCursor) {
        var child = stack.count - 1
        while child > 0, stack[child - 1].kind != TCXC_CallExpr { child -= 1 }
        guard child > 0 else { return }
        let call = stack[child - 1].cursor
        guard api.getCursorKind(api.getCursorReferenced(call)) != TCXC_FunctionDecl else { return }
        let saved = stack
        stack.removeLast(stack.count - child)
        recordCall(call, callee: callee)
        stack = saved
    }

    private func isCallee() -> Bool {
        var child = stack.count - 1
        while child > 0 {
            let parent = stack[child - 1]
            guard stack[child].index == 0 else { return false }
            if parent.kind == TCXC_CallExpr { return true }
            guard parent.kind == TCXC_UnexposedExpr || parent.kind == TCXC_ParenExpr else { return false }
            child -= 1
        }
        return false
    }

    private func finish(_ fact: inout FunctionFact) {
        func closure(_ roots: Set<String>) -> Set<String> {
            var all = roots
            var work = Array(roots)
            while let v = work.popLast() {
                for w in derivedFrom[v, default: []] where !all.contains(w) {
                    all.insert(w)
                    work.append(w)
                }
            }
            return all
        }
        if fact.returnsPointer {
            for v in closure(returnedVars) { for i in assignedCalls[v, default: []] { facts.calls[i].flowsToReturn = true } }
        }
        var outCallees: [Int: Set<String>] = [:]
        for (index, name) in fact.parameterNames.enumerated() {
            guard let name, assignedCalls["*" + name] != nil || derivedFrom["*" + name] != nil else { continue }
            for v in closure(["*" + name]) {
                for i in assignedCalls[v, default: []] {
                    facts.calls[i].flowsToReturn = true
                    outCallees[index, default: []].insert(facts.calls[i].calleeKey)
                }
            }
        }
        var existing = facts.functions[fact.key] ?? fact
        existing.bodyStart = fact.bodyStart
        existing.parameterNames = fact.parameterNames
        existing.outCallees = outCallees
        for call in facts.calls.reversed() {
            guard call.function == fact.key else { break }
            if call.flowsToReturn, fact.returnsPointer, !outCallees.values.contains(where: { $0.contains(call.calleeKey) }) {
                existing.returnedCallees.insert(call.calleeKey)
            }
        }
        facts.functions[fact.key] = existing
    }

    // MARK: Diagnostics and skipped regions

    private func collectDiagnostics(_ tu: TCXTranslationUnit) {
        for i in 0 ..< api.getNumDiagnostics(tu) {
            guard let d = api.getDiagnostic(tu, i) else { continue }
            defer { api.disposeDiagnostic(d) }
            guard api.getDiagnosticSeverity(d) >= TCX_Diag_Error else { continue }
            let loc = clang.fileLocation(api.getDiagnosticLocation(d))
            let path = info(loc.file).path ?? facts.mainFile
            let message = clang.string(api.getDiagnosticSpelling(d))
            facts.errors.append(Finding(
                ruleID: Rules.parseError.id, severity: .error,
                message: "\(message); call sites after this point may be missing (check the compile flags)",
                location: SourceLocation(file: path, line: max(loc.line, 1), column: max(loc.column, 1))))
        }
    }

    private func collectSkippedRanges(_ tu: TCXTranslationUnit, _ path: String) {
        guard let file = api.getFile(tu, path), let list = api.getSkippedRanges(tu, file) else { return }
        defer { api.disposeSourceRangeList(list) }
        for i in 0 ..< Int(list.pointee.count) {
            let r = list.pointee.ranges[i]
            let s = clang.fileLocation(api.getRangeStart(r)), e = clang.fileLocation(api.getRangeEnd(r))
            guard s.offset <= e.offset else { continue }
            facts.skipped[path, default: []].append(s.offset ... e.offset)
        }
    }
}

func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    let constPointers = pointers.map { UnsafePointer<CChar>($0) }
    return constPointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
