import CLibclang
import Foundation
import TaggerCore

/// The rewriter's last gate: every rewritten translation unit is parsed again by libclang with
/// its own flags, the rewritten files given as unsaved contents at their real paths, before
/// anything is written. An error means `annotate` writes nothing and names the place.
enum CompileCheck {
    /// Errors (compiler-style, with the annotated line's text) of `file` parsed with
    /// `arguments` when the files of `rewritten` have the given contents.
    static func errors(clang: Clang, file: String, arguments: [String], rewritten: [String: [UInt8]]) -> [String] {
        let api = clang.api
        let index = api.createIndex(0, 0)
        defer { api.disposeIndex(index) }
        let runtime = (try? RuntimeLocator.includeDirectory()).map { ["-I", $0] } ?? []
        let args = Libclang.withResourceDirectory(arguments) + runtime + ["-ferror-limit=20"]
        let paths = Array(rewritten.keys)
        let names = paths.map { strdup($0)! }
        let contents = paths.map { path -> UnsafeMutablePointer<CChar> in
            let bytes = rewritten[path]!
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBufferPointer { b in
                b.baseAddress.map { buffer.withMemoryRebound(to: UInt8.self, capacity: bytes.count) { $0 }.update(from: $0, count: bytes.count) }
            }
            return buffer
        }
        defer { names.forEach { free($0) }; contents.forEach { $0.deallocate() } }
        var unsaved = paths.indices.map { i in
            TCXUnsavedFile(Filename: UnsafePointer(names[i]), Contents: UnsafePointer(contents[i]),
                           Length: UInt(rewritten[paths[i]]!.count))
        }
        var tu: TCXTranslationUnit?
        let code: Int32 = withCStrings(args) { argv in
            unsaved.withUnsafeMutableBufferPointer { u in
                api.parseTranslationUnit2(index, file, argv, Int32(args.count), u.baseAddress, UInt32(u.count), 0, &tu)
            }
        }
        guard code == 0, let tu else { return ["\(file):1:1: error: libclang could not parse the annotated file (code \(code))"] }
        defer { api.disposeTranslationUnit(tu) }
        var out: [String] = []
        for i in 0 ..< api.getNumDiagnostics(tu) {
            guard let d = api.getDiagnostic(tu, i) else { continue }
            defer { api.disposeDiagnostic(d) }
            guard api.getDiagnosticSeverity(d) >= TCX_Diag_Error else { continue }
            let loc = clang.fileLocation(api.getDiagnosticLocation(d))
            let path = clang.fileName(loc.file).map(SourceCache.canonical) ?? file
            var line = ""
            if let bytes = rewritten[path] {
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                if loc.line >= 1, loc.line <= lines.count { line = String(decoding: lines[loc.line - 1], as: UTF8.self).trimmingCharacters(in: .whitespaces) }
            }
            out.append("\(path):\(loc.line):\(loc.column): error: \(clang.string(api.getDiagnosticSpelling(d)))" + (line.isEmpty ? "" : " in annotated line `\(line)`"))
        }
        return out
    }
}
