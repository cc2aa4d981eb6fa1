import Foundation

/// `.alloctag.json`: the one settings file of every front end (the C front end, the Swift front
/// ends, `tagger cc` and `alloctag-gen`), decoded here and nowhere else.
///
/// ```json
/// {
///   "c":     { "allocators": ["xmalloc"], "noprof": ["my_malloc_impl"], "root": ".", "inferHelpers": true },
///   "swift": { "types": ["Node", "Packet"] }
/// }
/// ```
///
/// Every key is optional. The first format's flat keys (`allocators`, `noprof`, `root`,
/// `inferHelpers` at the top level) are read as the `c` section's, so existing files keep
/// working; a key given both flat and in `c` is an error (which one wins would be a guess).
/// Any other key, at the top or in a section, is an error naming the file, its line and the
/// key: a misspelt setting must not be silently ignored.
///
/// Where it is found (`discover`, `resolve`): the nearest `.alloctag.json` in the directory of
/// each input file or above it, up to `/`, as `.clang-format` is found. Several inputs may find
/// several files: their settings are merged (`merged(with:)`). A file named with `tagger
/// --config FILE` is read first and the search still adds the inputs' files. `alloctag-gen`
/// does not search: the build plugin passes it the package's own file (the one it declares as
/// the command's input, so a change to it reruns the command). A relative `root` is relative to
/// the directory of the file that says it.
public struct AllocTagConfig: Sendable, Equatable {
    /// What the C front end treats as an allocator and how it may edit.
    public struct C: Sendable, Equatable {
        /// Extra allocator names beside `Vocabulary.mallocFamily`. A name defined in the project
        /// gets the `_noprof` recipe (its callers are charged); a name defined elsewhere has each
        /// call wrapped in `alloc_hooks`.
        public var allocators: [String]
        /// Functions reached through function pointers whose allocations belong to their
        /// callers: the allocator calls they return use the `_noprof` spellings.
        public var noprof: [String]
        /// Only files under this directory are analysed and edited (default: the current
        /// directory, or the inputs' common directory when they lie outside it).
        public var root: String?
        /// Apply helper inference (default true).
        public var inferHelpers: Bool

        public init(allocators: [String] = [], noprof: [String] = [], root: String? = nil, inferHelpers: Bool = true) {
            self.allocators = allocators
            self.noprof = noprof
            self.root = root
            self.inferHelpers = inferHelpers
        }

        /// These settings with `other`'s names added (no duplicates, first seen first), this
        /// root preferred when set, and helper inference only when both allow it.
        public func merged(with other: C?) -> C {
            guard let other else { return self }
            var result = self
            result.allocators += other.allocators.filter { !allocators.contains($0) }
            result.noprof += other.noprof.filter { !noprof.contains($0) }
            result.root = root ?? other.root
            result.inferHelpers = inferHelpers && other.inferHelpers
            return result
        }
    }

    /// What the Swift front ends treat as allocation sites beyond the built-in list.
    public struct Swift: Sendable, Equatable {
        /// Types whose construction (`Node(...)`, `Node<T>(...)`, `Node.init(...)`) is a site.
        public var types: [String]
        public init(types: [String] = []) { self.types = types }
    }

    public var c: C
    public var swift: Swift

    public init(c: C = C(), swift: Swift = Swift()) {
        self.c = c
        self.swift = swift
    }

    public var constructedTypes: Set<String> { Set(swift.types) }

    /// Both sections merged as `C.merged(with:)` does; Swift types united.
    public func merged(with other: AllocTagConfig?) -> AllocTagConfig {
        guard let other else { return self }
        var result = self
        result.c = c.merged(with: other.c)
        result.swift.types += other.swift.types.filter { !swift.types.contains($0) }
        return result
    }

    public static let fileName = ".alloctag.json"

    /// A file that cannot be read or does not follow the schema. Its description is a
    /// compiler-style diagnostic: `path:line:col: error: reason; expected <schema>`.
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var line: Int
        public var column: Int
        public var reason: String
        public var description: String {
            "\(path):\(line):\(column): error: invalid \(AllocTagConfig.fileName): \(reason); expected "
                + #"{"c": {"allocators": [names], "noprof": [names], "root": "dir", "inferHelpers": bool}, "swift": {"types": [type names]}}"#
        }
    }

    // MARK: Lookup

    /// The nearest `.alloctag.json` at or above `directory`; nil when there is none up to `/`.
    public static func nearest(from directory: String) -> String? {
        var dir = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = dir.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// The nearest file at or above `directory`, loaded; nil when there is none.
    public static func discover(from directory: String) throws(LoadError) -> AllocTagConfig? {
        try nearest(from: directory).map { path throws(LoadError) in try load(path: path) }
    }

    /// The settings for `files`: the `explicit` file when one is named, then the nearest file
    /// of each input's directory, each distinct file read once, merged in that order; empty
    /// settings when there is none.
    public static func resolve(explicit: String?, files: [String]) throws(LoadError) -> AllocTagConfig {
        var seen: Set<String> = []
        var result = AllocTagConfig()
        if let explicit {
            result = try load(path: explicit)
            seen.insert(URL(fileURLWithPath: explicit).standardizedFileURL.path)
        }
        for file in files {
            let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
            guard let path = nearest(from: directory), seen.insert(path).inserted else { continue }
            result = result.merged(with: try load(path: path))
        }
        return result
    }

    // MARK: Decoding

    public static func load(path: String) throws(LoadError) -> AllocTagConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path: path, line: 1, column: 1, reason: "the file cannot be read")
        }
        var config = try decode(Array(data), path: path)
        if let root = config.c.root, !root.hasPrefix("/") {
            config.c.root = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(root).standardizedFileURL.path
        }
        return config
    }

    /// The flat keys of the first format, read as the `c` section's.
    static let cKeys = ["allocators", "noprof", "root", "inferHelpers"]
    static let swiftKeys = ["types"]

    /// Decodes the file's bytes (`path` only names it in errors; `root` is left as written).
    public static func decode(_ bytes: [UInt8], path: String) throws(LoadError) -> AllocTagConfig {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            return try JSONDecoder().decode(Schema.self, from: Data(bytes)).config
        } catch let error as Schema.Failure {
            let (line, column) = error.key.map { position(ofKey: $0, in: text) } ?? (1, 1)
            throw LoadError(path: path, line: line, column: column, reason: error.reason)
        } catch DecodingError.dataCorrupted(let context) {
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            throw LoadError(path: path, line: 1, column: 1, reason: "not valid JSON (\(detail))")
        } catch {
            throw LoadError(path: path, line: 1, column: 1, reason: "\(error)")
        }
    }

    /// The schema as a decoder walks it, key by key, so that unknown keys are seen (a derived
    /// `Decodable` ignores them) and each error names the key.
    private struct Schema: Decodable {
        struct Failure: Error {
            var reason: String
            /// The key to point at in the file, when there is one.
            var key: String?
        }

        struct Key: CodingKey {
            var stringValue: String
            init(_ string: String) { stringValue = string }
            init?(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        var config = AllocTagConfig()

        init(from decoder: Decoder) throws {
            let top: KeyedDecodingContainer<Key>
            do { top = try decoder.container(keyedBy: Key.self) } catch {
                throw Failure(reason: "the top level is not a JSON object")
            }
            try Self.refuseUnknown(top, allowed: ["c", "swift"] + AllocTagConfig.cKeys, section: nil)
            let c = try Self.section(top, "c")
            let swift = try Self.section(top, "swift")
            if let c { try Self.refuseUnknown(c, allowed: AllocTagConfig.cKeys, section: "c") }
            if let swift { try Self.refuseUnknown(swift, allowed: AllocTagConfig.swiftKeys, section: "swift") }
            for key in AllocTagConfig.cKeys where top.contains(Key(key)) && c?.contains(Key(key)) == true {
                throw Failure(reason: "\"\(key)\" is given both at the top level and in \"c\"; keep the one in \"c\"", key: key)
            }
            // A flat key is read where its `c` twin would be (both cannot be present).
            func cValue<T: Decodable>(_ type: T.Type, _ key: String, _ expected: String) throws -> T? {
                let inSection = c?.contains(Key(key)) == true
                do { return try (inSection ? c! : top).decodeIfPresent(type, forKey: Key(key)) } catch {
                    throw Failure(reason: "\"\(inSection ? "c." : "")\(key)\" is not \(expected)", key: key)
                }
            }
            config.c.allocators = try cValue([String].self, "allocators", "an array of strings") ?? []
            config.c.noprof = try cValue([String].self, "noprof", "an array of strings") ?? []
            config.c.root = try cValue(String.self, "root", "a string")
            config.c.inferHelpers = try cValue(Bool.self, "inferHelpers", "true or false") ?? true
            if let swift {
                do { config.swift.types = try swift.decodeIfPresent([String].self, forKey: Key("types")) ?? [] } catch {
                    throw Failure(reason: "\"swift.types\" is not an array of strings", key: "types")
                }
            }
            for name in config.swift.types where !AllocTagConfig.isTypeName(name) {
                throw Failure(reason: "\"\(name)\" is not a Swift type name", key: "types")
            }
        }

        static func section(_ top: KeyedDecodingContainer<Key>, _ name: String) throws -> KeyedDecodingContainer<Key>? {
            // `null` is an absent section, as `null` is an absent value (the decoders before this one read both so).
            guard top.contains(Key(name)), (try? top.decodeNil(forKey: Key(name))) != true else { return nil }
            do { return try top.nestedContainer(keyedBy: Key.self, forKey: Key(name)) } catch {
                throw Failure(reason: "\"\(name)\" is not a JSON object", key: name)
            }
        }

        static func refuseUnknown(_ container: KeyedDecodingContainer<Key>, allowed: [String], section: String?) throws {
            for key in container.allKeys.map(\.stringValue).sorted() where !allowed.contains(key) {
                let name = section.map { "\($0).\(key)" } ?? key
                throw Failure(reason: "unknown key \"\(name)\" (known \(section.map { "in \"\($0)\"" } ?? "at the top level"): "
                                  + allowed.joined(separator: ", ") + ")", key: key)
            }
        }
    }

    /// A Swift identifier usable as a type name: a letter or `_`, then letters, digits or `_`.
    static func isTypeName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Line and column (1-based, in bytes) of the first `"key"` followed by `:`, so an error
    /// points at the key; 1:1 when it cannot be found (an escaped spelling of the key, say).
    static func position(ofKey key: String, in text: String) -> (Int, Int) {
        let bytes = Array(text.utf8), needle = Array("\"\(key)\"".utf8)
        var line = 1, lineStart = 0, i = 0
        while i + needle.count <= bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
            } else if bytes[i] == needle[0], Array(bytes[i ..< i + needle.count]) == needle {
                var j = i + needle.count
                while j < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[j]) { j += 1 }
                if j < bytes.count, bytes[j] == UInt8(ascii: ":") { return (line, i - lineStart + 1) }
            }
            i += 1
        }
        return (1, 1)
    }
}
