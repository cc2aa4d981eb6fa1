/// A JSON reader that remembers the line of every value, so a bad budget file is reported as
/// `budget.json:12: error: ...` at the entry that is wrong, not as "the data is invalid".
///
/// Strict RFC 8259: one value, objects with string keys (a repeated key is an error), no
/// comments or trailing commas. Numbers keep their text; integers are read exactly.
struct LinedJSON: Equatable {
    indirect enum Value: Equatable {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        case array([LinedJSON])
        case object([(key: String, value: LinedJSON)])

        static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case let (.bool(x), .bool(y)): return x == y
            case let (.number(x), .number(y)), let (.string(x), .string(y)): return x == y
            case let (.array(x), .array(y)): return x == y
            case let (.object(x), .object(y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
            default: return false
            }
        }
    }

    var value: Value
    /// 1-based line where the value starts.
    var line: Int

    struct SyntaxError: Error, Equatable {
        var line: Int
        var message: String
    }

    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> LinedJSON {
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.at == bytes.count else { throw reader.fail("unexpected text after the JSON value") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var line = 1

        func fail(_ message: String) -> SyntaxError { SyntaxError(line: line, message: message) }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) {
                if bytes[at] == 0x0A { line += 1 }
                at += 1
            }
        }

        mutating func expect(_ literal: String) throws(SyntaxError) {
            for b in literal.utf8 {
                guard at < bytes.count, bytes[at] == b else { throw fail("invalid literal (expected '\(literal)')") }
                at += 1
            }
        }

        mutating func value(depth: Int) throws(SyntaxError) -> LinedJSON {
            guard depth < 64 else { throw fail("nested more than 64 levels deep") }
            guard at < bytes.count else { throw fail("unexpected end of the file") }
            let start = line
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var members: [(key: String, value: LinedJSON)] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return LinedJSON(value: .object(members), line: start) }
                while true {
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                    let key = try string()
                    if members.contains(where: { $0.key == key }) { throw fail("the key \"\(key)\" appears twice") }
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':' after the key \"\(key)\"") }
                    at += 1
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard at < bytes.count else { throw fail("unexpected end of the file inside an object") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    if bytes[at] == UInt8(ascii: "}") { at += 1; return LinedJSON(value: .object(members), line: start) }
                    throw fail("expected ',' or '}' in an object")
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [LinedJSON] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return LinedJSON(value: .array(items), line: start) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard at < bytes.count else { throw fail("unexpected end of the file inside an array") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    if bytes[at] == UInt8(ascii: "]") { at += 1; return LinedJSON(value: .array(items), line: start) }
                    throw fail("expected ',' or ']' in an array")
                }
            case UInt8(ascii: "\""):
                return LinedJSON(value: .string(try string()), line: start)
            case UInt8(ascii: "t"): try expect("true"); return LinedJSON(value: .bool(true), line: start)
            case UInt8(ascii: "f"): try expect("false"); return LinedJSON(value: .bool(false), line: start)
            case UInt8(ascii: "n"): try expect("null"); return LinedJSON(value: .null, line: start)
            default:
                let from = at
                if bytes[at] == UInt8(ascii: "-") { at += 1 }
                let numberBytes = Set("0123456789.eE+-".utf8)
                while at < bytes.count, numberBytes.contains(bytes[at]) { at += 1 }
                let text = String(decoding: bytes[from..<at], as: UTF8.self)
                guard at > from, Double(text) != nil else { throw fail("expected a value (object, array, string, number, true, false or null)") }
                return LinedJSON(value: .number(text), line: start)
            }
        }

        mutating func string() throws(SyntaxError) -> String {
            at += 1  // the opening quote
            var out: [UInt8] = []
            while at < bytes.count {
                let b = bytes[at]
                at += 1
                switch b {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
                    return s
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { break }
                    let e = bytes[at]
                    at += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(v) else { throw fail("invalid \\u escape (surrogate pairs are not supported)") }
                        at += 4
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string")
                    }
                case 0x0A: throw fail("a string runs past the end of its line")
                default: out.append(b)
                }
            }
            throw fail("unexpected end of the file inside a string")
        }
    }
}
