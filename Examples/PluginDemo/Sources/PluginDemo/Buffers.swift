#if canImport(Glibc)
import Glibc
#endif

/// A hot class: `.alloctag.json` names it, so each place that creates one is a site.
final class Particle {
    var x = 0
    var y = 0
}

/// Generic code: a tag per site works here too (the tags are file-scope globals).
func makeBuffer<T>(of type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    UnsafeMutablePointer<T>.allocate(capacity: count)
}

extension Array where Element == Particle {
    static func swarm(_ n: Int) -> [Particle] {
        (0..<n).map { _ in Particle() }
    }
}

struct Scratch {
    let raw: UnsafeMutableRawPointer
    let label: UnsafeMutablePointer<CChar>?

    init(bytes: Int) {
        raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        label = strdup("scratch")
    }
}
