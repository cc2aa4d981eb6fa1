import Foundation
import TaggerCore

/// What the C front end treats as an allocator and how it may edit. Read from `.alloctag.json`
/// (searched from each input's directory upward, like `.clang-format`) and the command line.
///
/// ```json
/// { "allocators": ["xmalloc", "pool_alloc"], "noprof": ["my_malloc_impl"], "root": "." }
/// ```
public struct CConfig: Codable, Sendable, Equatable {
    /// The malloc family, always allocators.
    public static let mallocFamily: [String] = Vocabulary.mallocFamily

    /// Extra allocator names. A name defined in the project gets the `_noprof` recipe (its
    /// callers are charged); a name defined elsewhere has each call wrapped in `alloc_hooks`.
    public var allocators: [String]
    /// Functions reached through function pointers whose allocations belong to their callers:
    /// the allocator calls they return use the `_noprof` spellings.
    public var noprof: [String]
    /// Only files under this directory are analysed and edited (default: the current directory,
    /// or the inputs' common directory when they lie outside it).
    public var root: String?
    /// Apply helper inference (default true).
    public var inferHelpers: Bool

    public init(allocators: [String] = [], noprof: [String] = [], root: String? = nil, inferHelpers: Bool = true) {
        self.allocators = allocators
        self.noprof = noprof
        self.root = root
        self.inferHelpers = inferHelpers
    }

    enum CodingKeys: String, CodingKey { case allocators, noprof, root, inferHelpers }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        allocators = try c.decodeIfPresent([String].self, forKey: .allocators) ?? []
        noprof = try c.decodeIfPresent([String].self, forKey: .noprof) ?? []
        root = try c.decodeIfPresent(String.self, forKey: .root)
        inferHelpers = try c.decodeIfPresent(Bool.self, forKey: .inferHelpers) ?? true
    }

    public static let fileName = ".alloctag.json"

    /// The nearest `.alloctag.json` at or above `directory`, parsed; nil when there is none.
    /// A relative `root` in the file is taken relative to the file's directory.
    public static func discover(from directory: String) throws -> CConfig? {
        var dir = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = dir.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return try load(candidate) }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    public static func load(_ path: String) throws -> CConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw CFrontEndError.unreadable(path) }
        do {
            var config = try JSONDecoder().decode(CConfig.self, from: data)
            if let root = config.root, !root.hasPrefix("/") {
                config.root = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(root).standardizedFileURL.path
            }
            return config
        } catch {
            throw CFrontEndError.usage("\(path):1:1: error: invalid \(fileName): \(error); expected {\"allocators\": [names], \"noprof\": [names], \"root\": path}")
        }
    }

    /// This configuration with `other`'s lists added and its root preferred when set.
    public func merged(with other: CConfig?) -> CConfig {
        guard let other else { return self }
        var result = self
        result.allocators += other.allocators.filter { !allocators.contains($0) }
        result.noprof += other.noprof.filter { !noprof.contains($0) }
        result.root = root ?? other.root
        result.inferHelpers = inferHelpers && other.inferHelpers
        return result
    }
}
