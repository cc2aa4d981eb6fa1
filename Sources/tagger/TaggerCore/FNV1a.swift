/// 64-bit FNV-1a: the one stable hash of the tagger (tag names, baseline fingerprints, the
/// runtime build cache). Stable across runs, platforms and Swift versions, unlike `Hasher`,
/// so anything derived from it may be written to disk and compared later.
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }

    public mutating func add(_ text: String) { add(text.utf8) }

    /// The hash of `text`'s UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 {
        var h = FNV1a()
        h.add(text)
        return h.value
    }

    /// `value` as 16 lowercase hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
