import Foundation

/// Turns compiler command lines into the arguments libclang needs to see the same code.
enum CompileFlags {
    /// Options whose value is the next argument.
    static let takesValue: Set<String> = [
        "-o", "-MF", "-MT", "-MQ", "-I", "-D", "-U", "-include", "-imacros", "-isystem", "-iquote",
        "-idirafter", "-iprefix", "-iwithprefix", "-isysroot", "-x", "-L", "-Xlinker", "-Xassembler",
        "-Xpreprocessor", "-Xclang", "-aux-info", "--param", "-T", "-u", "-z", "-A", "-arch", "-target",
        "--sysroot", "-MJ",
    ]
    /// Options that change only outputs (or would make libclang fail on warnings).
    static let dropped: Set<String> = ["-c", "-S", "-E", "-MD", "-MMD", "-M", "-MM", "-MP", "-MG", "-pipe", "-save-temps"]
    static let droppedWithValue: Set<String> = ["-o", "-MF", "-MT", "-MQ", "-MJ", "-L", "-Xlinker", "-T", "-u", "-z", "-Xassembler"]
    static let pathOptions: Set<String> = ["-I", "-include", "-imacros", "-isystem", "-iquote", "-idirafter", "-isysroot", "--sysroot"]

    /// Options naming an include directory, longest first where one spelling starts another.
    static let directoryOptions = ["-iquote", "-isystem", "-idirafter", "-I"]
    /// Options naming a file read before the source (separate spelling only: `-include-pch`).
    static let forcedIncludeOptions: Set<String> = ["-include", "-imacros"]

    /// One compiler argument, or an option with its value, as every walker here sees it: the
    /// include directories (`-I dir` and `-Idir` alike), the forced includes, the other options
    /// with a value, and everything else.
    enum Argument: Equatable {
        case includeDirectory(option: String, path: String, joined: Bool)
        case forcedInclude(option: String, path: String)
        case withValue(option: String, value: String)
        case single(String)
    }

    /// `arguments` read once, in order: the one walk `libclangArguments`, `includeDirectories`
    /// and `preferMirror` share, so they never disagree about which argument is a path.
    static func walk(_ arguments: [String]) -> [Argument] {
        var out: [Argument] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            let next = i + 1 < arguments.count ? arguments[i + 1] : nil
            if directoryOptions.contains(a), let next {
                out.append(.includeDirectory(option: a, path: next, joined: false)); i += 2
            } else if let opt = directoryOptions.first(where: { a.hasPrefix($0) && a.count > $0.count }) {
                out.append(.includeDirectory(option: opt, path: String(a.dropFirst(opt.count)), joined: true)); i += 1
            } else if forcedIncludeOptions.contains(a), let next {
                out.append(.forcedInclude(option: a, path: next)); i += 2
            } else if takesValue.contains(a), let next {
                out.append(.withValue(option: a, value: next)); i += 2
            } else {
                out.append(.single(a)); i += 1
            }
        }
        return out
    }

    /// libclang arguments for compiling `file` with `arguments` (compiler name excluded) run in
    /// `directory`: inputs and outputs removed, relative include paths made absolute.
    static func libclangArguments(_ arguments: [String], file: String, directory: String) -> [String] {
        var out: [String] = []
        let target = SourceCache.canonical(absolute(file, in: directory))
        for argument in walk(arguments) {
            switch argument {
            case let .includeDirectory(option, path, joined):
                let path = absolute(path, in: directory)
                out += joined ? [option + path] : [option, path]
            case let .forcedInclude(option, path):
                out += [option, absolute(path, in: directory)]
            case let .withValue(option, value):
                if droppedWithValue.contains(option) { continue }
                out += [option, pathOptions.contains(option) ? absolute(value, in: directory) : value]
            case let .single(a):
                if dropped.contains(a) || droppedWithValue.contains(a) || a.hasPrefix("-Werror") || a.hasPrefix("-Wl,")
                    || a.hasPrefix("-l") && a.count > 2 { continue }
                if a.hasPrefix("-MF") || a.hasPrefix("-MT") || a.hasPrefix("-MQ") || a.hasPrefix("-o") && a.count > 2 { continue }
                if !a.hasPrefix("-"), isSource(a) || SourceCache.canonical(absolute(a, in: directory)) == target { continue }
                if !a.hasPrefix("-"), a.hasSuffix(".o") || a.hasSuffix(".a") || a.hasSuffix(".so") { continue }
                out.append(a)
            }
        }
        return out
    }

    /// The include directories `arguments` name (`-I`, `-iquote`, `-isystem`, `-idirafter`), canonical.
    static func includeDirectories(_ arguments: [String], cwd: String) -> [String] {
        walk(arguments).compactMap {
            guard case let .includeDirectory(_, path, _) = $0 else { return nil }
            return SourceCache.canonical(absolute(path, in: cwd))
        }
    }

    /// `arguments` with the mirror of each include directory it mirrors (`-I`, `-iquote`,
    /// `-isystem`, `-idirafter`) put just before the original, and `-include`/`-imacros` of an
    /// annotated header naming its copy, so the compile finds the copies first.
    static func preferMirror(_ arguments: [String], _ mirror: HeaderMirror, cwd: String) -> [String] {
        var out: [String] = []
        for argument in walk(arguments) {
            switch argument {
            case let .includeDirectory(option, path, joined):
                let canonical = SourceCache.canonical(absolute(path, in: cwd))
                if mirror.mirroredDirectories.contains(canonical) { out += [option, mirror.path(canonical)] }
                out += joined ? [option + path] : [option, path]
            case let .forcedInclude(option, path):
                let canonical = SourceCache.canonical(absolute(path, in: cwd))
                out += [option, mirror.copies.contains(canonical) ? mirror.path(canonical) : path]
            case let .withValue(option, value):
                out += [option, value]
            case let .single(a):
                out.append(a)
            }
        }
        return out
    }

    static func isSource(_ path: String) -> Bool {
        [".c", ".h", ".i", ".cc", ".cpp", ".cxx", ".m", ".s", ".S"].contains { path.hasSuffix($0) }
    }

    static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }

    /// POSIX-shell word splitting of a `command` string (quotes and backslashes).
    static func shellSplit(_ command: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escape = false
        for ch in command {
            if escape { word.append(ch); escape = false; inWord = true; continue }
            if ch == "\\", quote != "'" { escape = true; continue }
            if let q = quote {
                if ch == q { quote = nil } else { word.append(ch) }
                continue
            }
            if ch == "'" || ch == "\"" { quote = ch; inWord = true; continue }
            if ch == " " || ch == "\t" || ch == "\n" {
                if inWord { words.append(word); word = ""; inWord = false }
                continue
            }
            word.append(ch); inWord = true
        }
        if inWord { words.append(word) }
        return words
    }
}

/// `compile_commands.json`: each file's command and working directory.
struct CompilationDatabase {
    struct Entry { var directory: String; var file: String; var arguments: [String] }
    var entries: [String: Entry] = [:]
    let path: String

    init(directory: String) throws {
        path = URL(fileURLWithPath: directory).appendingPathComponent("compile_commands.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CFrontEndError.usage("\(path): no compilation database (generate one with CMAKE_EXPORT_COMPILE_COMMANDS=ON or bear, or pass flags after --)")
        }
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw CFrontEndError.usage("\(path):1:1: error: not a JSON array of compile commands")
        }
        for (n, item) in list.enumerated() {
            guard let dir = item["directory"] as? String, let file = item["file"] as? String else {
                throw CFrontEndError.usage("\(path): entry \(n + 1) lacks \"directory\" or \"file\"")
            }
            var args = (item["arguments"] as? [String]) ?? CompileFlags.shellSplit(item["command"] as? String ?? "")
            if !args.isEmpty { args.removeFirst() }
            let abs = SourceCache.canonical(CompileFlags.absolute(file, in: dir))
            entries[abs] = Entry(directory: dir, file: abs, arguments: args)
        }
    }

    /// libclang arguments for `file`; a header without an entry borrows the flags of a source
    /// file in the same directory (or any), as clangd does.
    func arguments(for file: String) -> [String]? {
        let abs = SourceCache.canonical(file)
        let entry = entries[abs]
            ?? entries.values.first { URL(fileURLWithPath: $0.file).deletingLastPathComponent().path == URL(fileURLWithPath: abs).deletingLastPathComponent().path }
            ?? (abs.hasSuffix(".h") ? entries.values.first : nil)
        guard let entry else { return nil }
        return CompileFlags.libclangArguments(entry.arguments, file: entry.file, directory: entry.directory)
    }
}
