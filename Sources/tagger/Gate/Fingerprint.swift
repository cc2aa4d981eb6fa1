import TaggerCore

/// A baseline fingerprint: FNV-1a over the parts with a 0 byte between them, so ("ab","c")
/// differs from ("a","bc"); 16 hex digits.
enum Fingerprint {
    static func hash(_ parts: [String]) -> String {
        var h = FNV1a()
        for (i, part) in parts.enumerated() {
            if i > 0 { h.add([0]) }
            h.add(part)
        }
        return h.hex
    }
}
