import TaggerCore

/// An allocation site found by the token scan.
public struct LexSwiftSite: Sendable, Equatable {
    public var callee: String
    /// `Type.function(labels:)`, as both front ends spell it (see `SwiftLexScan`).
    public var function: String
    public var line: Int
    public var column: Int
    /// The tag of the `withAllocTag(&tag) { site }` that wraps exactly this site, if any.
    public var tagName: String?
}

/// A `withAllocTag(&name` reference: one static tag the build must declare.
public struct LexTagReference: Sendable, Equatable {
    public var name: String
    public var function: String
    /// Position of the first token of the wrapped expression (the site's own line); for a
    /// body's scope, of the `{` that opens the body (the declaration's line, as a rule).
    public var line: Int
    public var column: Int
    /// `AllocTagScope(&name)` at the top of a body rather than `withAllocTag(&name)` at a site.
    public var isScope = false
}

/// The Swift scan that runs on every build: no swift-syntax, one pass over tokens.
///
/// Function names follow one convention, shared with the swift-syntax front end: the enclosing
/// type names and the innermost function-like declaration joined by dots, the function with
/// its argument labels as `#function` prints them (`Pool.init(capacity:)`, `Pool.grow(by:)`,
/// `Pool.subscript(_:)`, `Pool.deinit`); a property's initializer and accessors are the
/// property's name (`Pool.storage`); closures take their enclosing function's name; code at
/// the top level of `main.swift` is `main`.
public enum SwiftLexScan {
    public struct Result: Sendable, Equatable {
        public var sites: [LexSwiftSite] = []
        public var references: [LexTagReference] = []
    }

    public static func scan(source: String, isMainFile: Bool, constructedTypes: Set<String>) -> Result {
        var scanner = Scanner(tokens: Lexer.tokenize(source, dialect: .swift), isMainFile: isMainFile,
                              constructedTypes: constructedTypes)
        return scanner.run()
    }

    private enum ScopeKind { case type(String), function(String), block }
    private struct Scope { var kind: ScopeKind; var savedDepth: Int }
    private struct Pending { var kind: ScopeKind; var depth: Int }

    private static let typeKeywords: Set<String> = ["class", "struct", "enum", "actor", "protocol", "extension"]
    private static let notTypeNames: Set<String> = [
        "func", "var", "let", "subscript", "init", "deinit", "static", "final", "override", "class",
        "private", "fileprivate", "internal", "public", "open", "convenience", "required", "mutating",
    ]
    /// Tokens after which `.name` is an implicit member expression, not a member of a value.
    private static let expressionStarters: Set<String> = [
        "(", ",", "=", ":", "{", "[", "return", "try", "await", "in", "?", "!", "&&", "||", "throw", "case",
    ]

    private struct Scanner {
        let t: [LexToken]
        let isMainFile: Bool
        let constructedTypes: Set<String>
        var stack: [Scope] = []
        var pending: Pending?
        var depth = 0
        var result = Result()

        init(tokens: [LexToken], isMainFile: Bool, constructedTypes: Set<String>) {
            self.t = tokens
            self.isMainFile = isMainFile
            self.constructedTypes = constructedTypes
        }

        func text(_ k: Int) -> String { k >= 0 && k < t.count ? t[k].text : "" }

        mutating func run() -> Result {
            var k = 0
            while k < t.count {
                let token = t[k]
                switch token.kind {
                case .punct:
                    switch token.text {
                    case "(", "[": depth += 1
                    case ")", "]": depth = max(0, depth - 1)
                    case "{":
                        if let p = pending, p.depth == depth {
                            stack.append(Scope(kind: p.kind, savedDepth: depth))
                            pending = nil
                        } else {
                            stack.append(Scope(kind: .block, savedDepth: depth))
                        }
                    case "}":
                        if let scope = stack.popLast() {
                            depth = scope.savedDepth
                            if case .block = scope.kind {} else { pending = nil }
                        }
                    default: break
                    }
                case .identifier:
                    declaration(at: k)
                    site(at: k)
                    reference(at: k)
                default: break
                }
                k += 1
            }
            return result
        }

        // MARK: Declarations and the current function

        mutating func declaration(at k: Int) {
            if text(k - 1) == "." { return }
            let word = text(k)
            switch word {
            case "func":
                pending = Pending(kind: .function(functionName(nameAt: k + 1, isSubscript: false)), depth: depth)
            case "init":
                pending = Pending(kind: .function(functionName(keyword: "init", after: k, isSubscript: false)), depth: depth)
            case "subscript":
                pending = Pending(kind: .function(functionName(keyword: "subscript", after: k, isSubscript: true)), depth: depth)
            case "deinit":
                pending = Pending(kind: .function("deinit"), depth: depth)
            case "var", "let":
                if isMainFile && stack.isEmpty { return }
                if let last = stack.last, case .type = last.kind {} else if !stack.isEmpty { return }
                var n = k + 1
                while text(n) == "(" { n += 1 }
                if n < t.count && t[n].kind == .identifier {
                    pending = Pending(kind: .function(stripBackticks(t[n].text)), depth: depth)
                }
            case "typealias", "associatedtype", "case", "import":
                if !inFunction { pending = nil }
            default:
                if SwiftLexScan.typeKeywords.contains(word), k + 1 < t.count, t[k + 1].kind == .identifier,
                   !SwiftLexScan.notTypeNames.contains(t[k + 1].text) {
                    var name = stripBackticks(t[k + 1].text)
                    var n = k + 2
                    // `extension Rope<Chunk>.Builder`: generic arguments are not part of the name.
                    if text(n) == "<", text(n - 2) == "extension" { n = skipBalanced(from: n, open: "<", close: ">") + 1 }
                    while text(n) == ".", n + 1 < t.count, t[n + 1].kind == .identifier {
                        name += "." + stripBackticks(t[n + 1].text)
                        n += 2
                        if text(n) == "<", text(k) == "extension" { n = skipBalanced(from: n, open: "<", close: ">") + 1 }
                    }
                    pending = Pending(kind: .type(name), depth: depth)
                }
            }
        }

        var inFunction: Bool {
            stack.contains { if case .function = $0.kind { return true } else { return false } }
        }

        func currentFunction() -> String {
            var types: [String] = []
            var function: String?
            for scope in stack {
                switch scope.kind {
                case .type(let name): types.append(name)
                case .function(let name): function = name
                case .block: break
                }
            }
            // A declaration whose body has not opened yet is the innermost one: a property's
            // initializer, or a default argument.
            if let p = pending, p.depth <= depth, case .function(let name) = p.kind { function = name }
            if function == nil && (isMainFile || types.isEmpty) { return "main" }
            return (types + [function].compactMap { $0 }).joined(separator: ".")
        }

        /// `name(label:label:)` for `func name<T>(a b: T, _ c: Int)`; the name may be an operator.
        func functionName(nameAt n: Int, isSubscript: Bool) -> String {
            guard n < t.count else { return "" }
            var name = stripBackticks(t[n].text)
            var k = n + 1
            if t[n].kind == .punct {
                while k < t.count, t[k].kind == .punct, t[k].start == t[k - 1].end, t[k].text != "(", t[k].text != "<" || name.isEmpty {
                    name += t[k].text
                    k += 1
                }
            }
            // Operator parameters carry no argument labels, as subscript ones.
            return name + labels(from: k, isSubscript: isSubscript || t[n].kind == .punct)
        }

        func functionName(keyword: String, after k: Int, isSubscript: Bool) -> String {
            var n = k + 1
            if text(n) == "?" || text(n) == "!" { n += 1 }
            return keyword + labels(from: n, isSubscript: isSubscript)
        }

        /// From just after the name: skips generic parameters, then reads the parameter clause.
        func labels(from start: Int, isSubscript: Bool) -> String {
            var k = start
            if text(k) == "<" { k = skipBalanced(from: k, open: "<", close: ">") + 1 }
            guard text(k) == "(" else { return "" }
            var labels: [String] = []
            var parameterTokens: [LexToken] = []
            var level = 0
            var sawColon = false
            k += 1
            while k < t.count {
                let s = t[k].text
                if t[k].kind == .punct && (s == "(" || s == "[" || s == "<" || s == "{") { level += 1 }
                let isArrow = s == ">" && k > 0 && t[k - 1].text == "-" && t[k - 1].end == t[k].start
                if t[k].kind == .punct && (s == ")" || s == "]" || s == ">" && !isArrow || s == "}") {
                    if level == 0 { break }
                    level -= 1
                }
                if level == 0 && s == "," {
                    labels.append(label(parameterTokens, isSubscript: isSubscript))
                    parameterTokens = []; sawColon = false
                } else if level == 0 && s == ":" {
                    sawColon = true
                } else if !sawColon && level == 0 {
                    parameterTokens.append(t[k])
                }
                k += 1
            }
            if !parameterTokens.isEmpty { labels.append(label(parameterTokens, isSubscript: isSubscript)) }
            return "(" + labels.map { "\($0):" }.joined() + ")"
        }

        func label(_ tokens: [LexToken], isSubscript: Bool) -> String {
            let names = tokens.filter { $0.kind == .identifier }.map { stripBackticks($0.text) }
            if isSubscript && names.count < 2 { return "_" }
            return names.first ?? "_"
        }

        func skipBalanced(from k: Int, open: String, close: String) -> Int {
            var level = 0
            var n = k
            while n < t.count {
                if t[n].text == open { level += 1 }
                if t[n].text == close { level -= 1; if level == 0 { return n } }
                n += 1
            }
            return t.count - 1
        }

        /// Index of the `<` that opens the generic arguments whose `>` is at `k`.
        func skipBalancedBack(from k: Int) -> Int? {
            var level = 0
            var n = k
            while n >= 0 {
                if t[n].text == ">" { level += 1 }
                if t[n].text == "<" { level -= 1; if level == 0 { return n } }
                if t[n].text == "{" || t[n].text == "}" || t[n].text == ";" { return nil }
                n -= 1
            }
            return nil
        }

        // MARK: Sites

        mutating func site(at k: Int) {
            let word = t[k].text
            guard text(k + 1) == "(" || text(k + 1) == "<" || text(k + 1) == "." else { return }
            var start = k
            var callee: String
            if AllocatorNames.cFunctions.contains(word) && text(k + 1) == "(" {
                if text(k - 1) == "func" { return }
                if text(k - 1) == "." {
                    guard AllocatorNames.cModules.contains(text(k - 2)) else { return }
                    start = k - 2
                }
                callee = word
            } else if (word == "allocate" || word == "create") && text(k - 1) == "." && text(k + 1) == "(" {
                let wanted: Set<String> = word == "allocate" ? AllocatorNames.allocateLabels : ["minimumCapacity"]
                guard wanted.contains(text(k + 2)), text(k + 3) == ":" else { return }
                guard let (baseStart, baseName) = base(beforeDot: k - 1) else { return }
                if word == "allocate", let name = baseName, !AllocatorNames.isUnsafePointerType(name) { return }
                start = baseStart
                callee = (baseName ?? "") + "." + word
            } else if constructedTypes.contains(word) {
                if text(k - 1) == "." || SwiftLexScan.typeKeywords.contains(text(k - 1)) || text(k - 1) == "func" { return }
                var n = k + 1
                if text(n) == "<" { n = skipBalanced(from: n, open: "<", close: ">") + 1 }
                if text(n) == "." && text(n + 1) == "init" { n += 2 }
                guard text(n) == "(" else { return }
                callee = word
            } else {
                return
            }
            var tagName: String?
            if let name = wrappingTag(start: start, open: openParen(after: k)) { tagName = name }
            result.sites.append(LexSwiftSite(callee: callee, function: currentFunction(), line: t[start].line,
                                             column: t[start].column, tagName: tagName))
        }

        func openParen(after k: Int) -> Int {
            var n = k + 1
            while n < t.count && t[n].text != "(" { n += 1 }
            return n
        }

        /// For `Type<Args>.member` returns where `Type` starts and its name; for an implicit
        /// `.member` the dot itself and nil; nil when `.member` is on some other value.
        func base(beforeDot dot: Int) -> (Int, String?)? {
            var j = dot - 1
            if j < 0 || SwiftLexScan.expressionStarters.contains(t[j].text) { return (dot, nil) }
            if t[j].text == ">" {
                guard let open = skipBalancedBack(from: j) else { return nil }
                j = open - 1
            }
            guard j >= 0, t[j].kind == .identifier, AllocatorNames.isTypeName(t[j].text) else { return nil }
            // A qualified type (`Swift.Name`, `_HashNode.Storage`): the site starts at its first part.
            var first = j
            while text(first - 1) == ".", first >= 2, t[first - 2].kind == .identifier,
                  AllocatorNames.isTypeName(t[first - 2].text, leadingUnderscores: true) {
                first -= 2
            }
            if text(first - 1) == "." { return nil }  // `value.Type.create`: qualified by a value
            return (first, t[j].text)
        }

        /// The tag of `withAllocTag(&tag) { [try] site }` when the closure holds exactly the site.
        func wrappingTag(start: Int, open: Int) -> String? {
            var b = start - 1
            if text(b) == "?" || text(b) == "!" { if text(b - 1) == "try" { b -= 2 } } else if text(b) == "try" { b -= 1 }
            if text(b) == "in", text(b - 1) == "]" {
                // A capture list, as initializers get: `{ [n = self.n] in site }`.
                var level = 0
                var n = b - 1
                while n >= 0 {
                    if t[n].text == "]" { level += 1 }
                    if t[n].text == "[" { level -= 1; if level == 0 { break } }
                    n -= 1
                }
                b = n - 1
            }
            guard text(b) == "{", text(b - 1) == ")" || text(b - 1) == ",", text(b - 3) == "&", text(b - 4) == "(",
                  text(b - 5) == AllocatorNames.hook, b - 2 >= 0, t[b - 2].kind == .identifier else { return nil }
            var e = skipBalanced(from: open, open: "(", close: ")") + 1
            if text(e) == "{" { e = skipBalanced(from: e, open: "{", close: "}") + 1 }
            guard text(e) == "}" else { return nil }
            if text(b - 1) == "," && text(e + 1) != ")" { return nil }
            return t[b - 2].text
        }

        // MARK: Tag references

        mutating func reference(at k: Int) {
            if scopeReference(at: k) { return }
            guard t[k].text == AllocatorNames.hook, text(k - 1) != "func", text(k + 1) == "(", text(k + 2) == "&",
                  k + 3 < t.count, t[k + 3].kind == .identifier else { return }
            let name = t[k + 3].text
            var body = k
            if (text(k + 4) == ")" || text(k + 4) == ","), text(k + 5) == "{" {
                var n = k + 6
                if text(n) == "[" { n = skipBalanced(from: n, open: "[", close: "]") + 1; if text(n) == "in" { n += 1 } }
                if text(n) == "try" { n += 1; if text(n) == "?" || text(n) == "!" { n += 1 } }
                if n < t.count, text(n) != "}" { body = n }
            }
            result.references.append(LexTagReference(name: name, function: currentFunction(), line: t[body].line,
                                                     column: t[body].column))
        }

        /// `let __allocScope = AllocTagScope(&name)`: the record's line is the body's `{` (for a
        /// closure, the `{` before its signature's `in`).
        mutating func scopeReference(at k: Int) -> Bool {
            guard AllocatorNames.scopeTypes.contains(t[k].text), text(k - 1) == "=", text(k - 2) == AllocatorNames.scopeVariable,
                  text(k - 3) == "let", text(k + 1) == "(", text(k + 2) == "&", k + 3 < t.count, t[k + 3].kind == .identifier
            else { return false }
            var brace = k - 4
            if text(brace) == "in" {
                var level = 0
                while brace > 0 {
                    brace -= 1
                    let s = text(brace)
                    if s == ")" || s == "]" || s == "}" { level += 1 }
                    if s == "(" || s == "[" || s == "{" {
                        if level == 0 { break }
                        level -= 1
                    }
                }
            }
            let anchor = brace >= 0 && text(brace) == "{" ? brace : k
            result.references.append(LexTagReference(name: t[k + 3].text, function: currentFunction(), line: t[anchor].line,
                                                     column: t[anchor].column, isScope: true))
            return true
        }
    }
}

func stripBackticks(_ s: String) -> String {
    s.hasPrefix("`") && s.hasSuffix("`") && s.count >= 2 ? String(s.dropFirst().dropLast()) : s
}
