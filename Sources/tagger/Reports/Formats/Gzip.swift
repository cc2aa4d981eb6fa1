/// gzip (RFC 1952) around DEFLATE stored blocks (RFC 1951 §3.2.4), with the CRC-32 computed here.
///
/// Stored blocks do not compress, but every gzip reader (gunzip, Go's compress/gzip used by
/// pprof, Python's gzip) accepts them, and they need neither zlib nor its headers. The header
/// carries no name and mtime 0, so the same input always gives the same bytes.
public enum Gzip {
    public static func wrap(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]  // magic, deflate, no flags, mtime 0, OS unknown
        out.reserveCapacity(data.count + data.count / 65535 * 5 + 23)
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final = offset + length == data.count
            out.append(final ? 1 : 0)  // BFINAL, BTYPE=00 (stored); the rest of the byte is padding
            appendLE(&out, UInt32(length), bytes: 2)
            appendLE(&out, UInt32(~UInt16(length)), bytes: 2)
            out.append(contentsOf: data[offset..<(offset + length)])
            offset += length
        } while offset < data.count
        appendLE(&out, crc32(data), bytes: 4)
        appendLE(&out, UInt32(truncatingIfNeeded: data.count), bytes: 4)  // ISIZE is the size mod 2^32
        return out
    }

    private static func appendLE(_ out: inout [UInt8], _ value: UInt32, bytes: Int) {
        for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }

    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as gzip and zlib compute it.
    public static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
