import Foundation

/// The Swift part of the package's `.alloctag.json` (the file the C front end reads too: its
/// keys are `allocators`, `noprof`, `root`; each side ignores the other's), naming what the
/// Swift front ends treat as allocation sites beyond the built-in list:
/// `{"swift": {"types": ["Node", "Packet"]}}`.
public struct AllocTagConfig: Codable, Sendable, Equatable {
    public struct Swift: Codable, Sendable, Equatable {
        /// Types whose construction (`Node(...)`, `Node<T>(...)`, `Node.init(...)`) is a site.
        public var types: [String]
        public init(types: [String] = []) { self.types = types }
    }

    public var swift: Swift?

    public init(swift: Swift? = nil) { self.swift = swift }

    public var constructedTypes: Set<String> { Set(swift?.types ?? []) }

    public static let fileName = ".alloctag.json"

    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String {
            "\(path): error: cannot read alloctag configuration: \(reason); expected {\"swift\": {\"types\": [\"TypeName\"]}}"
        }
    }

    public static func load(path: String) throws -> AllocTagConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path: path, reason: "file cannot be read")
        }
        do {
            let config = try JSONDecoder().decode(AllocTagConfig.self, from: data)
            for name in config.swift?.types ?? [] where !isTypeName(name) {
                throw LoadError(path: path, reason: "\"\(name)\" is not a Swift type name")
            }
            return config
        } catch let error as LoadError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw LoadError(path: path, reason: "not valid JSON (\(context.debugDescription))")
        } catch let DecodingError.typeMismatch(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw LoadError(path: path, reason: "wrong type at \"\(key)\" (\(context.debugDescription))")
        } catch {
            throw LoadError(path: path, reason: "\(error)")
        }
    }

    static func isTypeName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
    }
}
