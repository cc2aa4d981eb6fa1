import SwiftSyntax

/// The enclosing-function spelling shared with `SwiftLexScan` (see its documentation):
/// enclosing type names and the innermost function-like declaration, joined by dots.
enum DeclarationNames {
    static func function(of node: some SyntaxProtocol, isMainFile: Bool) -> String {
        var types: [String] = []
        var function: String?
        var current: Syntax? = node.parent
        while let n = current {
            if function == nil {
                if let f = n.as(FunctionDeclSyntax.self) {
                    // Operator parameters carry no argument labels, as subscript ones.
                    let isOperator = f.name.tokenKind.isOperator
                    function = strip(f.name.text) + labels(f.signature.parameterClause, isSubscript: isOperator)
                } else if let i = n.as(InitializerDeclSyntax.self) {
                    function = "init" + labels(i.signature.parameterClause, isSubscript: false)
                } else if n.is(DeinitializerDeclSyntax.self) {
                    function = "deinit"
                } else if let s = n.as(SubscriptDeclSyntax.self) {
                    function = "subscript" + labels(s.parameterClause, isSubscript: true)
                } else if let v = n.as(VariableDeclSyntax.self), isPropertyLevel(v, isMainFile: isMainFile),
                          let binding = v.bindings.first, let name = firstIdentifier(binding.pattern) {
                    function = name
                }
            }
            if let name = typeName(n) { types.append(name) }
            current = n.parent
        }
        if function == nil && (isMainFile || types.isEmpty) { return "main" }
        return (types.reversed() + [function].compactMap { $0 }).joined(separator: ".")
    }

    static func typeName(_ n: Syntax) -> String? {
        if let d = n.as(StructDeclSyntax.self) { return d.name.text }
        if let d = n.as(ClassDeclSyntax.self) { return d.name.text }
        if let d = n.as(EnumDeclSyntax.self) { return d.name.text }
        if let d = n.as(ActorDeclSyntax.self) { return d.name.text }
        if let d = n.as(ProtocolDeclSyntax.self) { return d.name.text }
        if let d = n.as(ExtensionDeclSyntax.self) { return dottedName(d.extendedType) }
        return nil
    }

    static func dottedName(_ type: TypeSyntax) -> String {
        if let m = type.as(MemberTypeSyntax.self) { return dottedName(m.baseType) + "." + strip(m.name.text) }
        if let i = type.as(IdentifierTypeSyntax.self) { return strip(i.name.text) }
        // `extension Element?`: the token scan sees the name before the `?`.
        if let o = type.as(OptionalTypeSyntax.self) { return dottedName(o.wrappedType) }
        if let o = type.as(ImplicitlyUnwrappedOptionalTypeSyntax.self) { return dottedName(o.wrappedType) }
        return type.trimmedDescription
    }

    /// A stored or computed property of a type, or a global outside `main.swift`: its
    /// initializer and accessors are named after it. Locals are not.
    static func isPropertyLevel(_ v: VariableDeclSyntax, isMainFile: Bool) -> Bool {
        guard let parent = v.parent else { return false }
        if parent.is(MemberBlockItemSyntax.self) { return true }
        // At file scope, also inside `#if` blocks (as the token scan, which does not see them).
        var item: Syntax? = parent
        while let i = item, i.is(CodeBlockItemSyntax.self) {
            guard let container = i.parent?.parent else { return false }
            if container.is(SourceFileSyntax.self) { return !isMainFile }
            guard container.is(IfConfigClauseSyntax.self) else { return false }
            item = container.parent?.parent?.parent  // clause list, #if decl, its code block item
        }
        return false
    }

    static func firstIdentifier(_ pattern: PatternSyntax) -> String? {
        if let i = pattern.as(IdentifierPatternSyntax.self) { return strip(i.identifier.text) }
        for token in pattern.tokens(viewMode: .sourceAccurate) where token.tokenKind.isIdentifier {
            return strip(token.text)
        }
        return nil
    }

    static func labels(_ clause: FunctionParameterClauseSyntax, isSubscript: Bool) -> String {
        let names = clause.parameters.map { p -> String in
            if isSubscript && p.secondName == nil { return "_" }
            return strip(p.firstName.text)
        }
        return "(" + names.map { "\($0):" }.joined() + ")"
    }

    static func strip(_ s: String) -> String {
        s.hasPrefix("`") && s.hasSuffix("`") && s.count >= 2 ? String(s.dropFirst().dropLast()) : s
    }
}

extension TokenKind {
    var isIdentifier: Bool { if case .identifier = self { return true } else { return false } }
    var isOperator: Bool {
        switch self {
        case .binaryOperator, .prefixOperator, .postfixOperator: return true
        default: return false
        }
    }
}
