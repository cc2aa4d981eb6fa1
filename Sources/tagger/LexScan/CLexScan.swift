import TaggerCore

/// A malloc-family call found by the C token scan.
public struct LexCSite: Sendable, Equatable {
    public var callee: String
    public var line: Int
    public var column: Int
    public var tagged: Bool
}

/// The C scan the build plugin runs on a C target's sources: no libclang, so it is cheap enough
/// for every build. It sees what is spelled in the file (not what macros expand to), which is
/// what a warning at the user's own line needs; `tagger scan` (libclang) is the precise one.
///
/// A call is tagged when the file includes `alloc_tag/override.h` before it (every call of the
/// family becomes `alloc_hooks(...)`) or when it stands inside `alloc_hooks(` / `alloc_hooks_tag(`.
/// `_noprof` spellings are deliberately untagged helpers, not sites.
public enum CLexScan {
    static let hooks = Vocabulary.cHookMacros
    static let notCallPrefixes: Set<String> = ["return", "sizeof", "else", "do", "case"]

    public static func scan(source: String) -> [LexCSite] {
        let t = Lexer.tokenize(source, dialect: .c)
        var sites: [LexCSite] = []
        var overrideIncluded = false
        var parens: [Bool] = []  // per open paren: is it a hook's argument list
        func text(_ k: Int) -> String { k >= 0 && k < t.count ? t[k].text : "" }
        for k in t.indices {
            let token = t[k]
            switch token.kind {
            case .directive:
                if token.text.contains("include"), token.text.contains("alloc_tag/override.h") { overrideIncluded = true }
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
        return sites
    }
}
