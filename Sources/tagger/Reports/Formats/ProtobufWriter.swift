/// Minimal protobuf wire-format encoder: enough for profile.proto (varints, packed repeated
/// integers, length-delimited strings and nested messages).
///
/// Invariant: fields are written in the order they are added; protobuf readers accept any
/// order, and a fixed order keeps the output byte-for-byte reproducible.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private enum WireType: UInt64 { case varint = 0, lengthDelimited = 2 }

    private mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// An `int64`/`uint64` field; negative values take ten bytes (two's complement), as for int64.
    /// Zero is skipped: proto3 omits default values.
    mutating func int(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        int(field, value ? 1 : 0)
    }

    /// A packed `repeated int64`/`uint64` field (proto3's default encoding for repeated scalars).
    mutating func packed(_ field: Int, _ values: [Int64]) {
        guard !values.isEmpty else { return }
        var inner = ProtobufWriter()
        for v in values { inner.varint(UInt64(bitPattern: v)) }
        bytesField(field, inner.bytes)
    }

    mutating func string(_ field: Int, _ value: String) {
        bytesField(field, Array(value.utf8), keepEmpty: true)
    }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytesField(field, inner.bytes, keepEmpty: true)
    }

    private mutating func bytesField(_ field: Int, _ data: [UInt8], keepEmpty: Bool = false) {
        guard keepEmpty || !data.isEmpty else { return }
        key(field, .lengthDelimited)
        varint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }
}
