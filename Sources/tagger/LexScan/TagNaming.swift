import TaggerCore

/// Names of generated tags.
///
/// Invariant: a name depends only on the file's name, the enclosing declaration, the site's
/// expression text (tokens, not layout) and its ordinal among identical expressions of that
/// declaration, never on a line number, so an edit elsewhere in the file renames nothing.
/// A module cannot hold two files of the same name, so the file name is enough.
public enum TagNaming {
    public static func name(fileName: String, declaration: String, expressionText: String, ordinal: Int) -> String {
        let base = declaration.split(separator: ".").last.map { String($0.prefix { $0 != "(" }) } ?? ""
        let digest = FNV1a.hash("\(fileName)\u{0}\(declaration)\u{0}\(expressionText)\u{0}\(ordinal)")
        let hex = String(digest & 0xFFFF_FFFF_FFFF, radix: 16)
        let padded = String(repeating: "0", count: 12 - hex.count) + hex
        return filePrefix(fileName: fileName) + "\(identifierPart(base))_\(padded)"
    }

    /// What every generated name of `fileName` starts with.
    public static func filePrefix(fileName: String) -> String {
        let stem = fileName.hasSuffix(".swift") ? String(fileName.dropLast(6)) : fileName
        return "\(AllocatorNames.generatedTagPrefix)\(identifierPart(stem))_"
    }

    /// Letters, digits and `_` kept; anything else (operators, backticks) becomes `_`; empty is `top`.
    static func identifierPart(_ s: String) -> String {
        let mapped = String(s.unicodeScalars.map { scalar -> Character in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" ? Character(scalar) : "_"
        })
        return mapped.isEmpty || mapped.allSatisfy({ $0 == "_" }) ? "op" : mapped
    }

}
