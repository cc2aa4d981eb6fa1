import SwiftSyntax
import TaggerLexScan

/// A body that gets (or has) a scope: `let __allocScope = AllocTagScope(&tag); defer { ... }`
/// as its first line, so the implicit allocations of the body are charged to its declaration.
struct BodyScope {
    enum Kind: String { case function, closure }
    var kind: Kind
    /// `Type.function(labels:)`, as for sites (`DeclarationNames`); closures take their
    /// enclosing declaration's name.
    var function: String
    /// The `{` that opens the body: the tag record's line.
    var leftBrace: TokenSyntax
    /// Where the scope line goes: after `{`, or after a closure's `in`.
    var insertAfter: TokenSyntax
    var statements: CodeBlockItemListSyntax
    /// The items that return the body's value implicitly and need `return` once the scope line
    /// makes the body two statements (`implicitReturns`).
    var returns: [CodeBlockItemSyntax]
    /// An async body: the tag must follow the task (`AllocTagTaskScope`), not the thread.
    var isAsync: Bool
    /// The existing scope's tag reference, when the body is already scoped.
    var existing: DeclReferenceExprSyntax?
}

/// Finds the bodies `annotate` scopes. Not scoped: bodies where nothing can allocate (no
/// call, literal array or dictionary, interpolation or closure: trivial accessors among
/// them), single-expression closures (their enclosing body's scope covers them; not a `Task { }`
/// body, which runs later in a task of its own), and any
/// declaration or closure with an `alloctag:no-scope` comment (the user's choice). Bodies that
/// can allocate but cannot take a scope are listed in `unscoped` with the reason, never
/// skipped silently: coroutine accessors (`_read`, `_modify`, `read`, `modify`: the scope
/// would stay current across `yield`, charging the caller's code), Swift 6.4's `borrow` and
/// `mutate` accessors (the body is the reference returned), result-builder bodies
/// (a declaration is no component), closures given to task groups (a task-local cannot be
/// bound there).
///
/// `@inlinable`, `@_alwaysEmitIntoClient` and `@_transparent` bodies are scoped like any
/// other: the generated tags are `@usableFromInline` (`SwiftTagFile`) and `AllocTagScope` is
/// public and inlinable, so the scope line may be inlined, and specialised, into a client
/// module, where it still names the defining module's tag: the client's allocations in that
/// code are charged to the library's line.
final class ScopeFinder: SyntaxVisitor {
    /// A body that can allocate and gets no scope, and why.
    struct Unscoped {
        var function: String
        var leftBrace: TokenSyntax
        var reason: String
    }

    let isMainFile: Bool
    private(set) var scopes: [BodyScope] = []
    private(set) var unscoped: [Unscoped] = []

    init(isMainFile: Bool) {
        self.isMainFile = isMainFile
        super.init(viewMode: .sourceAccurate)
    }

    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind {
        guard let body = node.body, !optedOut(node.attributes, Syntax(node)) else { return .visitChildren }
        let returnType = node.signature.returnClause?.type.trimmedDescription
        let returnsValue = returnType != nil && !["Void", "()", "Never", "Swift.Void"].contains(returnType!)
        add(.function, body: body.leftBrace, after: body.leftBrace, body.statements, returnsValue: returnsValue,
            isAsync: node.signature.effectSpecifiers?.asyncSpecifier != nil)
        return .visitChildren
    }

    override func visit(_ node: InitializerDeclSyntax) -> SyntaxVisitorContinueKind {
        guard let body = node.body, !optedOut(node.attributes, Syntax(node)) else { return .visitChildren }
        add(.function, body: body.leftBrace, after: body.leftBrace, body.statements, returnsValue: false,
            isAsync: node.signature.effectSpecifiers?.asyncSpecifier != nil)
        return .visitChildren
    }

    override func visit(_ node: DeinitializerDeclSyntax) -> SyntaxVisitorContinueKind {
        guard let body = node.body, !optedOut(node.attributes, Syntax(node)) else { return .visitChildren }
        add(.function, body: body.leftBrace, after: body.leftBrace, body.statements, returnsValue: false, isAsync: false)
        return .visitChildren
    }

    override func visit(_ node: AccessorDeclSyntax) -> SyntaxVisitorContinueKind {
        guard let body = node.body, !optedOut(node.attributes, Syntax(node)) else { return .visitChildren }
        let kind = node.accessorSpecifier.text
        guard ["get", "set", "willSet", "didSet", "init"].contains(kind) else {
            if ["_read", "_modify", "read", "modify"].contains(kind) {
                skip(body.leftBrace, body.statements, reason: "a '\(kind)' coroutine accessor: a scope would stay current across "
                     + "'yield' and charge the caller's code to this line; its callees' scopes still apply")
            } else if ["borrow", "mutate"].contains(kind) {
                skip(body.leftBrace, body.statements, reason: "a '\(kind)' accessor: its body is the storage reference it "
                     + "returns, no statement may come first; its callees' scopes still apply")
            }
            return .visitChildren
        }
        add(.function, body: body.leftBrace, after: body.leftBrace, body.statements, returnsValue: kind == "get",
            isAsync: node.effectSpecifiers?.asyncSpecifier != nil)
        return .visitChildren
    }

    /// `var x: T { expr }` and `subscript(i: Int) -> T { expr }`: a getter without `get`.
    override func visit(_ node: AccessorBlockSyntax) -> SyntaxVisitorContinueKind {
        guard case .getter(let statements) = node.accessors else { return .visitChildren }
        if let owner = node.parent?.as(PatternBindingSyntax.self)?.parent?.parent?.as(VariableDeclSyntax.self),
           optedOut(owner.attributes, Syntax(owner)) { return .visitChildren }
        if let owner = node.parent?.as(SubscriptDeclSyntax.self), optedOut(owner.attributes, Syntax(owner)) {
            return .visitChildren
        }
        add(.function, body: node.leftBrace, after: node.leftBrace, statements, returnsValue: true, isAsync: false)
        return .visitChildren
    }

    override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind {
        // A task's body runs later in a task of its own, where the creator's thread scope is
        // not current (and a detached task inherits no task scope): even one expression needs
        // its own scope there, or its allocations are charged to whatever runs the task.
        let taskBody = ScopeFinder.isTaskBody(node)
        guard node.statements.count >= 2 || taskBody, !hasMarker(Syntax(node.statements)) else { return .visitChildren }
        if let call = node.parent?.as(FunctionCallExprSyntax.self) ?? node.parent?.parent?.parent?.as(FunctionCallExprSyntax.self),
           let name = call.calledExpression.as(DeclReferenceExprSyntax.self)?.baseName.text,
           name.hasPrefix("with") && name.hasSuffix("TaskGroup") || name == AllocatorNames.hook {
            if name != AllocatorNames.hook {
                skip(node.leftBrace, node.statements, reason: "a closure given to '\(name)': a task-local cannot be bound "
                     + "there; the enclosing body's scope covers it")
            }
            return .visitChildren
        }
        let isAsync = node.signature?.effectSpecifiers?.asyncSpecifier != nil || containsAwait(node.statements)
        // A task body's one expression is its value, unless it is an assignment (a Void).
        let returnsValue = taskBody && !(node.statements.first.map { ScopeFinder.isAssignment($0.item) } ?? false)
        add(.closure, body: node.leftBrace, after: node.signature?.inKeyword ?? node.leftBrace, node.statements,
            returnsValue: returnsValue, isAsync: isAsync)
        return .visitChildren
    }

    /// `a = b`, `_ = f()`, `a += b` (the parser leaves operators unfolded in a sequence).
    static func isAssignment(_ item: CodeBlockItemSyntax.Item) -> Bool {
        guard let sequence = item.as(SequenceExprSyntax.self) else { return false }
        return sequence.elements.contains { element in
            if element.is(AssignmentExprSyntax.self) { return true }
            guard let op = element.as(BinaryOperatorExprSyntax.self)?.operator.text else { return false }
            return op.hasSuffix("=") && !["==", "!=", "<=", ">=", "===", "!=="].contains(op)
        }
    }

    /// The operation of `Task { }`, `Task<T, E> { }`, `Task(priority:) { }` or
    /// `Task.detached { }` (and `immediate`, `immediateDetached`), trailing or as an argument.
    static func isTaskBody(_ node: ClosureExprSyntax) -> Bool {
        guard let call = node.parent?.as(FunctionCallExprSyntax.self) ?? node.parent?.parent?.parent?.as(FunctionCallExprSyntax.self)
        else { return false }
        func isTask(_ expression: ExprSyntax) -> Bool {
            let base = expression.as(GenericSpecializationExprSyntax.self)?.expression ?? expression
            return base.as(DeclReferenceExprSyntax.self)?.baseName.text == "Task"
        }
        if isTask(call.calledExpression) { return true }
        guard let member = call.calledExpression.as(MemberAccessExprSyntax.self), let base = member.base else { return false }
        return isTask(base) && ["detached", "immediate", "immediateDetached"].contains(member.declName.baseName.text)
    }

    // MARK: Rules

    private func add(_ kind: BodyScope.Kind, body leftBrace: TokenSyntax, after: TokenSyntax, _ statements: CodeBlockItemListSyntax,
                     returnsValue: Bool, isAsync: Bool) {
        if let builder = insideResultBuilder(Syntax(statements)) {
            skip(leftBrace, statements, reason: "a '@\(builder)' result-builder body: a declaration is no component")
            return
        }
        let existing = ScopeFinder.existingScope(statements)
        if existing == nil {
            guard canAllocate(Syntax(statements)) else { return }
            if ScopeFinder.mayCompileEmpty(statements) {
                skip(leftBrace, statements, reason: "all of its code is under '#if' and some configuration compiles none of "
                     + "it (a debug-only check): there the scope line would be a 'defer' ending an empty body, a compiler warning")
                return
            }
            if statements.count == 1, let only = statements.first, only.item.is(ExprSyntax.self) {
                if ScopeFinder.isNeverCall(only.item) { return }
            }
        }
        scopes.append(BodyScope(kind: kind, function: DeclarationNames.function(of: statements, isMainFile: isMainFile),
                                leftBrace: leftBrace, insertAfter: after, statements: statements,
                                returns: existing == nil && returnsValue ? ScopeFinder.implicitReturns(statements) : [],
                                isAsync: isAsync, existing: existing))
    }

    /// The items a body returns implicitly: its only item when that is a value, or, when the
    /// body is one `#if` block, each clause's only value item (recursively), as in
    /// `{ #if compiler(>=6.3) f() #else g() #endif }`; a `Never` call returns nothing.
    static func implicitReturns(_ statements: CodeBlockItemListSyntax) -> [CodeBlockItemSyntax] {
        guard statements.count == 1, let only = statements.first else { return [] }
        if let block = only.item.as(IfConfigDeclSyntax.self) {
            return block.clauses.flatMap { clause -> [CodeBlockItemSyntax] in
                guard case .statements(let list)? = clause.elements else { return [] }
                return implicitReturns(list)
            }
        }
        return isImplicitReturnValue(only.item) && !isNeverCall(only.item) && !isDiagnosticDirective(only.item) ? [only] : []
    }

    /// Whether some configuration compiles the body to no statement: every item is an `#if`
    /// block without `#else`, or with a clause that is empty (or, nested, may be). Such bodies
    /// are `#if DEBUG` checks (swift-collections' `ensureMutable()`, `assertMutable()`).
    static func mayCompileEmpty(_ statements: CodeBlockItemListSyntax) -> Bool {
        !statements.isEmpty && statements.allSatisfy { item in
            guard let block = item.item.as(IfConfigDeclSyntax.self) else { return false }
            let hasElse = block.clauses.contains { $0.poundKeyword.tokenKind == .poundElse }
            return !hasElse || block.clauses.contains { clause in
                guard case .statements(let list)? = clause.elements else { return true }
                return list.isEmpty || mayCompileEmpty(list)
            }
        }
    }

    /// `#error("...")` and `#warning("...")`: compile-time diagnostics, neither a value nor an allocation.
    static func isDiagnosticDirective(_ node: some SyntaxProtocol) -> Bool {
        guard let macro = node.as(MacroExpansionExprSyntax.self) else { return false }
        return ["error", "warning"].contains(macro.macroName.text)
    }

    /// Whether a body's only item is the value it returns without `return`: an expression, or
    /// (Swift 5.9) an `if`/`switch` expression, which the parser files as a statement. Such a
    /// body needs `return` once the scope line makes it two statements.
    static func isImplicitReturnValue(_ item: CodeBlockItemSyntax.Item) -> Bool {
        if item.is(ExprSyntax.self) { return true }
        guard let expression = item.as(StmtSyntax.self)?.as(ExpressionStmtSyntax.self)?.expression else { return false }
        return isValueBranching(expression)
    }

    /// An `if` with an `else` or a `switch` whose every branch is one expression (the rule for
    /// `if`/`switch` expressions); a branch with `return` or several statements makes it a statement.
    private static func isValueBranching(_ expression: ExprSyntax) -> Bool {
        func isValueBranch(_ items: CodeBlockItemListSyntax) -> Bool {
            guard items.count == 1, let item = items.first?.item else { return false }
            if let inner = item.as(StmtSyntax.self)?.as(ExpressionStmtSyntax.self)?.expression { return isValueBranching(inner) }
            return item.is(ExprSyntax.self)
        }
        if let ifExpr = expression.as(IfExprSyntax.self) {
            guard isValueBranch(ifExpr.body.statements), let elseBody = ifExpr.elseBody else { return false }
            switch elseBody {
            case .ifExpr(let next): return isValueBranching(ExprSyntax(next))
            case .codeBlock(let block): return isValueBranch(block.statements)
            }
        }
        if let switchExpr = expression.as(SwitchExprSyntax.self) {
            return !switchExpr.cases.isEmpty && switchExpr.cases.allSatisfy { element in
                guard let switchCase = element.as(SwitchCaseSyntax.self) else { return false }
                return isValueBranch(switchCase.statements)
            }
        }
        return false
    }

    /// `let __allocScope = AllocTagScope(&tag)` as the first statement: its tag.
    static func existingScope(_ statements: CodeBlockItemListSyntax) -> DeclReferenceExprSyntax? {
        guard let decl = statements.first?.item.as(VariableDeclSyntax.self), let binding = decl.bindings.first,
              binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text == AllocatorNames.scopeVariable,
              let call = binding.initializer?.value.as(FunctionCallExprSyntax.self),
              let type = call.calledExpression.as(DeclReferenceExprSyntax.self), AllocatorNames.scopeTypes.contains(type.baseName.text)
        else { return nil }
        return call.arguments.first?.expression.as(InOutExprSyntax.self)?.expression.as(DeclReferenceExprSyntax.self)
    }

    static func isNeverCall(_ item: some SyntaxProtocol) -> Bool {
        guard let call = item.as(FunctionCallExprSyntax.self),
              let name = call.calledExpression.as(DeclReferenceExprSyntax.self)?.baseName.text else { return false }
        return ["fatalError", "preconditionFailure", "abort", "exit"].contains(name)
    }

    /// The user's `alloctag:no-scope` comment (result builders are `add`'s, with a finding).
    private func optedOut(_ attributes: AttributeListSyntax, _ decl: Syntax) -> Bool {
        hasMarker(decl)
    }

    /// The marker in a comment before the declaration (or before a closure's first statement).
    private func hasMarker(_ node: Syntax) -> Bool {
        node.leadingTrivia.contains { piece in
            switch piece {
            case .lineComment(let text), .blockComment(let text), .docLineComment(let text), .docBlockComment(let text):
                return text.contains(AllocatorNames.noScopeMarker)
            default: return false
            }
        }
    }

    /// The result-builder attribute of an enclosing declaration, if any.
    private func insideResultBuilder(_ node: Syntax) -> String? {
        var current = node.parent
        while let n = current {
            if let attributes = n.asProtocol(WithAttributesSyntax.self)?.attributes, !n.is(ClosureExprSyntax.self) {
                for element in attributes {
                    let name = element.as(AttributeSyntax.self)?.attributeName.trimmedDescription ?? ""
                    if name.hasSuffix("Builder") { return name }
                }
            }
            current = n.parent
        }
        return nil
    }

    /// Lists a body that can allocate but gets no scope (one that cannot allocate needs none).
    private func skip(_ leftBrace: TokenSyntax, _ statements: CodeBlockItemListSyntax, reason: String) {
        guard ScopeFinder.existingScope(statements) == nil, canAllocate(Syntax(statements)) else { return }
        unscoped.append(Unscoped(function: DeclarationNames.function(of: statements, isMainFile: isMainFile),
                                 leftBrace: leftBrace, reason: reason))
    }

    private func containsAwait(_ node: CodeBlockItemListSyntax) -> Bool {
        final class Awaits: SyntaxVisitor {
            var found = false
            override func visit(_ node: AwaitExprSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
            override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
            // `async let` is awaited implicitly where its scope ends, even with no `await` written.
            override func visit(_ node: VariableDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.modifiers.contains(where: { $0.name.text == "async" }) { found = true }
                return .visitChildren
            }
            override func visit(_ node: ForStmtSyntax) -> SyntaxVisitorContinueKind {
                if node.awaitKeyword != nil { found = true }
                return .visitChildren
            }
        }
        let awaits = Awaits(viewMode: .sourceAccurate)
        awaits.walk(node)
        return awaits.found
    }

    /// Anything that may allocate: a call (initializers and methods alike), an array or
    /// dictionary literal, a string interpolation, a closure, a macro.
    private func canAllocate(_ node: Syntax) -> Bool {
        final class Allocations: SyntaxVisitor {
            var found = false
            override func visit(_ node: FunctionCallExprSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
            override func visit(_ node: ArrayExprSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
            override func visit(_ node: DictionaryExprSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
            override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
            override func visit(_ node: MacroExpansionExprSyntax) -> SyntaxVisitorContinueKind {
                if !ScopeFinder.isDiagnosticDirective(node) { found = true }
                return .skipChildren
            }
            override func visit(_ node: ExpressionSegmentSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
            override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
            /// An `#if` condition (`_pointerBitWidth(_64)`, `compiler(>=6.3)`) is no call: only the clause's code counts.
            override func visit(_ node: IfConfigClauseSyntax) -> SyntaxVisitorContinueKind {
                if let elements = node.elements { walk(elements) }
                return .skipChildren
            }
        }
        let allocations = Allocations(viewMode: .sourceAccurate)
        allocations.walk(node)
        return allocations.found
    }
}
