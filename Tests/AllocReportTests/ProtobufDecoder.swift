/// A generic protobuf wire-format reader, written for the tests independently of the encoder:
/// it knows nothing of profile.proto, only tags, wire types, varints and lengths.
struct WireMessage {
    enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    var fields: [(number: Int, value: Value)] = []

    init(_ data: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < data.count else { throw DecodeError(description: "truncated varint at \(i)") }
                guard shift < 64 else { throw DecodeError(description: "varint longer than 10 bytes at \(i)") }
                let b = data[i]; i += 1
                result |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while i < data.count {
            let key = try varint()
            let number = Int(key >> 3)
            guard number > 0 else { throw DecodeError(description: "field number 0 at \(i)") }
            switch key & 7 {
            case 0: fields.append((number, .varint(try varint())))
            case 1:
                guard i + 8 <= data.count else { throw DecodeError(description: "truncated fixed64") }
                fields.append((number, .fixed64(data[i..<(i + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) }))); i += 8
            case 2:
                let length = Int(try varint())
                guard length >= 0, i + length <= data.count else { throw DecodeError(description: "length \(length) past the end at \(i)") }
                fields.append((number, .bytes(Array(data[i..<(i + length)])))); i += length
            case 5:
                guard i + 4 <= data.count else { throw DecodeError(description: "truncated fixed32") }
                fields.append((number, .fixed32(data[i..<(i + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) }))); i += 4
            default: throw DecodeError(description: "unknown wire type \(key & 7) at \(i)")
            }
        }
    }

    func all(_ number: Int) -> [Value] { fields.filter { $0.number == number }.map(\.value) }

    func messages(_ number: Int) throws -> [WireMessage] {
        try all(number).map { value in
            guard case .bytes(let b) = value else { throw DecodeError(description: "field \(number) is not length-delimited") }
            return try WireMessage(b)
        }
    }

    func strings(_ number: Int) throws -> [String] {
        try all(number).map { value in
            guard case .bytes(let b) = value else { throw DecodeError(description: "field \(number) is not a string") }
            return String(decoding: b, as: UTF8.self)
        }
    }

    /// A scalar int64 field; 0 when absent (proto3 default).
    func int(_ number: Int) throws -> Int64 {
        let values = try ints(number)
        guard values.count <= 1 else { throw DecodeError(description: "field \(number) repeated \(values.count) times") }
        return values.first ?? 0
    }

    /// A repeated int64 field, packed or not (readers must accept both).
    func ints(_ number: Int) throws -> [Int64] {
        var result: [Int64] = []
        for value in all(number) {
            switch value {
            case .varint(let v): result.append(Int64(bitPattern: v))
            case .bytes(let packed):
                var inner = WireMessage()
                var j = 0
                while j < packed.count {
                    var v: UInt64 = 0, shift: UInt64 = 0
                    while true {
                        guard j < packed.count else { throw DecodeError(description: "truncated packed varint") }
                        let b = packed[j]; j += 1
                        v |= UInt64(b & 0x7f) << shift
                        if b & 0x80 == 0 { break }
                        shift += 7
                    }
                    inner.fields.append((number, .varint(v)))
                }
                result += try inner.ints(number)
            default: throw DecodeError(description: "field \(number) is not an integer")
            }
        }
        return result
    }

    private init() {}
}
