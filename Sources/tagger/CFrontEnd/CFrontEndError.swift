/// Why the C front end could not do its job (each names the file and the fix).
public enum CFrontEndError: Error, CustomStringConvertible {
    case unreadable(String)
    case libclang(String)
    case parseFailed(String, String)
    case usage(String)
    case conflictingEdits(String, Int)
    case wouldNotCompile([String])

    public var description: String {
        switch self {
        case .unreadable(let p): return "\(p): cannot read file"
        case .libclang(let m): return m
        case .parseFailed(let p, let m): return "\(p): libclang could not parse the file: \(m)"
        case .usage(let m): return m
        case .wouldNotCompile(let errors):
            return errors.joined(separator: "\n") + "\nnothing was written: the annotated code would not compile (a tagger bug: please report it with the lines above; annotate the other files without this one meanwhile)"
        case .conflictingEdits(let p, let o):
            return "\(p): two annotations disagree at byte \(o) (a header included with different flags?); annotate the files separately"
        }
    }
}
