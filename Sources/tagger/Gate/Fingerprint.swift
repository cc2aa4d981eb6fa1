/// 64-bit FNV-1a, hex: stable across runs, platforms and Swift versions (unlike `Hasher`).
enum Fingerprint {
    static func hash(_ parts: [String]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for (i, part) in parts.enumerated() {
            if i > 0 { h = (h ^ 0) &* 0x0000_0100_0000_01b3 }  // separator, so ("ab","c") != ("a","bc")
            for byte in part.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
