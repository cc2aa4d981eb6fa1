import CLibclang
import Foundation

/// A position in a file: libclang's file handle, 1-based line and column, byte offset.
typealias FileLocation = (file: TCXFile?, line: Int, column: Int, offset: Int)

/// The loaded libclang function table; loading happens once, on first use.
enum Libclang {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    static func api() throws -> UnsafePointer<tagger_clang_api> {
        var message: UnsafePointer<CChar>?
        guard let table = tagger_clang_load(&message) else {
            throw LoadError(description: message.map { String(cString: $0) } ?? "libclang could not be loaded")
        }
        return table
    }
}

/// Thin accessors over the table; every CXString is disposed right after conversion.
struct Clang {
    let api: tagger_clang_api

    init() throws { api = try Libclang.api().pointee }

    func string(_ s: TCXString) -> String {
        defer { api.disposeString(s) }
        guard let c = api.getCString(s) else { return "" }
        return String(cString: c)
    }

    func spelling(_ c: TCXCursor) -> String { string(api.getCursorSpelling(c)) }

    /// File, 1-based line and column, and byte offset of a location as written in a file
    /// (macro arguments map to where they were written, macro bodies to the expansion).
    func fileLocation(_ l: TCXSourceLocation) -> FileLocation {
        var file: TCXFile?
        var line: UInt32 = 0, column: UInt32 = 0, offset: UInt32 = 0
        api.getFileLocation(l, &file, &line, &column, &offset)
        return (file, Int(line), Int(column), Int(offset))
    }

    func expansionLocation(_ l: TCXSourceLocation) -> FileLocation {
        var file: TCXFile?
        var line: UInt32 = 0, column: UInt32 = 0, offset: UInt32 = 0
        api.getExpansionLocation(l, &file, &line, &column, &offset)
        return (file, Int(line), Int(column), Int(offset))
    }

    func fileName(_ f: TCXFile?) -> String? {
        guard let f else { return nil }
        let name = string(api.getFileName(f))
        return name.isEmpty ? nil : name
    }
}

extension Libclang {
    /// `-resource-dir` for a libclang that cannot find its own builtin headers (`stddef.h`…):
    /// the Swift toolchain's (`usr/lib/libclang.so`) reports an empty installed directory and
    /// looks for them in `lib/clang/21/include` relative to the working directory. Given only
    /// when `clang/<version>/include/stddef.h` sits beside the library's real file (the
    /// toolchain's layout); a distribution's libclang (Debian's libclang-14, its headers in
    /// /usr/include/clang) has no such folder and gets nothing, so its results do not change.
    static let resourceArguments: [String] = {
        guard let library = tagger_clang_library_path().map({ String(cString: $0) }) else { return [] }
        let clang = (library as NSString).deletingLastPathComponent + "/clang"
        // Numerically: "9" is older than "21".
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: clang)) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        guard let version = versions.last(where: { FileManager.default.fileExists(atPath: "\(clang)/\($0)/include/stddef.h") })
        else { return [] }
        return ["-resource-dir", "\(clang)/\(version)"]
    }()

    /// `arguments` with `resourceArguments` unless they name a resource directory already.
    static func withResourceDirectory(_ arguments: [String]) -> [String] {
        arguments.contains { $0 == "-resource-dir" || $0.hasPrefix("-resource-dir=") } ? arguments : arguments + resourceArguments
    }
}
