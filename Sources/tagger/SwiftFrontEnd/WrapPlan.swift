import SwiftSyntax
import TaggerLexScan

/// How one untagged site is wrapped, or why it cannot be.
struct WrapPlan {
    /// Write `withAllocTag(&tag, { ... })`: a trailing closure would end an `if`/`guard`/
    /// `while` condition, a `for` sequence or a `switch` subject.
    var parenthesized = false
    /// `try ` inside the closure: the site is under a `try` and may throw itself.
    var innerTry = false
    /// `try ` before `withAllocTag`: the site holds a `try` of its own and nothing outside covers it.
    var outerTry = false
    /// Stored properties read inside an initializer, captured by value (`[n = self.n] in`)
    /// because a closure may not capture a partly initialized `self`.
    var captures: [String] = []
    /// `self.name` spellings inside the site to respell as the captured `name`.
    var selfReads: [MemberAccessExprSyntax] = []
    /// Set when the site cannot be wrapped; says what the user can do.
    var refusal: String?
}

enum WrapPlanner {
    static func plan(for call: FunctionCallExprSyntax, captureSelf: Bool) -> WrapPlan {
        var plan = WrapPlan()
        let body = Syntax(call)
        if contains(body, where: { $0.is(AwaitExprSyntax.self) }) {
            plan.refusal = "the allocation contains 'await' and withAllocTag's body is synchronous; "
                + "bind the awaited value to a local first, then annotate again"
            return plan
        }
        plan.parenthesized = isInStatementCondition(call)
        let covered = isCoveredByTry(call)
        let innerTries = contains(body) { $0.as(TryExprSyntax.self).map { $0.questionOrExclamationMark == nil } ?? false }
        if covered {
            let immediate = call.parent?.is(TryExprSyntax.self) == true
            let mayThrow = !AllocatorNames.cFunctions.contains(calleeName(call)) && immediate
            plan.innerTry = !innerTries && (mayThrow || containsOtherCall(call))
        } else if innerTries {
            plan.outerTry = true
        }
        if captureSelf { planCaptures(call, into: &plan) }
        return plan
    }

    static func calleeName(_ call: FunctionCallExprSyntax) -> String {
        if let ref = call.calledExpression.as(DeclReferenceExprSyntax.self) { return ref.baseName.text }
        if let m = call.calledExpression.as(MemberAccessExprSyntax.self) { return m.declName.baseName.text }
        return ""
    }

    /// Whether `node`'s subtree has a match, not looking into nested closures (their bodies
    /// are separate contexts for `try` and `await`).
    static func contains(_ node: Syntax, where match: (Syntax) -> Bool) -> Bool {
        if match(node) { return true }
        for child in node.children(viewMode: .sourceAccurate) where !child.is(ClosureExprSyntax.self) {
            if contains(child, where: match) { return true }
        }
        return false
    }

    static func containsOtherCall(_ call: FunctionCallExprSyntax) -> Bool {
        for child in call.children(viewMode: .sourceAccurate) where child.id != call.calledExpression.id {
            let found = contains(child) { node in
                if let c = node.as(FunctionCallExprSyntax.self) {
                    let name = calleeName(c)
                    return !AllocatorNames.cFunctions.contains(name) && name != AllocatorNames.hook
                }
                return node.is(SubscriptCallExprSyntax.self) || node.is(MacroExpansionExprSyntax.self)
            }
            if found { return true }
        }
        return false
    }

    static func isStatementBoundary(_ n: Syntax) -> Bool {
        n.is(CodeBlockItemSyntax.self) || n.is(MemberBlockItemSyntax.self) || n.is(ClosureExprSyntax.self)
            || n.is(AccessorBlockSyntax.self) || n.is(CodeBlockSyntax.self)
    }

    static func isCoveredByTry(_ call: FunctionCallExprSyntax) -> Bool {
        var current = call.parent
        while let n = current, !isStatementBoundary(n) {
            if n.is(TryExprSyntax.self) { return true }
            current = n.parent
        }
        return false
    }

    static func isInStatementCondition(_ call: FunctionCallExprSyntax) -> Bool {
        var child = Syntax(call)
        var current = call.parent
        while let n = current, !isStatementBoundary(n) {
            if n.is(ConditionElementSyntax.self) { return true }
            if let f = n.as(ForStmtSyntax.self), f.sequence.id == child.id { return true }
            if let s = n.as(SwitchExprSyntax.self), s.subject.id == child.id { return true }
            child = n
            current = n.parent
        }
        return false
    }

    // MARK: Initializers

    static func enclosingInitializer(_ node: some SyntaxProtocol) -> InitializerDeclSyntax? {
        var current = node.parent
        while let n = current {
            if let i = n.as(InitializerDeclSyntax.self) { return i }
            if n.is(FunctionDeclSyntax.self) || n.is(AccessorDeclSyntax.self) || n.is(DeinitializerDeclSyntax.self)
                || n.is(SubscriptDeclSyntax.self) || n.is(VariableDeclSyntax.self) && n.parent?.is(MemberBlockItemSyntax.self) == true {
                return nil
            }
            current = n.parent
        }
        return nil
    }

    static func storedPropertyNames(around initializer: InitializerDeclSyntax) -> Set<String> {
        var current = initializer.parent
        while let n = current {
            if let members = n.as(MemberBlockSyntax.self) {
                var names: Set<String> = []
                for item in members.members {
                    guard let v = item.decl.as(VariableDeclSyntax.self),
                          !v.modifiers.contains(where: { $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class) })
                    else { continue }
                    for b in v.bindings { if let name = DeclarationNames.firstIdentifier(b.pattern) { names.insert(name) } }
                }
                return names
            }
            current = n.parent
        }
        return []
    }

    /// Names that hide a stored property inside the initializer: its parameters, its locals,
    /// closure parameters, and the captures of closures around the site.
    static func shadowingNames(_ initializer: InitializerDeclSyntax, site: FunctionCallExprSyntax) -> Set<String> {
        var names: Set<String> = []
        for p in initializer.signature.parameterClause.parameters {
            names.insert(DeclarationNames.strip((p.secondName ?? p.firstName).text))
        }
        final class Locals: SyntaxVisitor {
            var names: Set<String> = []
            override func visit(_ node: IdentifierPatternSyntax) -> SyntaxVisitorContinueKind {
                names.insert(DeclarationNames.strip(node.identifier.text)); return .visitChildren
            }
            override func visit(_ node: ClosureShorthandParameterSyntax) -> SyntaxVisitorContinueKind {
                names.insert(node.name.text); return .visitChildren
            }
            override func visit(_ node: ClosureParameterSyntax) -> SyntaxVisitorContinueKind {
                names.insert((node.secondName ?? node.firstName).text); return .visitChildren
            }
            override func visit(_ node: ClosureCaptureSyntax) -> SyntaxVisitorContinueKind {
                names.insert(node.name.text)
                return .visitChildren
            }
        }
        if let body = initializer.body {
            let locals = Locals(viewMode: .sourceAccurate)
            locals.walk(body)
            names.formUnion(locals.names)
        }
        return names
    }

    static func planCaptures(_ call: FunctionCallExprSyntax, into plan: inout WrapPlan) {
        guard let initializer = enclosingInitializer(call) else { return }
        let stored = storedPropertyNames(around: initializer)
        let shadowing = shadowingNames(initializer, site: call)
        var captures: [String] = []
        var selfReads: [MemberAccessExprSyntax] = []
        var bareShadowed: Set<String> = []
        var selfComplete = false
        var writesSelf = false
        func visit(_ node: Syntax) {
            if let m = node.as(MemberAccessExprSyntax.self), m.base?.as(DeclReferenceExprSyntax.self)?.baseName.tokenKind == .keyword(.self) {
                if m.parent?.as(FunctionCallExprSyntax.self)?.calledExpression.id == m.id {
                    selfComplete = true
                } else if m.parent?.is(InOutExprSyntax.self) == true {
                    writesSelf = true
                } else {
                    let name = m.declName.baseName.text
                    if !captures.contains(name) { captures.append(name) }
                    selfReads.append(m)
                }
                return
            }
            if let ref = node.as(DeclReferenceExprSyntax.self) {
                let name = ref.baseName.text
                if ref.baseName.tokenKind == .keyword(.self) {
                    selfComplete = true
                } else if shadowing.contains(name) {
                    bareShadowed.insert(name)
                } else if stored.contains(name), ref.parent?.is(MemberAccessExprSyntax.self) != true || ref.parent?.as(MemberAccessExprSyntax.self)?.base?.id == ref.id {
                    if ref.parent?.is(InOutExprSyntax.self) == true { writesSelf = true }
                    if !captures.contains(name) { captures.append(name) }
                }
                return
            }
            for child in node.children(viewMode: .sourceAccurate) { visit(child) }
        }
        visit(Syntax(call))
        // A method call or a bare `self` compiles only once `self` is complete, and then a
        // plain closure may capture it.
        if selfComplete || captures.isEmpty { return }
        if writesSelf {
            plan.refusal = "the allocation writes to a property of self inside an initializer, which a closure cannot "
                + "capture before self is initialized; allocate into a local, then assign it"
            return
        }
        if let clash = captures.first(where: { bareShadowed.contains($0) }) {
            plan.refusal = "the allocation reads both self.\(clash) and a local '\(clash)' inside an initializer; "
                + "rename the local, then annotate again"
            return
        }
        plan.captures = captures
        plan.selfReads = selfReads
    }
}
