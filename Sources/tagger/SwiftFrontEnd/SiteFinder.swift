import SwiftSyntax
import TaggerLexScan

/// One allocation site in a Swift syntax tree.
struct SyntaxSite {
    /// The expression that is (or will be) the whole body of `withAllocTag(&tag) { ... }`.
    var call: FunctionCallExprSyntax
    var callee: String
    var function: String
    /// The tag when the site is already wrapped exactly; nil otherwise.
    var tagName: String?
    /// The `&tag` expression of that wrapper, for renaming a duplicate.
    var tagReference: DeclReferenceExprSyntax?
}

/// Finds the sites listed in `AllocatorNames` plus constructions of configured types.
/// The same rules as `SwiftLexScan.site(at:)`, on the tree instead of tokens.
final class SiteFinder: SyntaxVisitor {
    let constructedTypes: Set<String>
    let isMainFile: Bool
    private(set) var sites: [SyntaxSite] = []

    init(constructedTypes: Set<String>, isMainFile: Bool) {
        self.constructedTypes = constructedTypes
        self.isMainFile = isMainFile
        super.init(viewMode: .sourceAccurate)
    }

    override func visit(_ node: FunctionCallExprSyntax) -> SyntaxVisitorContinueKind {
        if let callee = callee(of: node) {
            let (name, reference) = wrappingTag(of: node)
            sites.append(SyntaxSite(call: node, callee: callee,
                                    function: DeclarationNames.function(of: node, isMainFile: isMainFile),
                                    tagName: name, tagReference: reference))
        }
        return .visitChildren
    }

    func callee(of call: FunctionCallExprSyntax) -> String? {
        let called = call.calledExpression
        let firstLabel = call.arguments.first?.label?.text
        if let ref = called.as(DeclReferenceExprSyntax.self) {
            let name = ref.baseName.text
            if AllocatorNames.cFunctions.contains(name) { return name }
            if constructedTypes.contains(name) { return name }
            return nil
        }
        if let generic = called.as(GenericSpecializationExprSyntax.self),
           let ref = generic.expression.as(DeclReferenceExprSyntax.self), constructedTypes.contains(ref.baseName.text) {
            return ref.baseName.text
        }
        guard let member = called.as(MemberAccessExprSyntax.self) else { return nil }
        let name = member.declName.baseName.text
        let baseName = member.base.flatMap(typeName(of:))
        if member.base != nil && baseName == nil { return nil }
        switch name {
        case _ where AllocatorNames.cFunctions.contains(name):
            return baseName.map { AllocatorNames.cModules.contains($0) } == true ? name : nil
        case "allocate":
            guard let label = firstLabel, AllocatorNames.allocateLabels.contains(label) else { return nil }
            if let baseName, !AllocatorNames.isUnsafePointerType(baseName) { return nil }
            return (baseName ?? "") + ".allocate"
        case "create":
            guard firstLabel == "minimumCapacity" else { return nil }
            return (baseName ?? "") + ".create"
        case "init":
            if let baseName, constructedTypes.contains(baseName) { return baseName }
            return nil
        default:
            return nil
        }
    }

    /// `Name`, `Name<Args>`, `Swift.Name`: the type's name when it is spelled with a capital
    /// (or is a C module); nil when the base is some value.
    func typeName(of base: ExprSyntax) -> String? {
        var expr = base
        if let generic = expr.as(GenericSpecializationExprSyntax.self) { expr = generic.expression }
        if let qualified = expr.as(MemberAccessExprSyntax.self) {
            // A qualified type (`Swift.Name`, `_HashNode.Storage`): every part names a type or module.
            let name = qualified.declName.baseName.text
            guard qualified.declName.argumentNames == nil, AllocatorNames.isTypeName(name) else { return nil }
            var base = qualified.base
            while let member = base?.as(MemberAccessExprSyntax.self) {
                guard AllocatorNames.isTypeName(member.declName.baseName.text, leadingUnderscores: true) else { return nil }
                base = member.base
            }
            guard let root = base?.as(DeclReferenceExprSyntax.self),
                  AllocatorNames.isTypeName(root.baseName.text, leadingUnderscores: true) else { return nil }
            return name
        }
        guard let ref = expr.as(DeclReferenceExprSyntax.self) else { return nil }
        let name = ref.baseName.text
        if AllocatorNames.cModules.contains(name) { return name }
        return AllocatorNames.isTypeName(name) ? name : nil
    }

    /// `withAllocTag(&tag) { [try] call }` or `withAllocTag(&tag, { [try] call })`, the closure
    /// holding nothing but the call (a capture list is allowed: initializers need one).
    func wrappingTag(of call: FunctionCallExprSyntax) -> (String?, DeclReferenceExprSyntax?) {
        var node = Syntax(call)
        if let t = node.parent?.as(TryExprSyntax.self) { node = Syntax(t) }
        guard let item = node.parent?.as(CodeBlockItemSyntax.self), let list = item.parent?.as(CodeBlockItemListSyntax.self),
              list.count == 1, let closure = list.parent?.as(ClosureExprSyntax.self) else { return (nil, nil) }
        var hook: FunctionCallExprSyntax?
        if let outer = closure.parent?.as(FunctionCallExprSyntax.self), outer.trailingClosure?.id == closure.id {
            hook = outer
        } else if let labeled = closure.parent?.as(LabeledExprSyntax.self), labeled.label == nil,
                  let outer = labeled.parent?.parent?.as(FunctionCallExprSyntax.self), outer.arguments.count == 2,
                  outer.arguments.last?.id == labeled.id, outer.trailingClosure == nil {
            hook = outer
        }
        guard let hook, hook.calledExpression.as(DeclReferenceExprSyntax.self)?.baseName.text == AllocatorNames.hook,
              let first = hook.arguments.first, first.label == nil,
              let ref = first.expression.as(InOutExprSyntax.self)?.expression.as(DeclReferenceExprSyntax.self)
        else { return (nil, nil) }
        return (ref.baseName.text, ref)
    }
}
