import Foundation
@_spi(ExperimentalLanguageFeatures) import SwiftParser
import SwiftSyntax
import TaggerCore
import TaggerLexScan

/// The Swift front end: finds allocation sites with swift-syntax and wraps each in
/// `withAllocTag(&tag) { ... }` with a tag of its own, named by `TagNaming`.
///
/// The tags themselves are declared by the build plugin (`alloctag-gen`) in a generated file
/// of the same module: a file-scope global is the one kind of static that works in generic
/// functions, extensions of generic types and closures alike.
public enum SwiftFrontEnd {
    public struct ParseError: Error, CustomStringConvertible {
        public var location: TaggerCore.SourceLocation
        public var message: String
        public var description: String {
            "\(location.description): error: \(message); fix the syntax error, then run tagger again [\(Rules.parseError.id)]"
        }
    }

    public struct Annotation: Sendable {
        /// The rewritten source (equal to the input when nothing changed).
        public var source: String
        /// Sites wrapped by this run.
        public var wrapped: Int
        /// Wrapped sites whose duplicated or foreign tag name was replaced.
        public var renamed: Int
        /// Sites that could not be wrapped, with the reason.
        public var findings: [Finding]
        /// Bodies given a scope by this run (`AllocTagScope`, see `ScopeFinder`).
        public var scoped = 0
        /// Bodies that can allocate but got no scope, each with the reason (`Rules.unscopedBody`).
        public var unscoped: [Finding] = []
        public var changed: Bool { wrapped > 0 || renamed > 0 || scoped > 0 }
    }

    // MARK: Scan

    public static func scan(file path: String, config: AllocTagConfig) throws -> ([AllocationSite], [Finding]) {
        try scan(source: read(path), path: path, config: config)
    }

    public static func scan(source: String, path: String, config: AllocTagConfig) throws -> ([AllocationSite], [Finding]) {
        let context = try Context(source: source, path: path, config: config)
        var sites: [AllocationSite] = []
        var findings: [Finding] = []
        for site in context.sites {
            let location = context.location(of: site.call)
            let tagged = site.tagName != nil
            var reason: String?
            if !tagged {
                let plan = context.plan(for: site)
                reason = plan.refusal.map { "cannot be wrapped: \($0)" }
                    ?? "not wrapped in withAllocTag; run `tagger annotate` (its bytes are charged to <untagged>)"
                findings.append(Finding(rule: Rules.untaggedSite, message: "\(site.callee) call is not tagged: \(reason!)",
                                        location: location))
            }
            sites.append(AllocationSite(location: location, language: .swift, callee: site.callee, function: site.function,
                                        tagged: tagged, reason: reason))
        }
        return (sites, findings)
    }

    /// The tag records the build plugin must declare for the file's scoped bodies, as swift-syntax
    /// sees them: tag name, function and the line of the body's `{`. `alloctag-gen` derives the
    /// same from tokens (`LexTagReference.isScope`); the corpus test holds the two equal.
    public static func scopeRecords(source: String, path: String) throws -> [(name: String, function: String, line: Int)] {
        let context = try Context(source: source, path: path, config: AllocTagConfig())
        return context.scopes().compactMap { scope in
            scope.existing.map { ($0.baseName.text, scope.function, scope.leftBrace.startLocation(converter: context.converter).line) }
        }
    }

    // MARK: Annotate

    /// Annotates `path` in place; the file is replaced atomically, and only when it changed.
    public static func annotate(file path: String, config: AllocTagConfig, scopes: Bool = false) throws -> Annotation {
        let annotation = try annotate(source: read(path), path: path, config: config, scopes: scopes)
        if annotation.changed { try AtomicFile.write(annotation.source, to: path) }
        return annotation
    }

    /// `scopes`: also give each body that can allocate a scope of its own (implicit allocations).
    public static func annotate(source: String, path: String, config: AllocTagConfig, scopes: Bool = false) throws -> Annotation {
        let context = try Context(source: source, path: path, config: config)
        let fileName = (path as NSString).lastPathComponent
        let ownPrefix = TagNaming.filePrefix(fileName: fileName)
        var edits: [Edit] = []
        var findings: [Finding] = []
        var used = context.referencedTags
        var seen: Set<String> = []
        var ordinals: [String: Int] = [:]
        var wrapped = 0, renamed = 0

        func freshName(function: String, text: String) -> String {
            let key = function + "\u{0}" + text
            var ordinal = ordinals[key, default: 0]
            var name = TagNaming.name(fileName: fileName, declaration: function, expressionText: text, ordinal: ordinal)
            while used.contains(name) {
                ordinal += 1
                name = TagNaming.name(fileName: fileName, declaration: function, expressionText: text, ordinal: ordinal)
            }
            ordinals[key] = ordinal + 1
            used.insert(name)
            return name
        }
        func freshName(_ site: SyntaxSite) -> String {
            freshName(function: site.function, text: site.call.tokens(viewMode: .sourceAccurate).map(\.text).joined(separator: " "))
        }

        // Outermost sites first, so a site nested in another one's arguments is seen inside it.
        let ordered = context.sites.sorted { $0.call.position < $1.call.position }
        var captureRanges: [Range<Int>] = []
        for site in ordered {
            if let name = site.tagName, let reference = site.tagReference {
                let foreign = name.hasPrefix(AllocatorNames.generatedTagPrefix) && !name.hasPrefix(ownPrefix)
                if seen.contains(name) || foreign {
                    // Copied code: two sites must not share one counter.
                    let fresh = freshName(site)
                    edits.append(Edit(start: reference.positionAfterSkippingLeadingTrivia.utf8Offset,
                                      end: reference.endPositionBeforeTrailingTrivia.utf8Offset, text: fresh, order: 2))
                    renamed += 1
                } else {
                    seen.insert(name)
                }
                continue
            }
            let start = site.call.positionAfterSkippingLeadingTrivia.utf8Offset
            let end = site.call.endPositionBeforeTrailingTrivia.utf8Offset
            let insideCapture = captureRanges.contains { $0.contains(start) }
            var plan = context.plan(for: site, captureSelf: !insideCapture)
            if insideCapture { plan.captures = [] }
            if let refusal = plan.refusal {
                findings.append(Finding(rule: Rules.untaggedSite, message: "\(site.callee) call cannot be wrapped: \(refusal)",
                                        location: context.location(of: site.call)))
                continue
            }
            let name = freshName(site)
            var prefix = (plan.outerTry ? "try " : "") + "\(AllocatorNames.hook)(&\(name)" + (plan.parenthesized ? ", { " : ") { ")
            if !plan.captures.isEmpty {
                prefix += "[" + plan.captures.map { "\($0) = self.\($0)" }.joined(separator: ", ") + "] in "
                captureRanges.append(start..<end)
                for read in plan.selfReads {
                    edits.append(Edit(start: read.positionAfterSkippingLeadingTrivia.utf8Offset,
                                      end: read.endPositionBeforeTrailingTrivia.utf8Offset,
                                      text: read.declName.baseName.text, order: 2))
                }
            }
            if plan.innerTry { prefix += "try " }
            let depth = context.depth(of: site)
            edits.append(Edit(start: start, end: start, text: prefix, order: 1, depth: depth))
            edits.append(Edit(start: end, end: end, text: plan.parenthesized ? " })" : " }", order: 0, depth: -depth))
            wrapped += 1
        }
        var scoped = 0
        var unscoped: [Finding] = []
        if scopes {
            let finder = context.scopeFinder()
            unscoped = finder.unscoped.map { body in
                let l = body.leftBrace.startLocation(converter: context.converter)
                return Finding(rule: Rules.unscopedBody, message: "\(body.function) gets no scope: \(body.reason)",
                               location: TaggerCore.SourceLocation(file: path, line: l.line, column: l.column))
            }
            for scope in finder.scopes {
                if let reference = scope.existing {
                    let name = reference.baseName.text
                    let foreign = name.hasPrefix(AllocatorNames.generatedTagPrefix) && !name.hasPrefix(ownPrefix)
                    if seen.contains(name) || foreign {
                        edits.append(Edit(start: reference.positionAfterSkippingLeadingTrivia.utf8Offset,
                                          end: reference.endPositionBeforeTrailingTrivia.utf8Offset,
                                          text: freshName(function: scope.function, text: "scope \(scope.kind.rawValue)"), order: 2))
                        renamed += 1
                    } else {
                        seen.insert(name)
                    }
                    continue
                }
                let name = freshName(function: scope.function, text: "scope \(scope.kind.rawValue)")
                edits += context.scopeEdits(scope, tag: name)
                scoped += 1
            }
        }
        if wrapped + scoped > 0, let edit = context.runtimeImport() { edits.append(edit) }
        let output = String(decoding: try Edit.apply(edits, to: context.bytes), as: UTF8.self)
        var annotation = Annotation(source: output, wrapped: wrapped, renamed: renamed, findings: findings)
        annotation.scoped = scoped
        annotation.unscoped = unscoped
        return annotation
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParseError(location: TaggerCore.SourceLocation(file: path, line: 1, column: 1), message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ParseError(location: TaggerCore.SourceLocation(file: path, line: 1, column: 1), message: "the file is not UTF-8")
        }
        return text
    }
}

/// A parsed file and its sites.
struct Context {
    let path: String
    let bytes: [UInt8]
    let tree: SourceFileSyntax
    let converter: SourceLocationConverter
    let sites: [SyntaxSite]
    let referencedTags: Set<String>

    init(source: String, path: String, config: AllocTagConfig) throws {
        self.path = path
        bytes = Array(source.utf8)
        tree = Context.parse(source)
        converter = SourceLocationConverter(fileName: path, tree: tree)
        if tree.hasError, let bad = Context.firstError(in: Syntax(tree)) {
            let l = bad.startLocation(converter: converter)
            throw SwiftFrontEnd.ParseError(location: TaggerCore.SourceLocation(file: path, line: l.line, column: l.column),
                                           message: "Swift syntax error near '\(bad.trimmedDescription.prefix(40))'")
        }
        let finder = SiteFinder(constructedTypes: config.constructedTypes,
                                isMainFile: (path as NSString).lastPathComponent == "main.swift")
        finder.walk(tree)
        sites = finder.sites
        final class References: SyntaxVisitor {
            var names: Set<String> = []
            override func visit(_ node: FunctionCallExprSyntax) -> SyntaxVisitorContinueKind {
                if node.calledExpression.as(DeclReferenceExprSyntax.self)?.baseName.text == AllocatorNames.hook,
                   let ref = node.arguments.first?.expression.as(InOutExprSyntax.self)?.expression.as(DeclReferenceExprSyntax.self) {
                    names.insert(ref.baseName.text)
                }
                return .visitChildren
            }
        }
        let references = References(viewMode: .sourceAccurate)
        references.walk(tree)
        referencedTags = references.names
    }

    /// `import TagRuntime` (where `withAllocTag` lives) when the file lacks it: after the
    /// last top-level import (or `#if` block of imports), else before the first declaration.
    func runtimeImport() -> Edit? {
        final class Imports: SyntaxVisitor {
            var found = false
            override func visit(_ node: ImportDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.path.first?.name.text == "TagRuntime" { found = true }
                return .skipChildren
            }
        }
        let imports = Imports(viewMode: .sourceAccurate)
        imports.walk(tree)
        if imports.found { return nil }
        var anchor: CodeBlockItemSyntax?
        for item in tree.statements {
            if item.item.is(ImportDeclSyntax.self) { anchor = item; continue }
            if let block = item.item.as(IfConfigDeclSyntax.self), block.clauses.allSatisfy({ clause in
                guard case .statements(let list)? = clause.elements else { return clause.elements == nil }
                return list.allSatisfy { $0.item.is(ImportDeclSyntax.self) }
            }) { anchor = item; continue }
            break
        }
        if let anchor {
            let end = anchor.endPositionBeforeTrailingTrivia.utf8Offset
            return Edit(start: end, end: end, text: "\nimport TagRuntime", order: 3)
        }
        guard let first = tree.statements.first else { return nil }
        // Before the first declaration's doc comment, which must stay attached to it (a file's
        // header comments, not doc comments, stay above the import).
        var start = first.position.utf8Offset
        var docStart: Int?
        for piece in first.leadingTrivia {
            switch piece {
            case .docLineComment, .docBlockComment: if docStart == nil { docStart = start }
            case .lineComment, .blockComment: docStart = nil
            default: break
            }
            start += piece.sourceLength.utf8Length
        }
        start = docStart ?? first.positionAfterSkippingLeadingTrivia.utf8Offset
        return Edit(start: start, end: start, text: "import TagRuntime\n\n", order: -1)
    }

    /// The file's syntax tree. Code written for a newer compiler (swift-collections 1.6 has
    /// Swift 6.4's `borrow`/`mutate` accessors under `#if compiler(>=6.4)`) is parsed again with
    /// those accessors enabled, only when the plain parse fails: where the plain parse
    /// succeeds, `borrow { ... }` in a getter stays a call with a trailing closure.
    static func parse(_ source: String) -> SourceFileSyntax {
        let plain = Parser.parse(source: source)
        guard plain.hasError else { return plain }
        var text = source
        let newer = text.withUTF8 { Parser.parse(source: $0, experimentalFeatures: [.borrowAndMutateAccessors]) }
        return newer.hasError ? plain : newer
    }

    static func firstError(in node: Syntax) -> Syntax? {
        if node.is(MissingExprSyntax.self) || node.is(UnexpectedNodesSyntax.self) || node.is(MissingDeclSyntax.self)
            || node.is(MissingStmtSyntax.self) || node.is(MissingTypeSyntax.self) || node.is(MissingPatternSyntax.self) {
            return node
        }
        if let token = node.as(TokenSyntax.self), token.presence == .missing { return node }
        for child in node.children(viewMode: .all) where child.hasError || child.as(TokenSyntax.self)?.presence == .missing {
            if let found = firstError(in: child) { return found }
        }
        return node.hasError ? node : nil
    }

    func location(of call: FunctionCallExprSyntax) -> TaggerCore.SourceLocation {
        let l = call.startLocation(converter: converter)
        return TaggerCore.SourceLocation(file: path, line: l.line, column: l.column)
    }

    func plan(for site: SyntaxSite, captureSelf: Bool = true) -> WrapPlan {
        WrapPlanner.plan(for: site.call, captureSelf: captureSelf)
    }

    func scopes() -> [BodyScope] { scopeFinder().scopes }

    func scopeFinder() -> ScopeFinder {
        let finder = ScopeFinder(isMainFile: (path as NSString).lastPathComponent == "main.swift")
        finder.walk(tree)
        return finder
    }

    /// The scope line after the body's `{` (or a closure's `in`): on a line of its own, indented
    /// as the body, or inline when the body starts on the same line (no line moves then).
    func scopeEdits(_ scope: BodyScope, tag: String) -> [Edit] {
        let type = scope.isAsync ? "AllocTagTaskScope" : "AllocTagScope"
        let v = AllocatorNames.scopeVariable
        let line = "let \(v) = \(type)(&\(tag)); defer { \(v).end() }"
        let at = scope.insertAfter.endPositionBeforeTrailingTrivia.utf8Offset
        guard let first = scope.statements.first else { return [] }
        let firstStart = first.positionAfterSkippingLeadingTrivia.utf8Offset
        var edits: [Edit] = []
        if bytes[at..<firstStart].contains(UInt8(ascii: "\n")) {
            var lineStart = firstStart
            while lineStart > 0 && bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
            let indent = String(decoding: bytes[lineStart..<firstStart].prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") },
                                as: UTF8.self)
            edits.append(Edit(start: at, end: at, text: "\n" + indent + line, order: 1, depth: Int.min / 2))
        } else {
            edits.append(Edit(start: at, end: at, text: " " + line + ";", order: 1, depth: Int.min / 2))
        }
        for item in scope.returns {
            let start = item.positionAfterSkippingLeadingTrivia.utf8Offset
            edits.append(Edit(start: start, end: start, text: "return ", order: 1, depth: Int.min / 2 + 1))
        }
        return edits
    }

    /// How many other sites enclose this one (orders insertions at a shared position).
    func depth(of site: SyntaxSite) -> Int {
        let start = site.call.position, end = site.call.endPosition
        return sites.filter { $0.call.id != site.call.id && $0.call.position <= start && $0.call.endPosition >= end }.count
    }
}
