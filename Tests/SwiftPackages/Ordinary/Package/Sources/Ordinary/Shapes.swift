/// A point: two `Double`s, so an instance is the object header (16 bytes) and 16 more.
public final class Point {
    public let x: Double
    public let y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A polygon that remembers its former titles and the names of the polygons it outlived.
public class Polygon {
    public let name: String
    public private(set) var vertices: [Point] = []
    public private(set) var formerTitles: [String] = []
    /// Every renaming is recorded by the observer.
    public var title: String {
        didSet {
            formerTitles.append(oldValue)
        }
    }
    /// Built on first use, by whoever reads it first.
    public lazy var grid: [Int] = Array(repeating: 0, count: 62)

    /// Polygons dropped so far, each leaving its name behind.
    public nonisolated(unsafe) static var obituaries: [String] = []

    public init(name: String, title: String) {
        self.name = name
        self.title = title
    }

    deinit {
        Polygon.obituaries.append("\(name) is gone")
    }

    /// `count` vertices, the storage reserved first: one buffer and `count` instances.
    public func addVertices(_ count: Int) {
        vertices.reserveCapacity(count)
        for i in 0..<count {
            let t = Double(i) / Double(count)
            vertices.append(Point(x: t, y: t * t))
        }
    }

    /// A computed property: one interpolated string, long enough for the heap.
    public var summary: String {
        "polygon \(name) has \(vertices.count) vertices and is titled \(title)"
    }

    /// The vertices' x coordinates, through a `$0` closure: `map` reserves the count.
    public func xs() -> [Double] {
        vertices.map { $0.x }
    }
}

/// Fills `items` with `count` values made by `make`, reserving first; generic and `inout`.
public func fill<T>(_ items: inout [T], count: Int, _ make: (Int) -> T) {
    items.reserveCapacity(items.count + count)
    for i in 0..<count {
        items.append(make(i))
    }
}
