import TaggerCore

/// A malloc-family call found by the C token scan.
public struct LexCSite: Sendable, Equatable {
    public var callee: String
    public var line: Int
    public var column: Int
    public var tagged: Bool
}

/// The C scan the build plugin falls back to when no libclang loads (it otherwise runs `tagger
/// check`'s libclang provider): no libclang, direct malloc-family calls only. It sees what is
/// spelled in the file (not what macros expand to); `tagger scan` (libclang) is the precise one.
///
/// A call is tagged when the file includes `alloc_tag/override.h` before it (every call of the
/// family becomes `alloc_hooks(...)`) or when it stands inside `alloc_hooks(` / `alloc_hooks_tag(`.
/// `_noprof` spellings are deliberately untagged helpers, not sites. A call in a `#define` body
/// is a site at its place in the body, used or not, as libclang's front end reports it (it
/// edits the body once); the macro's own name and parameters are not calls.
public enum CLexScan {
    static let hooks = Vocabulary.cHookMacros
    static let notCallPrefixes: Set<String> = ["return", "sizeof", "else", "do", "case"]

    public static func scan(source: String) -> [LexCSite] {
        let file = SourceFile(text: source)
        var sites: [LexCSite] = []
        var overrideIncluded = false
        calls(in: Lexer.tokenize(file, dialect: .c), file: file, overrideIncluded: &overrideIncluded, into: &sites)
        return sites
    }

    /// The family's calls among `t`, in order. `t` is the file's tokens (directives whole: a
    /// directive is never a call, but a `#define`'s body is read here) or a macro body's.
    private static func calls(in t: [LexToken], file: SourceFile, overrideIncluded: inout Bool, into sites: inout [LexCSite]) {
        var parens: [Bool] = []  // per open paren: is it a hook's argument list
        func text(_ k: Int) -> String { k >= 0 && k < t.count ? t[k].text : "" }
        for k in t.indices {
            let token = t[k]
            switch token.kind {
            case .directive:
                if token.text.contains("include"), token.text.contains("alloc_tag/override.h") { overrideIncluded = true }
                if let body = macroBody(token, in: file) {
                    calls(in: body, file: file, overrideIncluded: &overrideIncluded, into: &sites)
                }
            case .punct where token.text == "(":
                parens.append(hooks.contains(text(k - 1)))
            case .punct where token.text == ")":
                _ = parens.popLast()
            case .identifier where AllocatorNames.cFunctions.contains(token.text) && text(k + 1) == "(":
                if text(k - 1) == "." || (text(k - 1) == ">" && text(k - 2) == "-") { continue }
                if k > 0, t[k - 1].kind == .identifier, !notCallPrefixes.contains(text(k - 1)) { continue }
                if text(k - 1) == "*", k > 1, t[k - 2].kind == .identifier || text(k - 2) == "*" { continue }
                sites.append(LexCSite(callee: token.text, line: token.line, column: token.column,
                                      tagged: overrideIncluded || parens.contains(true)))
            default:
                break
            }
        }
    }

    /// The tokens of a `#define`'s replacement list (after the name and, for a function-like
    /// macro, its parameter list); nil for any other directive.
    static func macroBody(_ directive: LexToken, in file: SourceFile) -> [LexToken]? {
        guard directive.text.contains("define") else { return nil }
        let t = Lexer.tokenize(file, dialect: .c, in: directive.start ..< directive.end, directives: .split)
        guard t.count > 3, t[0].text == "#", t[1].text == "define", t[2].kind == .identifier else { return nil }
        var k = 3
        // Function-like: `(` right after the name, no space between.
        if t[k].text == "(", t[k].start == t[2].end {
            var depth = 0
            while k < t.count {
                if t[k].text == "(" { depth += 1 } else if t[k].text == ")" { depth -= 1; if depth == 0 { break } }
                k += 1
            }
            k += 1
        }
        return k < t.count ? Array(t[k...]) : []
    }
}
