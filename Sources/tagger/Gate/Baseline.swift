import Foundation
import TaggerCore

/// Accepted findings, matched on rule, file and the trimmed text of the finding's line, never on
/// its number: inserting or deleting lines elsewhere in the file keeps every entry valid.
/// Identical keys are counted, so two equal untagged lines need two entries.
///
/// File format: pretty JSON, keys sorted, entries sorted by (file, rule, text), so a rewrite
/// that accepts nothing new produces a byte-identical file and diffs stay reviewable.
public struct Baseline: Codable, Equatable, Sendable {
    public struct Entry: Codable, Hashable, Comparable, Sendable {
        public var rule: String
        /// Repository-relative path, as the reporters print it.
        public var file: String
        /// The line's text without leading and trailing whitespace.
        public var text: String

        public init(rule: String, file: String, text: String) {
            self.rule = rule
            self.file = file
            self.text = text
        }

        public static func < (a: Entry, b: Entry) -> Bool {
            (a.file, a.rule, a.text) < (b.file, b.rule, b.text)
        }
    }

    public static let currentVersion = 1

    public var version: Int
    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.version = Self.currentVersion
        self.entries = entries.sorted()
    }

    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public static func load(from path: String) throws -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path: path, reason: "cannot read the baseline file; write one with --write-baseline \(path)")
        }
        let baseline: Baseline
        do {
            baseline = try JSONDecoder().decode(Baseline.self, from: data)
        } catch {
            throw LoadError(path: path, reason: "not a tagger baseline (\(Self.describe(error))); rewrite it with --write-baseline \(path)")
        }
        guard baseline.version == currentVersion else {
            throw LoadError(path: path, reason: "baseline version \(baseline.version) is not supported (expected \(currentVersion)); rewrite it with --write-baseline \(path)")
        }
        return Baseline(entries: baseline.entries)
    }

    /// The file's exact bytes: pretty, sorted JSON with a final newline.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(Baseline(entries: entries))  // plain strings and ints always encode
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted: return "invalid JSON"
        default: return "\(error)"
        }
    }
}

/// Matching state for one run: each entry can absorb one finding with its key.
struct BaselineMatcher {
    private var remaining: [Baseline.Entry: Int] = [:]

    init(_ baseline: Baseline) {
        for entry in baseline.entries { remaining[entry, default: 0] += 1 }
    }

    mutating func absorb(_ entry: Baseline.Entry) -> Bool {
        guard let n = remaining[entry], n > 0 else { return false }
        remaining[entry] = n - 1
        return true
    }

    /// Entries no finding matched, sorted, repeated by their unmatched count.
    var unmatched: [Baseline.Entry] {
        remaining.flatMap { entry, n in Array(repeating: entry, count: n) }.sorted()
    }
}
