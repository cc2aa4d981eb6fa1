import Foundation
import TaggerCore

/// Markers inside planned insertions that become `#line` directives when the output must keep
/// the original numbering (`tagger cc`), and vanish otherwise.
enum LineMarker {
    static let sentinel = "\u{1}"
    static func placeholder(_ line: Int) -> String { "\(sentinel)\(line)\(sentinel)" }

    static func expand(_ text: String, path: String?) -> String {
        guard text.contains(sentinel) else { return text }
        var out = ""
        var parts = text.components(separatedBy: sentinel)[...]
        while let head = parts.popFirst() {
            out += head
            guard let number = parts.popFirst() else { break }
            if let path { out += "#line \(number) \"\(escape(path))\"\n" }
        }
        return out
    }

    static func escape(_ path: String) -> String {
        path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// Applies planned edits to one file (with `Edit.apply`: at one offset, lower `order` first),
/// plus the `#include <alloc_tag/alloc_tag.h>` (and `_noprof` fallbacks) once, where feature
/// macros are already settled and before the first use.
struct Rewriter {
    static let include = "#include <alloc_tag/alloc_tag.h>"

    /// The annotated text, or nil when there is nothing to change.
    /// - Parameter lineMarkersFor: when set, `#line` directives keep numbering as in that path.
    static func rewrite(_ text: SourceFile, edits: Set<Edit>, topLevel: [Range<Int>], lineMarkersFor: String? = nil) throws -> [UInt8]? {
        guard !edits.isEmpty else { return nil }
        var all = Array(edits)
        if let block = includeBlock(text, edits: all, topLevel: topLevel, lineMarkersFor: lineMarkersFor) {
            all.append(block)
        }
        for k in all.indices { all[k].text = LineMarker.expand(all[k].text, path: lineMarkersFor) }
        var bytes: [UInt8]
        do {
            bytes = try Edit.apply(all, to: text.bytes)
        } catch {
            // Overlapping replacements: the edits of one header planned from two translation units.
            throw CFrontEndError.conflictingEdits(text.path, error.offset)
        }
        if let path = lineMarkersFor {
            bytes.insert(contentsOf: Array("#line 1 \"\(LineMarker.escape(path))\"\n".utf8), at: 0)
        }
        return bytes
    }

    /// `malloc_noprof` and friends are defined by override.h; files that only include
    /// alloc_tag.h get guarded fallbacks for the spellings they use.
    static func noprofFallbacks(_ used: Set<String>, existing: SourceFile) -> String {
        var out = ""
        for name in Vocabulary.mallocFamily where used.contains(name + "_noprof") {
            let spelled = name + "_noprof"
            if existing.text(0 ..< existing.count).contains("define \(spelled)") { continue }
            out += "#ifndef \(spelled)\n#define \(spelled)(...) (\(name))(__VA_ARGS__)\n#endif\n"
        }
        return out
    }

    private static func includeBlock(_ text: SourceFile, edits: [Edit], topLevel: [Range<Int>], lineMarkersFor: String?) -> Edit? {
        let directives = Lexer.directives(in: text)
        let existing = directives.first { d in
            d.keyword == "include" && d.nameStart.map { text.text($0 ..< d.end).contains("alloc_tag/") } == true
        }
        var used: Set<String> = []
        for e in edits {
            let words = e.text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
            for word in words where word.hasSuffix("_noprof") && Vocabulary.mallocFamily.contains(String(word.dropLast(7))) { used.insert(word) }
        }
        let fallbacks = noprofFallbacks(used, existing: text)
        if let existing {
            guard !fallbacks.isEmpty else { return nil }
            return Edit.insert(fallbacks + LineMarker.placeholder(text.line(of: existing.end)), at: existing.end, order: 3)
        }
        let firstUse = edits.map(\.start).min() ?? 0
        let guardStart = includeGuard(text, directives, lastEdit: edits.map(\.start).max() ?? 0)
        // `#ifndef X` directly followed by `#define X`: a header guard, taken when its code is
        // compiled at all (amalgamations keep every header's guard).
        var headerGuards: Set<Int> = []
        for (d, next) in zip(directives, directives.dropFirst()) where d.keyword == "ifndef" && next.keyword == "define" {
            if let a = d.nameStart, let b = next.nameStart, text.identifier(at: a) == text.identifier(at: b), !text.identifier(at: a).isEmpty {
                headerGuards.insert(d.start)
            }
        }
        func outermost(_ offset: Int) -> Int? {
            var stack: [Int] = []
            for d in directives {
                if d.start >= offset { break }
                switch d.keyword {
                case "if", "ifdef", "ifndef": stack.append(d.start)
                case "endif": if !stack.isEmpty { stack.removeLast() }
                default: break
                }
            }
            return stack.first(where: { $0 != guardStart && !headerGuards.contains($0) })
        }
        // After the last unconditional #include before the first use, outside any declaration.
        var at: Int? = directives.last { d in
            d.keyword == "include" && d.end <= firstUse && outermost(d.start) == nil
                && !topLevel.contains { $0.lowerBound < d.start && d.start < $0.upperBound }
        }?.end
        if at == nil {
            // Else at the start of the declaration holding the first use, outside any #if.
            var start = topLevel.first { $0.contains(firstUse) }?.lowerBound ?? firstUse
            start = text.lineStart(of: start)
            if let cond = outermost(start) { start = cond }
            if let guardStart, start <= guardStart, let afterDefine = directives.first(where: { $0.start > guardStart && $0.keyword == "define" }) {
                start = afterDefine.end
            }
            at = start
        }
        let offset = afterFeatureMacros(at!, text, directives, topLevel: topLevel, uses: firstUse ... (edits.map(\.start).max() ?? firstUse),
                                        taken: headerGuards.union(guardStart.map { [$0] } ?? []))
        var block = include + "\n" + fallbacks
        block += LineMarker.placeholder(text.line(of: offset) + (offset == text.count ? 1 : 0))
        if offset == text.count, text.bytes.last != UInt8(ascii: "\n") { block = "\n" + block }
        return Edit.insert(block, at: offset, order: 3)
    }

    /// Feature-test macros (feature_test_macros(7), and the BSDs', Solaris's and AIX's): they
    /// take effect only when defined before the first system header, and alloc_tag.h includes
    /// system headers.
    static func isFeatureTestMacro(_ name: String) -> Bool {
        (name.hasPrefix("_") && name.hasSuffix("_SOURCE"))
            || ["_FILE_OFFSET_BITS", "_TIME_BITS", "_REENTRANT", "_THREAD_SAFE", "_LARGE_FILES", "_LARGE_FILE",
                "__EXTENSIONS__", "_XOPEN_SOURCE_EXTENDED"].contains(name)
    }

    /// `offset`, or later when the file defines a feature-test macro between it and the first
    /// use (SQLite's amalgamation defines `_GNU_SOURCE` in `#if defined(__GNUC__) && ...` below
    /// its opening `#ifndef SQLITE_AMALGAMATION`): the include would read the system headers
    /// before the macro, so `mremap` and `MREMAP_MAYMOVE` would be missing. The new place is
    /// after the last such definition and after every conditional holding it that does not also
    /// hold every use (the first edit to the last) and are not `taken` (header guards and the
    /// include guard, compiled whenever their code is), so the include is compiled whenever a use
    /// is; when no such place comes before the first use, `offset` stays (the compile check tells).
    private static func afterFeatureMacros(_ offset: Int, _ text: SourceFile, _ directives: [LexDirective],
                                           topLevel: [Range<Int>], uses: ClosedRange<Int>, taken: Set<Int>) -> Int {
        let firstUse = uses.lowerBound
        guard let last = directives.last(where: { d in
            d.keyword == "define" && d.start >= offset && d.end <= firstUse
                && d.nameStart.map { isFeatureTestMacro(text.identifier(at: $0)) } == true
        }) else { return offset }
        // Every conditional as the range from its `#if` to past its `#endif` line.
        var open: [Int] = [], conditionals: [Range<Int>] = []
        for d in directives {
            switch d.keyword {
            case "if", "ifdef", "ifndef": open.append(d.start)
            case "endif": if let start = open.popLast() { conditionals.append(start ..< d.end) }
            default: break
            }
        }
        let holdingUses = Set(conditionals.filter { taken.contains($0.lowerBound) || ($0.contains(uses.lowerBound) && $0.contains(uses.upperBound)) })
        let exit = conditionals.filter { $0.contains(last.start) && !holdingUses.contains($0) }.map(\.upperBound).max()
        let after = exit ?? last.end
        guard after <= firstUse, !topLevel.contains(where: { $0.lowerBound < after && after < $0.upperBound }) else { return offset }
        return after
    }

    /// Start of a conditional that opens the file (only comments before it) and holds every
    /// edit: an include guard, or `#ifndef SQLITE_AMALGAMATION`. Code using the hooks is compiled
    /// only when that conditional is, so the include may go inside it.
    private static func includeGuard(_ text: SourceFile, _ directives: [LexDirective], lastEdit: Int) -> Int? {
        let code = Lexer.skipTrivia(in: text, from: 0)
        guard let first = directives.first, ["if", "ifdef", "ifndef"].contains(first.keyword),
              code >= first.start, code < first.end else { return nil }
        var depth = 0
        for d in directives {
            if ["if", "ifdef", "ifndef"].contains(d.keyword) { depth += 1 }
            if d.keyword == "endif" {
                depth -= 1
                // An insertion at the `#endif`'s own offset lands before it, inside.
                if depth == 0 { return d.start >= lastEdit ? first.start : nil }
            }
        }
        return nil
    }
}
